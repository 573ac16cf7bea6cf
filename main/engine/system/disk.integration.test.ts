/**
 * `system df` and the prunes for real, as root: a private helper with
 * busybox, two extra images (one left dangling), running, stopped and created
 * containers and volumes in and out of use. Every figure is checked against
 * GNU du on the helper's data root, and every prune against its plan.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiskUsageT, PrunePlanT, PruneResultT } from '../../../preload/schemas/disk';
import type { ImageSummaryT } from '../../../preload/schemas/images';
import type { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  openContainerSuite,
  randomTag,
  testBridge,
  type ContainerSuite,
} from '../../testing/container-helper';
import { dockerSaveParts, makeLayer, writeArchive } from '../../testing/oci/image-archive';

const isRoot = process.getuid?.() === 0;

/** GNU du: bytes in blocks, each inode once over all the paths. */
function du(paths: string[]): number {
  if (paths.length === 0) return 0;
  const out = execFileSync('du', ['-s', '-c', '-B1', ...paths], { encoding: 'utf8' });
  return Number(/^(\d+)\s+total$/m.exec(out)![1]);
}

const hex = (d: string): string => d.replace(/^sha256:/, '');

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('disk usage and prune (root)', { timeout: 240_000 }, () => {
  const tag = randomTag();
  let suite: ContainerSuite;
  let rpc: RpcClient;
  let sock = '';
  let dataRoot = '';
  const ids: Record<string, string> = {};
  let extra1 = '';
  let extra2 = '';
  const ok = (...args: string[]) => berthOk(sock, args);
  const usage = async (): Promise<Record<string, DiskUsageT>> =>
    Object.fromEntries(((await rpc.call('disk.usage', {})) as DiskUsageT[]).map((u) => [u.kind, u]));
  const plan = async (kinds: string[], all = false): Promise<Record<string, PrunePlanT['items']>> =>
    Object.fromEntries(((await rpc.call('disk.plan', { kinds, all })) as PrunePlanT[]).map((p) => [p.kind, p.items]));
  const blob = (d: string): string => path.join(dataRoot, 'images', 'blobs', 'sha256', hex(d));
  /** The files an image keeps: manifest, config and layer blobs, unpacked layer dirs (by chain id). */
  const filesOf = (img: ImageSummaryT): string[] => {
    const manifest = JSON.parse(fs.readFileSync(blob(img.digest), 'utf8')) as {
      config: { digest: string };
      layers: Array<{ digest: string }>;
    };
    const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8')) as {
      rootfs: { diff_ids: string[] };
    };
    let chain = '';
    const chains = config.rootfs.diff_ids.map((d) => {
      chain = chain ? 'sha256:' + createHash('sha256').update(`${chain} ${d}`).digest('hex') : d;
      return path.join(dataRoot, 'layers', hex(chain));
    });
    return [blob(img.digest), blob(manifest.config.digest), ...manifest.layers.map((l) => blob(l.digest)), ...chains];
  };
  const images = async (): Promise<ImageSummaryT[]> => (await rpc.call('images.list', {})) as ImageSummaryT[];

  async function loadExtra(n: number): Promise<string> {
    const layer = await makeLayer([
      { path: 'extra', type: 'dir', mode: 0o755 },
      { path: `extra/${n}.bin`, body: randomBytes(300_000 + n * 1000), mode: 0o644 },
    ]);
    const parts = dockerSaveParts([layer], { tag: `berth/extra-${tag}:1` });
    const file = path.join(suite.work, `extra${n}.tar`);
    await writeArchive(file, parts.members);
    await ok('load', '-i', file);
    return parts.configDigest;
  }

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge: testBridge('bd', 233), workPrefix: 'berth-disk-it-' });
    rpc = suite.rpc;
    sock = suite.helper.socketPath;
    dataRoot = suite.helper.dataRoot;
    extra1 = await loadExtra(1);
    extra2 = await loadExtra(2); // takes the tag: extra1 is left dangling
    const run = async (k: string, ...args: string[]): Promise<void> => {
      ids[k] = (await ok(...args)).trim();
    };
    await run('running', 'run', '-d', '--network', 'none', '-v', `used-${tag}:/data`, 'busybox', 'sleep', '600');
    await run('exited', 'run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'head -c 200000 /dev/urandom > /big');
    await run('created', 'create', '--network', 'none', 'busybox', 'sleep', '600');
    await ok('volume', 'create', `free-${tag}`);
    fs.writeFileSync(path.join(dataRoot, 'volumes', `free-${tag}`, '_data', 'payload'), randomBytes(1_000_000));
    await ok('volume', 'create', `kept-${tag}`);
    for (let i = 0; i < 200; i++) {
      const d = (await rpc.call('containers.inspect', { id: ids.exited })) as { state: string };
      if (d.state === 'exited') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await suite?.close();
  });

  it('df: each size and reclaimable figure is what du finds on disk', async () => {
    const u = await usage();
    expect(Object.keys(u).sort()).toEqual(['build-cache', 'containers', 'images', 'volumes']);
    // No build ran on this data root: an empty cache, measured as such.
    expect(u['build-cache']).toMatchObject({ count: 0, active: 0, sizeBytes: 0, reclaimableBytes: 0 });
    // Containers: their directories; reclaimable = the stopped ones'.
    const cdir = (id: string): string => path.join(dataRoot, 'c', id);
    expect(u.containers).toMatchObject({ count: 3, active: 1 });
    expect(u.containers!.sizeBytes).toBe(du(Object.values(ids).map(cdir)));
    expect(u.containers!.reclaimableBytes).toBe(du([cdir(ids.exited!), cdir(ids.created!)]));
    expect(u.containers!.reclaimableBytes).toBeGreaterThan(200_000); // the exited one's /big in its upper dir
    // Volumes: their directories; the one a container mounts is not reclaimable.
    const vols = fs.readdirSync(path.join(dataRoot, 'volumes')).filter((n) => !n.startsWith('.'));
    expect(vols.sort()).toEqual([`free-${tag}`, `kept-${tag}`, `used-${tag}`].sort());
    const vdir = (n: string): string => path.join(dataRoot, 'volumes', n);
    expect(u.volumes).toMatchObject({ count: 3, active: 1 });
    expect(u.volumes!.sizeBytes).toBe(du(vols.map(vdir)));
    expect(u.volumes!.reclaimableBytes).toBe(du([vdir(`free-${tag}`), vdir(`kept-${tag}`)]));
    // Images: every blob and unpacked layer of the store (no orphans), shared ones once;
    // reclaimable = all but what busybox (in use) keeps.
    const all = await images();
    expect(all.map((i) => i.id).sort()).toEqual(
      [extra1, extra2, all.find((i) => i.repoTags.includes('busybox:latest'))!.id].sort(),
    );
    const onDisk = [
      ...fs.readdirSync(path.join(dataRoot, 'images', 'blobs', 'sha256')).map((n) => blob(n)),
      ...fs
        .readdirSync(path.join(dataRoot, 'layers'))
        .filter((n) => /^[0-9a-f]{64}$/.test(n))
        .map((n) => path.join(dataRoot, 'layers', n)),
    ];
    expect(new Set(all.flatMap(filesOf))).toEqual(new Set(onDisk));
    expect(u.images).toMatchObject({ count: 3, active: 1 });
    expect(u.images!.sizeBytes).toBe(du(onDisk));
    const busybox = all.find((i) => i.repoTags.includes('busybox:latest'))!;
    expect(u.images!.reclaimableBytes).toBe(u.images!.sizeBytes - du(filesOf(busybox)));
    // The CLI prints the same figures.
    const json = (await ok('system', 'df', '--format', 'json'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json.map((r) => r.Type)).toEqual(['Containers', 'Images', 'Local Volumes', 'Build Cache']);
    expect(json[1]).toMatchObject({ TotalCount: '3', Active: '1', SizeBytes: u.images!.sizeBytes });
    expect(await ok('system', 'df')).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nContainers\s+3\s+1\s/);
  });

  it('plans list exactly what nothing uses; a prune removes exactly its plan', async () => {
    const p = await plan(['containers', 'images', 'volumes']);
    expect(p.containers!.map((i) => i.id).sort()).toEqual([ids.exited, ids.created].sort());
    expect(p.images!.map((i) => i.id)).toEqual([extra1]); // dangling only, without all
    expect(p.volumes).toEqual([]); // only anonymous ones without all
    const pa = await plan(['images', 'volumes'], true);
    expect(pa.images!.map((i) => i.id).sort()).toEqual([extra1, extra2].sort());
    expect(pa.volumes!.map((i) => i.id).sort()).toEqual([`free-${tag}`, `kept-${tag}`].sort());
    // An item's size is what removing it frees: du of its own files.
    const e1 = (await images()).find((i) => i.id === extra1)!;
    expect(pa.images!.find((i) => i.id === extra1)!.sizeBytes).toBe(du(filesOf(e1)));

    // image prune (dangling) through the CLI: it lists, then removes the same.
    const out = await ok('image', 'prune', '-f');
    expect(out).toContain('Images to remove: 1');
    expect(out).toContain(`Deleted Images:\n${extra1}\n`);
    expect((await images()).map((i) => i.id)).not.toContain(extra1);
    expect((await images()).map((i) => i.id)).toContain(extra2);

    // A prune never takes what came into use since its plan (started: now running).
    const cp = await plan(['containers']);
    await ok('start', ids.created!);
    const res = (await rpc.call('disk.prune', {
      items: [{ kind: 'containers', ids: cp.containers!.map((i) => i.id) }],
    })) as PruneResultT[];
    expect(res[0]!.removed).toEqual([ids.exited]);
    expect(res[0]!.reclaimedBytes).toBe(cp.containers!.find((i) => i.id === ids.exited)!.sizeBytes);
    const left = (await ok('ps', '-a', '-q')).split('\n').filter(Boolean);
    expect(left.sort()).toEqual([ids.running!.slice(0, 12), ids.created!.slice(0, 12)].sort());
  });

  it('system prune -a --volumes: a plan that sees through the containers it removes', async () => {
    // A stopped container is the only user of extra2 and of a volume: both go with it.
    const d = (await ok('create', '--network', 'none', '-v', `only-${tag}:/x`, `berth/extra-${tag}:1`)).trim();
    await ok('kill', ids.created!);
    for (let i = 0; i < 200; i++) {
      const s = (await rpc.call('containers.inspect', { id: ids.created })) as { state: string };
      if (s.state === 'exited') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const p = await plan(['containers', 'images', 'volumes'], true);
    expect(p.containers!.map((i) => i.id).sort()).toEqual([d, ids.created].sort());
    expect(p.images!.map((i) => i.id)).toEqual([extra2]);
    expect(p.volumes!.map((i) => i.id).sort()).toEqual([`free-${tag}`, `kept-${tag}`, `only-${tag}`].sort());
    const refused = await berthCli(sock, ['system', 'prune', '-a', '--volumes'], { input: 'n\n' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`only-${tag}`);
    expect((await ok('ps', '-a', '-q')).split('\n').filter(Boolean)).toHaveLength(3);
    const out = await berthOk(sock, ['system', 'prune', '-a', '--volumes'], { input: 'y\n' });
    expect(out).toContain('Deleted Containers:');
    expect(out).toMatch(/Total reclaimed space: /);
    // Left: the running container, its image and its volume.
    expect((await ok('ps', '-a', '-q')).trim()).toBe(ids.running!.slice(0, 12));
    expect((await images()).map((i) => i.repoTags).flat()).toEqual(['busybox:latest']);
    expect((await ok('volume', 'ls', '-q')).trim()).toBe(`used-${tag}`);
    const u = await usage();
    expect(u.containers).toMatchObject({ count: 1, active: 1, reclaimableBytes: 0 });
    expect(u.images).toMatchObject({ count: 1, active: 1, reclaimableBytes: 0 });
    expect(u.volumes).toMatchObject({ count: 1, active: 1, reclaimableBytes: 0 });
  });
});
