/**
 * The theme: stylesheets take every colour from `light-dark()` pairs (the
 * variables in app/styles.css and the few feature colours), which resolve
 * through CSS `color-scheme`. `system` leaves `color-scheme: light dark`, so
 * the OS's prefers-color-scheme decides; `light`/`dark` pin it through
 * `data-theme` on <html>. The last choice is also kept in localStorage as a
 * boot hint only, so a dark-themed user sees no light flash before main answers.
 */
import type { ThemeChoiceT } from '../../../../preload/schemas/preferences';

export const THEME_HINT_KEY = 'berth.theme';

export function applyTheme(root: HTMLElement, theme: ThemeChoiceT): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    localStorage.setItem(THEME_HINT_KEY, theme);
  } catch {
    // storage refused (privacy mode): only the flash comes back
  }
}

/** Before the first render: the last theme this browser profile showed. */
export function applyThemeHint(root: HTMLElement): void {
  let hint: string | null;
  try {
    hint = localStorage.getItem(THEME_HINT_KEY);
  } catch {
    return;
  }
  if (hint === 'light' || hint === 'dark') root.dataset.theme = hint;
}
