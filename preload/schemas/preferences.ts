/**
 * The user's preferences (theme, stop timeout, refresh rate) and the desktop
 * notification main shows for the window build. Served by main, which runs as
 * the user: stored in one file per user (see main/api/features/preferences.ts).
 *
 * Kept free of Node imports: the renderer imports these schemas.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { Empty } from './system';

export const ThemeChoice = lazy(() => z.enum(['system', 'light', 'dark']));

export const Preferences = lazy(() =>
  z
    .object({
      /** `system` follows prefers-color-scheme; the others override it. */
      theme: ThemeChoice.default('system'),
      /** Seconds a stop (or restart) waits after SIGTERM before SIGKILL (docker's -t). */
      stopTimeoutSeconds: z.number().int().min(0).max(3600).default(10),
      /** How often lists that are not pushed by events are polled, in seconds (0 = never). */
      refreshSeconds: z.number().int().min(0).max(3600).default(5),
      /** Desktop notifications for deaths, OOM kills and restart loops. */
      notifications: z.boolean().default(true),
    })
    .strict(),
);

export const PreferencesPatch = lazy(() => Preferences.partial().strict());

/**
 * The defaults: what `Preferences.parse({})` gives (lazy.test.ts checks they agree),
 * written out so that importing the contract builds no schema at all (every CLI start
 * imports it).
 */
export const DEFAULT_PREFERENCES: PreferencesT = {
  theme: 'system',
  stopTimeoutSeconds: 10,
  refreshSeconds: 5,
  notifications: true,
};

export const preferencesMethods = {
  'preferences.get': method({
    where: 'main',
    params: Empty,
    result: Preferences,
    summary: "The user's preferences (defaults for what was never set)",
  }),
  'preferences.set': method({
    where: 'main',
    params: PreferencesPatch,
    result: Preferences,
    summary: 'Change some preferences; answers the whole stored set',
  }),
  'app.notify': method({
    where: 'main',
    params: lazy(() => z.object({ title: z.string().min(1).max(200), body: z.string().max(1000) }).strict()),
    result: lazy(() => z.object({ shown: z.boolean() })),
    summary: 'A desktop notification through Electron (the window build); shown: false where main has none',
  }),
} as const;

export type PreferencesT = z.output<typeof Preferences>;
export type PreferencesPatchT = z.output<typeof PreferencesPatch>;
export type ThemeChoiceT = z.output<typeof ThemeChoice>;
