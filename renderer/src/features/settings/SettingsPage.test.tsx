/**
 * Theme switching and the stored preferences as the Settings page drives
 * them: the stored theme is applied to <html> on load (and remembered as the
 * boot hint), each choice is saved through `preferences.set` and applied at
 * once, "Follow the system" hands the choice back to prefers-color-scheme;
 * the number fields save only valid values.
 */
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, type PreferencesT } from '../../../../preload/schemas/preferences';
import { PreferencesEffects } from '../../app/preferences/preferences';
import { applyThemeHint, THEME_HINT_KEY } from '../../app/preferences/theme';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { SettingsPage } from './SettingsPage';

function setup(initial: Partial<PreferencesT> = {}) {
  let stored: PreferencesT = { ...DEFAULT_PREFERENCES, ...initial };
  const fake = installFakeBerth({
    'preferences.get': () => stored,
    'preferences.set': (patch) => (stored = { ...stored, ...patch }),
  });
  renderWithBerth(
    <>
      <PreferencesEffects />
      <SettingsPage />
    </>,
  );
  return { fake, stored: () => stored };
}

const root = document.documentElement;

afterEach(() => {
  delete root.dataset.theme;
  localStorage.clear();
});

describe('theme switching', () => {
  it('applies the stored theme on load and keeps it as the boot hint', async () => {
    setup({ theme: 'dark' });
    await waitFor(() => expect(root.dataset.theme).toBe('dark'));
    expect(localStorage.getItem(THEME_HINT_KEY)).toBe('dark');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Dark' }).checked).toBe(true);
    // A new page of this profile starts dark before main answers.
    delete root.dataset.theme;
    applyThemeHint(root);
    expect(root.dataset.theme).toBe('dark');
  });

  it('saves and applies each choice; "Follow the system" removes the override', async () => {
    const { fake, stored } = setup();
    await screen.findByRole('radio', { name: 'Follow the system', checked: true });
    expect(root.dataset.theme).toBeUndefined();
    await userEvent.click(screen.getByRole('radio', { name: 'Dark' }));
    await waitFor(() => expect(root.dataset.theme).toBe('dark'));
    await userEvent.click(screen.getByRole('radio', { name: 'Light' }));
    await waitFor(() => expect(root.dataset.theme).toBe('light'));
    await userEvent.click(screen.getByRole('radio', { name: 'Follow the system' }));
    await waitFor(() => expect(root.dataset.theme).toBeUndefined());
    expect(fake.callsOf('preferences.set')).toEqual([{ theme: 'dark' }, { theme: 'light' }, { theme: 'system' }]);
    expect(stored().theme).toBe('system');
  });

  it('is reachable by keyboard: arrows move through the theme choices', async () => {
    setup();
    const system = await screen.findByRole('radio', { name: 'Follow the system', checked: true });
    system.focus();
    await userEvent.keyboard('{ArrowRight}');
    await waitFor(() => expect(root.dataset.theme).toBe('light'));
  });
});

describe('other preferences', () => {
  it('saves a valid stop timeout and refresh rate, never an invalid one', async () => {
    const { fake } = setup();
    const timeout = await screen.findByRole('spinbutton', { name: 'Stop timeout' });
    await userEvent.clear(timeout);
    await userEvent.type(timeout, '25');
    await userEvent.clear(screen.getByRole('spinbutton', { name: 'Refresh rate' }));
    await userEvent.type(screen.getByRole('spinbutton', { name: 'Refresh rate' }), '99999');
    expect(screen.getByRole('spinbutton', { name: 'Refresh rate' }).getAttribute('aria-invalid')).toBe('true');
    await userEvent.click(screen.getByRole('checkbox', { name: /Notify when a container dies/ }));
    // Saved as typed while valid: "", 9999 and 99999 (over 3600) never are.
    await waitFor(() =>
      expect(fake.callsOf('preferences.set')).toEqual([
        { stopTimeoutSeconds: 2 },
        { stopTimeoutSeconds: 25 },
        { refreshSeconds: 9 },
        { refreshSeconds: 99 },
        { refreshSeconds: 999 },
        { notifications: false },
      ]),
    );
  });
});
