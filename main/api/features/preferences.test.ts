import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../../../preload/schemas/preferences';
import { PreferencesStore, defaultPreferencesPath, preferencesHandlers, readPreferencesText } from './preferences';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-prefs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('preferences store', () => {
  it('answers the defaults when nothing was stored', async () => {
    const store = new PreferencesStore(path.join(dir, 'berth', 'preferences.json'));
    expect(await store.get()).toEqual(DEFAULT_PREFERENCES);
  });

  it('merges a patch, writes a private file in a private dir and reads it back', async () => {
    const file = path.join(dir, 'berth', 'preferences.json');
    const store = new PreferencesStore(file);
    await store.set({ theme: 'dark' });
    const after = await store.set({ stopTimeoutSeconds: 3 });
    expect(after).toEqual({ ...DEFAULT_PREFERENCES, theme: 'dark', stopTimeoutSeconds: 3 });
    expect(await new PreferencesStore(file).get()).toEqual(after);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });

  it('keeps the valid keys of a damaged file and defaults the rest', async () => {
    expect(readPreferencesText('{"theme":"dark","refreshSeconds":-4,"other":1}')).toEqual({
      ...DEFAULT_PREFERENCES,
      theme: 'dark',
    });
    expect(readPreferencesText('not json')).toEqual(DEFAULT_PREFERENCES);
    const file = path.join(dir, 'preferences.json');
    await writeFile(file, '[1,2]');
    expect(await new PreferencesStore(file).get()).toEqual(DEFAULT_PREFERENCES);
  });

  it('serialises concurrent patches: none is lost', async () => {
    const file = path.join(dir, 'preferences.json');
    const store = new PreferencesStore(file);
    await Promise.all([
      store.set({ theme: 'light' }),
      store.set({ refreshSeconds: 30 }),
      store.set({ notifications: false }),
    ]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      ...DEFAULT_PREFERENCES,
      theme: 'light',
      refreshSeconds: 30,
      notifications: false,
    });
  });

  it('lives under XDG_CONFIG_HOME when it is absolute, else ~/.config', () => {
    expect(defaultPreferencesPath({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/berth/preferences.json');
    expect(defaultPreferencesPath({ XDG_CONFIG_HOME: 'rel' })).toBe(
      path.join(os.homedir(), '.config/berth/preferences.json'),
    );
  });

  it('app.notify says whether main could show it', async () => {
    const shown: string[] = [];
    const store = new PreferencesStore(path.join(dir, 'p.json'));
    const ctx = { transport: 'electron' as const };
    expect(
      await preferencesHandlers(store, (n) => shown.push(n.title))['app.notify']({ title: 't', body: 'b' }, ctx),
    ).toEqual({
      shown: true,
    });
    expect(shown).toEqual(['t']);
    expect(await preferencesHandlers(store, undefined)['app.notify']({ title: 't', body: 'b' }, ctx)).toEqual({
      shown: false,
    });
  });
});
