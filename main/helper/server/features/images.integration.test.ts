/**
 * Images end to end, as root: a real helper in temp dirs, the built `berth`
 * CLI talking to it (main-side upload/download through the ingest/export
 * sessions), the events it broadcasts, and the RPC-level checks of ingest.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../../client/rpc-client';
import { CLI_JS, isRoot, startTestHelper, tempDir, type TestHelper } from '../../../testing/helper-process';
import { BUSYBOX, writeBusyboxSave } from '../../../testing/oci/two-layer-busybox';
import { writeArchive, type ImageParts } from '../../../testing/oci/image-archive';

const run = promisify(execFile);

describe.runIf(isRoot && BUSYBOX !== undefined)('images through the helper and the CLI (root)', () => {
  let h: TestHelper;
  let work = '';
  let tarFile = '';
  let parts: ImageParts;
  let env: NodeJS.ProcessEnv;
  const berth = (...args: string[]) =>
    run(process.execPath, [CLI_JS, ...args, '--no-start'], { env, maxBuffer: 64 * 1024 * 1024 });

  beforeAll(async () => {
    h = await startTestHelper();
    work = tempDir('berth-images-e2e-');
    tarFile = path.join(work, 'busybox.tar');
    parts = await writeBusyboxSave(tarFile);
    env = { ...process.env, BERTH_HELPER_SOCKET: h.socketPath };
  });
  afterAll(async () => {
    await h?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('load, images, layers, history, tag, save, rmi, load again', async () => {
    const events = await RpcClient.connect(h.socketPath);
    const seen: Array<{ name: string; payload: { reason?: string; phase?: string } }> = [];
    events.on('notification', (method, params) => {
      if (method === 'event') seen.push(params as (typeof seen)[number]);
    });

    const loaded = await berth('load', '-i', tarFile);
    expect(loaded.stdout).toBe('Loaded image: busybox:latest\n');

    const list = (await berth('images', '--format', 'json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    // docker's field names, one object per line.
    expect(list).toEqual([
      expect.objectContaining({
        ID: parts.configDigest.replace('sha256:', '').slice(0, 12),
        Repository: 'busybox',
        Tag: 'latest',
        CreatedAt: '2024-01-01 00:00:00 +0000 UTC',
      }),
    ]);
    expect(list[0]?.Size).toMatch(/^\d+(\.\d)? MiB$/);
    expect((await berth('images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}')).stdout).toBe(
      `${parts.configDigest} busybox:latest\n`,
    );
    expect((await berth('images')).stdout).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/);

    // The store is where the docs say, in OCI layout, with layers unpacked by chain ID.
    const inspect = JSON.parse((await berth('call', 'images.inspect', '{"ref":"busybox"}')).stdout) as {
      lowerDirs: string[];
      paths: { store: string; layers: string };
    };
    expect(inspect.paths.store).toBe(path.join(h.dataRoot, 'images'));
    expect(inspect.lowerDirs.every((d) => d.startsWith(path.join(h.dataRoot, 'layers') + '/'))).toBe(true);
    expect(fs.existsSync(path.join(inspect.lowerDirs[1] as string, 'bin/busybox'))).toBe(true);
    expect(fs.readdirSync(path.join(h.dataRoot, 'images', 'ingest'))).toEqual([]);

    // A file is analysed in the CLI process itself: no helper needed.
    const noHelper = { ...env, BERTH_HELPER_SOCKET: path.join(work, 'nothing-here.sock') };
    const fileAnalysis = JSON.parse(
      (
        await run(process.execPath, [CLI_JS, 'layers', tarFile, '--format', 'json', '--no-start'], {
          env: noHelper,
          maxBuffer: 64 * 1024 * 1024,
        })
      ).stdout,
    ) as { format: string; layers: Array<{ changes: unknown[] }>; efficiency: number; deadBytes: number };
    expect(fileAnalysis.format).toBe('docker-save');
    // The CLI prints change objects, not the wire's packed columns.
    expect(fileAnalysis.layers.every((l) => Array.isArray(l.changes))).toBe(true);
    expect(fileAnalysis.layers[0]?.changes[0]).toMatchObject({
      path: expect.stringMatching(/^\//),
      type: expect.any(String),
      change: 'added',
      linkname: expect.any(String),
    });
    const storeAnalysis = JSON.parse(
      (await berth('layers', 'busybox', '--format', 'json')).stdout,
    ) as typeof fileAnalysis;
    expect(storeAnalysis.format).toBe('store');
    expect(storeAnalysis.layers.map((l) => l.changes)).toEqual(fileAnalysis.layers.map((l) => l.changes));
    const human = (await berth('layers', 'busybox')).stdout;
    expect(human).toContain('ADD busybox-rootfs.tar /');
    expect(human).toMatch(/Image efficiency score: [\d.]+ %/);
    expect(human).toMatch(/Potential wasted space: /);
    expect(human).toMatch(/Dead bytes \(stored, unreachable in the final image\): /);
    expect(storeAnalysis.deadBytes).toBe(fileAnalysis.deadBytes);

    const history = (await berth('history', 'busybox')).stdout;
    expect(history.split('\n')[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT/);
    expect(history).toContain('<missing>');

    await berth('tag', 'busybox', 'example.com/team/bb:1');
    const out = path.join(work, 'saved.tar');
    await berth('save', '-o', out, 'example.com/team/bb:1', 'busybox');
    expect(fs.statSync(out).size).toBeGreaterThan(1_000_000);
    expect(fs.readdirSync(work).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const rmi = await berth('rmi', 'busybox', 'example.com/team/bb:1');
    expect(rmi.stdout).toBe(
      `Untagged: busybox:latest\nUntagged: example.com/team/bb:1\nDeleted: ${parts.configDigest}\n`,
    );
    expect((await berth('images', '--format', 'json')).stdout).toBe('');
    expect(fs.readdirSync(path.join(h.dataRoot, 'layers'))).toEqual(['layers.json']);
    await expect(berth('rmi', 'busybox')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Error IMAGE_NOT_FOUND'),
    });

    const again = await berth('load', '-i', out);
    expect(again.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'Loaded image: busybox:latest',
      'Loaded image: example.com/team/bb:1',
    ]);
    const ids = (await berth('images', '-q', '--no-trunc')).stdout.trim().split('\n');
    expect(ids).toEqual([parts.configDigest]); // the image ID survived load → save → load

    await expect(berth('load', '-i', path.join(work, 'missing.tar'))).rejects.toMatchObject({
      stderr: expect.stringContaining('Error ENOENT'),
    });
    // A broken archive is refused by the helper with its code; nothing is left in ingest/.
    const bad = path.join(work, 'bad.tar');
    await writeArchive(bad, [{ path: 'manifest.json', body: '[{"Config": ' }]);
    await expect(berth('load', '-i', bad)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Error MANIFEST_INVALID'),
    });
    expect(fs.readdirSync(path.join(h.dataRoot, 'images', 'ingest'))).toEqual([]);
    events.close();
    const reasons = seen.filter((e) => e.name === 'images.changed').map((e) => e.payload.reason);
    expect(reasons).toEqual(['load', 'tag', 'remove', 'remove', 'load']);
    const phases = new Set(seen.filter((e) => e.name === 'images.progress').map((e) => e.payload.phase));
    expect(phases).toEqual(new Set(['verify', 'unpack', 'done', 'error']));
  });

  it('the helper checks ingest offsets, chunk sizes and ownership itself', async () => {
    const a = await RpcClient.connect(h.socketPath);
    const b = await RpcClient.connect(h.socketPath);
    try {
      const { ingestId } = (await a.call('images.ingest.begin', { size: 10 })) as { ingestId: string };
      await expect(
        a.call('images.ingest.chunk', { ingestId, offset: 3, data: Buffer.from('abc').toString('base64') }),
      ).rejects.toMatchObject({ code: 'INGEST_OFFSET', details: { expected: 0, offset: 3 } });
      await expect(
        b.call('images.ingest.chunk', { ingestId, offset: 0, data: Buffer.from('abc').toString('base64') }),
      ).rejects.toMatchObject({ code: 'INGEST_NOT_FOUND' });
      await expect(a.call('images.ingest.chunk', { ingestId, offset: 0, data: 'not base64!' })).rejects.toMatchObject({
        code: 'BAD_PARAMS',
      });
      await expect(
        a.call('images.ingest.chunk', { ingestId, offset: 0, data: 'A'.repeat(5_600_000) }),
      ).rejects.toMatchObject({ code: 'BAD_PARAMS' });
      expect(
        await a.call('images.ingest.chunk', { ingestId, offset: 0, data: Buffer.from('abc').toString('base64') }),
      ).toEqual({ received: 3 });
      await expect(a.call('images.ingest.commit', { ingestId })).rejects.toMatchObject({ code: 'INGEST_INCOMPLETE' });
      // A connection that goes away takes its uploads with it.
      await a.call('images.ingest.begin', {});
      const ingestDir = path.join(h.dataRoot, 'images', 'ingest');
      expect(fs.readdirSync(ingestDir)).toHaveLength(1);
      a.close();
      for (let i = 0; i < 50 && fs.readdirSync(ingestDir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(fs.readdirSync(ingestDir)).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });
});
