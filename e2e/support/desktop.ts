/**
 * The desktop layer in e2e: the route list as the app renders it (the
 * sidebar, built from renderer/src/app/routes.ts, so a page another feature
 * adds is visited with no edit here), a page settled before it is judged,
 * the command palette, and the axe-core audit.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

export interface AppRoute {
  label: string;
  /** "#/system" */
  href: string;
}

export async function appRoutes(page: Page): Promise<AppRoute[]> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link').first()).toBeVisible();
  return nav.getByRole('link').evaluateAll((links) =>
    links.map((a) => ({
      // The link's name: its text without the decorative (aria-hidden) glyph.
      label: [...a.childNodes]
        .filter((n) => !(n instanceof Element && n.getAttribute('aria-hidden') === 'true'))
        .map((n) => n.textContent ?? '')
        .join('')
        .trim(),
      href: a.getAttribute('href') ?? '',
    })),
  );
}

/** The page's h1 is shown and nothing in it is still loading. */
export async function settled(page: Page): Promise<void> {
  await expect(page.locator('main h1').first()).toBeVisible();
  await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
  await expect(page.locator('main .loading')).toHaveCount(0);
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** Serious and critical WCAG 2.x A/AA violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

export class Palette {
  constructor(readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Command palette' });
  }

  get input(): Locator {
    return this.dialog.getByRole('combobox', { name: 'Command or search' });
  }

  option(name: string | RegExp): Locator {
    return this.dialog.getByRole('option', { name });
  }

  get selected(): Locator {
    return this.dialog.locator('[role="option"][aria-selected="true"]');
  }

  async open(): Promise<void> {
    await this.page.keyboard.press('Control+k');
    await expect(this.input).toBeFocused();
  }
}
