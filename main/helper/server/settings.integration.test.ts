/**
 * The helper's settings reach the engine: archive caps from a root-owned
 * config file (and flags over it) decide what `berth load` accepts; a config
 * file others may write stops the helper before it serves anyone.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthCli, startHelperOn } from '../../testing/container-helper';
import { HELPER_JS, isRoot, tempDir } from '../../testing/helper-process';
import { BUSYBOX, writeBusyboxSave } from '../../testing/oci/two-layer-busybox';

describe.runIf(isRoot && BUSYBOX !== undefined)('helper settings (root)', { timeout: 120_000 }, () => {
  let work = '';
  let tarFile = '';
  beforeAll(async () => {
    work = tempDir('berth-settings-it-');
    tarFile = path.join(work, 'busybox.tar');
    await writeBusyboxSave(tarFile);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const config = (name: string, body: unknown, mode = 0o644): string => {
    const f = path.join(work, name);
    fs.writeFileSync(f, JSON.stringify(body));
    fs.chmodSync(f, mode);
    return f;
  };

  it('a layer cap from the config file refuses the load (LAYER_TOO_LARGE, nothing stored); a flag lifts it', async () => {
    const file = config('small.json', { archive: { layerBytes: 4096 } });
    const runDir = path.join(work, 'run');
    const dataRoot = path.join(work, 'data');
    let h = await startHelperOn({ runDir, dataRoot, args: ['--config', file] });
    try {
      const r = await berthCli(h.socketPath, ['load', '-i', tarFile]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('LAYER_TOO_LARGE');
      expect((await berthCli(h.socketPath, ['images', '-q'])).stdout.trim()).toBe('');
      expect(fs.readdirSync(path.join(dataRoot, 'images', 'ingest'))).toEqual([]);
      expect(h.stderr()).toContain(`(from ${file})`);
    } finally {
      await h.stop();
    }
    h = await startHelperOn({ runDir, dataRoot, args: ['--config', file, '--archive-max-layer', String(1024 ** 3)] });
    try {
      const r = await berthCli(h.socketPath, ['load', '-i', tarFile]);
      expect(r.code, r.stderr).toBe(0);
      expect((await berthCli(h.socketPath, ['images', '-q'])).stdout.trim()).not.toBe('');
    } finally {
      await h.stop();
    }
  });

  it('a config file others may write: the helper refuses to start (CONFIG_UNSAFE)', () => {
    const file = config('unsafe.json', { sessionIdleSeconds: 1 }, 0o666);
    const r = spawnSync(
      process.execPath,
      [
        HELPER_JS,
        '--foreground',
        '--run-dir',
        path.join(work, 'run2'),
        '--data-root',
        path.join(work, 'data2'),
        '--config',
        file,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CONFIG_UNSAFE');
    expect(fs.existsSync(path.join(work, 'run2', 'helper.sock'))).toBe(false);
  });
});
