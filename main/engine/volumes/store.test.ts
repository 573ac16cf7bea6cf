import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '../../../preload/errors';
import { ANONYMOUS_LABEL, checkVolumeName } from './names';
import { VolumeStore } from './store';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

async function codeAsync(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('volume names (docker rule)', () => {
  it('takes docker names', () => {
    for (const ok of ['ab', 'pg-data', 'my_vol.1', 'A9', 'a'.repeat(128)]) expect(checkVolumeName(ok)).toBe(ok);
  });
  it('refuses paths, dots and odd characters with VOLUME_NAME_INVALID', () => {
    for (const bad of [
      'a',
      '',
      '..',
      '.',
      '../x',
      'a/b',
      '/abs',
      '.hidden',
      '-x',
      '_x',
      'a b',
      'a\0b',
      'é1',
      'a'.repeat(129),
      '.lock',
    ])
      expect(
        code(() => checkVolumeName(bad)),
        bad,
      ).toBe('VOLUME_NAME_INVALID');
  });
});

describe('VolumeStore', () => {
  let root: string;
  let store: VolumeStore;
  const users = new Map<string, Array<{ id: string; name: string }>>();
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-vol-'));
    store = new VolumeStore(root);
    store.setUsage({ volumeUsers: (n) => users.get(n) ?? [] });
    users.clear();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates a volume whole: record, 0755 data dir, docker fields; create again returns it', () => {
    const events: unknown[] = [];
    store.onChange = (e) => events.push(e);
    const { record, created } = store.create({ name: 'data1', labels: { app: 'db' } });
    expect(created).toBe(true);
    expect(record).toMatchObject({ name: 'data1', labels: { app: 'db' }, anonymous: false });
    const mp = store.mountpoint('data1');
    expect(mp).toBe(path.join(root, 'volumes', 'data1', '_data'));
    expect(fs.statSync(mp).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(path.join(root, 'volumes')).mode & 0o777).toBe(0o700);
    expect(store.create({ name: 'data1' })).toMatchObject({ created: false, record: { createdAt: record.createdAt } });
    expect(events).toEqual([{ action: 'create', names: ['data1'] }]);
    expect(store.describe(record, null)).toMatchObject({ driver: 'local', scope: 'local', mountpoint: mp, users: [] });
    // nothing left over from the staging
    expect(fs.readdirSync(path.join(root, 'volumes')).sort()).toEqual(['.lock', 'data1']);
  });

  it('an anonymous volume gets 64 hex digits and docker`s label', () => {
    const { record } = store.create({ anonymous: true });
    expect(record.name).toMatch(/^[0-9a-f]{64}$/);
    expect(record.labels).toEqual({ [ANONYMOUS_LABEL]: '' });
    expect(record.anonymous).toBe(true);
  });

  it('hostile names create nothing', () => {
    for (const bad of ['../escape', 'a/b', '..', '.lock'])
      expect(
        code(() => store.create({ name: bad })),
        bad,
      ).toBe('VOLUME_NAME_INVALID');
    expect(fs.readdirSync(path.join(root, 'volumes')).filter((n) => n !== '.lock')).toEqual([]);
    expect(fs.existsSync(path.join(root, 'escape'))).toBe(false);
    expect(code(() => store.get('../volumes'))).toBe('VOLUME_NAME_INVALID');
  });

  it('refuses to remove a volume in use, naming its users; removes it once unused', async () => {
    store.create({ name: 'shared' });
    fs.writeFileSync(path.join(store.mountpoint('shared'), 'f'), 'x');
    users.set('shared', [
      { id: 'c1', name: 'web' },
      { id: 'c2', name: 'worker' },
    ]);
    try {
      await store.remove('shared');
      throw new Error('removed');
    } catch (err) {
      expect(isBerthError(err, 'VOLUME_IN_USE')).toBe(true);
      expect((err as Error).message).toContain('web, worker');
      expect((err as { details?: unknown }).details).toMatchObject({ containers: ['web', 'worker'] });
    }
    expect(fs.readFileSync(path.join(store.mountpoint('shared'), 'f'), 'utf8')).toBe('x');
    users.delete('shared');
    await store.remove('shared');
    expect(fs.existsSync(store.dir('shared'))).toBe(false);
    expect(await codeAsync(store.remove('shared'))).toBe('VOLUME_NOT_FOUND');
    expect(code(() => store.get('shared'))).toBe('VOLUME_NOT_FOUND');
  });

  it('a damaged record is listed as damaged and can still be removed; leftovers are swept', async () => {
    store.create({ name: 'good' });
    store.create({ name: 'bad1' });
    fs.writeFileSync(path.join(store.dir('bad1'), 'volume.json'), '{"version":1,');
    fs.mkdirSync(path.join(root, 'volumes', '.trash-x-1234'));
    fs.mkdirSync(path.join(root, 'volumes', '.new-y-1234'));
    const again = new VolumeStore(root);
    expect(fs.readdirSync(path.join(root, 'volumes')).sort()).toEqual(['.lock', 'bad1', 'good']);
    const list = again.list();
    expect(list.map((e) => [e.kind, e.kind === 'ok' ? e.record.name : e.name])).toEqual([
      ['damaged', 'bad1'],
      ['ok', 'good'],
    ]);
    expect(code(() => again.get('bad1'))).toBe('VOLUME_UNREADABLE');
    await again.remove('bad1');
    expect(again.list()).toHaveLength(1);
  });
});
