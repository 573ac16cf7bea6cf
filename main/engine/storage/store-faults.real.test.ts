/**
 * Store fault injection, for real. A root helper is started with
 * BERTH_FAULT=<point> (storage/fault-points.ts), one operation is sent, and
 * the helper SIGKILLs itself at that point: between the steps of a load, a
 * pull (from Debian's docker-registry on loopback), a create, a record
 * commit during start, and a rename. A new helper on the same data root must
 * then start, list every container and image committed before, show nothing
 * half-written as good (staging and temp files swept, partial blobs not
 * listed, a crashed create as state `unreadable` that `rm` removes), and
 * every image it lists must be whole (manifest, config, layer dirs).
 *
 * Then ENOSPC for real: a data root on a small tmpfs, filled up: the write
 * fails with ENOSPC, the old record is byte for byte intact, no temp file is
 * left, and the helper keeps answering.
 *
 * Root only. Run alone, under the shared lock:
 *   flock /tmp/berth-root-tests.lock npx vitest run main/engine/storage/store-faults.real.test.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  cgroupDirsOf,
  killLeftovers,
  loadBusybox,
  startHelperOn,
  type HelperOn,
  removeHelperDirs,
} from '../../testing/container-helper';
import { tempDir } from '../../testing/helper-process';
import { registryToolsMissing, skopeoPushArchive, startTestRegistry, type TestRegistry } from '../../testing/registry';
import { dockerSaveParts, makeConfig, writeArchive } from '../../testing/oci/image-archive';
import { smallLayer } from '../../testing/store-helpers';
import { ImageStore } from '../images/store/store';
import { writeJsonAtomic } from './atomic-file';

const isRoot = process.getuid?.() === 0;
const missing = registryToolsMissing();

/** What must be true after the crash at `point`. */
interface Scenario {
  op: 'load' | 'pull' | 'create' | 'start' | 'rename';
  point: string;
  /** load/pull: the image is listed afterwards; create: the container is (good); rename: the new name holds. */
  committed: boolean;
  /** create: a container directory without a usable record is left (shown as unreadable). */
  unreadable?: boolean;
}

const LOAD_PULL_POINTS: Array<[string, boolean]> = [
  ['blob.partial', false],
  ['blob.before-rename', false],
  ['stage.layer', false],
  ['commit.begin', false],
  ['commit.blob-moved', false],
  ['commit.moved', false],
  ['atomic.written/layers.json', false],
  ['atomic.before-rename/layers.json', false],
  ['commit.layers-written', false],
  ['atomic.before-rename/index.json', false],
  ['atomic.renamed/index.json', true],
  ['commit.done', true],
];

const SCENARIOS: Scenario[] = [
  ...LOAD_PULL_POINTS.map(([point, committed]): Scenario => ({ op: 'load', point, committed })),
  // A pull streams layer blobs through the registry client straight into blobs/ (BlobStore.commit), and
  // the manifest and config are committed there too: its staging moves only unpacked layers.
  ...LOAD_PULL_POINTS.filter(([p]) => p !== 'blob.partial' && p !== 'commit.blob-moved').map(
    ([point, committed]): Scenario => ({
      op: 'pull',
      point,
      committed,
    }),
  ),
  { op: 'pull', point: 'pull.blob-downloaded', committed: false },
  { op: 'create', point: 'create.before-record', committed: false },
  { op: 'create', point: 'record.dir-made', committed: false, unreadable: true },
  { op: 'create', point: 'atomic.written/container.json', committed: false, unreadable: true },
  { op: 'create', point: 'atomic.before-rename/container.json', committed: false, unreadable: true },
  { op: 'create', point: 'atomic.renamed/container.json', committed: true },
  { op: 'start', point: 'atomic.written/container.json', committed: true },
  { op: 'start', point: 'atomic.before-rename/container.json', committed: true },
  { op: 'start', point: 'atomic.renamed/container.json', committed: true },
  { op: 'rename', point: 'atomic.written/container.json', committed: false },
  { op: 'rename', point: 'atomic.before-rename/container.json', committed: false },
  { op: 'rename', point: 'atomic.renamed/container.json', committed: true },
];

function exited(h: HelperOn): Promise<NodeJS.Signals | null> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return Promise.resolve(h.child.signalCode);
  return new Promise((resolve) => h.child.once('exit', (_code, sig) => resolve(sig)));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no end in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined && !missing)(
  'store fault injection (root)',
  { timeout: 900_000 },
  () => {
    const tag = Math.random().toString(16).slice(2, 8);
    const runDir = tempDir('berth-sf-run-');
    const dataRoot = tempDir('berth-sf-data-');
    const work = tempDir('berth-sf-work-');
    let reg: TestRegistry | null = null;
    let h: HelperOn | null = null;

    /** What was committed: it must be there after every later crash. */
    const images = new Set<string>(); // unique repo names
    const containers = new Map<string, string>(); // id → name
    const stats = {
      faults: 0,
      steps: new Set<string>(),
      recordsChecked: 0,
      unreadableRemoved: 0,
      lost: 0,
      leakedNow: { layerDirs: 0, blobs: 0 },
    };

    const cli = (args: string[]) => berthCli(h!.socketPath, args, { timeoutMs: 120_000 });
    const ok = (args: string[]) => berthOk(h!.socketPath, args);
    const ps = async (): Promise<ContainerSummaryT[]> =>
      JSON.parse(await ok(['call', 'containers.list', '{"all":true}'])) as ContainerSummaryT[];
    const imageLines = async (): Promise<Array<{ id: string; tags: string[] }>> =>
      (JSON.parse(await ok(['call', 'images.list'])) as Array<{ id: string; repoTags: string[] }>).map((i) => ({
        id: i.id,
        tags: i.repoTags,
      }));

    /** A small image of its own (two unique layers) as a docker-archive. */
    const archiveFor = async (name: string): Promise<string> => {
      const layers = [await smallLayer(`${name}-a`, 'gzip'), await smallLayer(`${name}-b`, 'none')];
      const file = path.join(work, `${name}.tar`);
      const parts = dockerSaveParts(layers, { tag: `faults/${name}:1`, config: makeConfig(layers) });
      await writeArchive(file, parts.members);
      return file;
    };

    beforeAll(async () => {
      reg = await startTestRegistry({ mode: 'anonymous' });
      h = await startHelperOn({ runDir, dataRoot });
      await loadBusybox(h.socketPath, work);
      images.add('busybox');
      // Two containers committed before any fault: one exited, one created.
      await ok(['run', '--network', 'none', '--name', `done-${tag}`, 'busybox', 'true']);
      await ok(['create', '--network', 'none', '--name', `idle-${tag}`, 'busybox', 'sleep', '1000']);
      for (const c of await ps()) containers.set(c.id, c.name);
      await h.stop();
      h = null;
    });

    afterAll(async () => {
      // The last scenario stops its helper: start one to remove the containers, or the cgroups a
      // start killed half-way made (kept while their container exists) outlive the data root.
      h ??= await startHelperOn({ runDir, dataRoot }).catch(() => null);
      if (h) {
        for (const c of await ps().catch(() => [])) await cli(['rm', '-f', c.id]).catch(() => undefined);
        await h.stop();
      }
      await reg?.stop();
      removeHelperDirs({ dataRoot, runDir });
      fs.rmSync(work, { recursive: true, force: true });
      process.stdout.write(
        `store faults: ${stats.faults} faults injected at ${stats.steps.size} steps; ` +
          `${stats.recordsChecked} records checked after them; ${stats.unreadableRemoved} unreadable records removed; ` +
          `${stats.lost} lost; unreferenced on disk at the end: ${stats.leakedNow.layerDirs} layer dirs, ` +
          `${stats.leakedNow.blobs} blobs\n`,
      );
    });

    /** Everything committed is listed and whole; nothing half-written is listed as good; no leftovers. */
    const verify = async (s: Scenario, subject: string): Promise<void> => {
      const list = await ps();
      stats.recordsChecked += list.length;
      for (const [id, name] of containers) {
        const c = list.find((x) => x.id === id);
        if (!c || c.state === 'unreadable') stats.lost++;
        expect(c, `container ${name} after ${s.op}@${s.point}`).toBeDefined();
        expect(c!.state).not.toBe('unreadable');
      }
      const fresh = list.filter((c) => !containers.has(c.id));
      for (const c of fresh) {
        if (c.state === 'unreadable') {
          expect(s.unreadable, `unreadable ${c.id} after ${s.op}@${s.point}`).toBe(true);
          expect(c.reason).toMatch(/container\.json/);
          const inspect = JSON.parse(await ok(['inspect', c.id])) as
            Array<{ error: string | null }> | { error: string };
          expect(JSON.stringify(inspect)).toContain('container.json');
          expect((await cli(['start', c.id])).stderr).toMatch(/is unreadable \(container\.json/);
          await ok(['rm', c.id]);
          stats.unreadableRemoved++;
        } else {
          expect(s.op === 'create' && s.committed, `new container ${c.name} after ${s.op}@${s.point}`).toBe(true);
          containers.set(c.id, c.name);
        }
      }
      if (s.unreadable) expect(fresh.some((c) => c.state === 'unreadable')).toBe(true);
      expect((await ps()).some((c) => c.state === 'unreadable')).toBe(false);

      const listed = await imageLines();
      stats.recordsChecked += listed.length;
      const has = (name: string) => listed.some((i) => i.tags.some((t) => t.includes(name)));
      for (const name of images) {
        if (!has(name)) stats.lost++;
        expect(has(name), `image ${name} after ${s.op}@${s.point}`).toBe(true);
      }
      if (s.op === 'load' || s.op === 'pull') {
        expect(has(subject), `image ${subject} after ${s.op}@${s.point}`).toBe(s.committed);
        if (s.committed) images.add(subject);
      }
      // Every listed image is whole: manifest and config match their digests, every layer dir is there.
      const store = await ImageStore.open({ dataRoot });
      for (const img of await store.list()) {
        for (const d of store.lowerDirsOf(img)) expect(fs.existsSync(d), `${d} of ${img.id}`).toBe(true);
      }
      // Leaked (not listed, not lost, only disk): layer dirs and blobs no listed image references,
      // left by a crash between moving them into place and writing index.json. Measured, not swept.
      const imgs = await store.list();
      const usedDirs = new Set(imgs.flatMap((img) => store.lowerDirsOf(img).map((d) => path.basename(d))));
      const usedBlobs = new Set(
        imgs.flatMap((img) => [img.manifestDigest, img.id, ...img.manifest.layers.map((l) => l.digest)]),
      );
      stats.leakedNow = {
        layerDirs: fs.readdirSync(store.layersRoot).filter((n) => /^[0-9a-f]{64}$/.test(n) && !usedDirs.has(n)).length,
        blobs: fs.readdirSync(store.blobsDir).filter((n) => /^[0-9a-f]{64}$/.test(n) && !usedBlobs.has(`sha256:${n}`))
          .length,
      };
      expect(stats.leakedNow, `unreferenced layer dirs/blobs after ${s.op}@${s.point}`).toEqual({
        layerDirs: 0,
        blobs: 0,
      });
      // Swept: no staging dir, temp file or half-extracted layer; partial downloads stay but are never listed.
      const leftovers = [
        ...fs.readdirSync(store.ingestDir).filter((n) => !n.endsWith('.partial')),
        ...fs.readdirSync(store.blobsDir).filter((n) => n.endsWith('.tmp')),
        ...fs.readdirSync(store.layersRoot).filter((n) => n.startsWith('.')),
        ...fs.readdirSync(store.root).filter((n) => n.endsWith('.tmp')),
        ...fs
          .readdirSync(path.join(dataRoot, 'c'))
          .flatMap((id) => fs.readdirSync(path.join(dataRoot, 'c', id)).filter((n) => n.endsWith('.tmp'))),
      ];
      expect(leftovers, `leftovers after ${s.op}@${s.point}`).toEqual([]);
    };

    it.each(SCENARIOS.map((s, i) => [`${s.op} @ ${s.point}`, s, i] as const))(
      'kill -9 during %s: the next helper lists what was committed and nothing half-written',
      async (_label, s, i) => {
        const subject = `${s.op}-${i}-${tag}`;
        let target = '';
        // Prepare what the operation needs, with a helper that has no fault armed.
        if (s.op === 'load') target = await archiveFor(subject);
        if (s.op === 'pull') {
          target = `${reg!.host}/faults/${subject}:1`;
          await skopeoPushArchive(await archiveFor(subject), target);
        }
        let id = '';
        if (s.op === 'start' || s.op === 'rename') {
          h = await startHelperOn({ runDir, dataRoot });
          const out = await ok(['create', '--network', 'none', '--name', subject, 'busybox', 'sleep', '1000']);
          id = out.trim().split('\n').pop()!;
          containers.set((await ps()).find((c) => c.name === subject)!.id, subject);
          await h.stop();
        }

        h = await startHelperOn({ runDir, dataRoot, env: { BERTH_FAULT: s.point } });
        await ps(); // the engine is up (boot re-adoption done) before the operation
        const died = exited(h);
        const op =
          s.op === 'load'
            ? cli(['load', '-i', target])
            : s.op === 'pull'
              ? cli(['pull', target])
              : s.op === 'create'
                ? cli(['create', '--network', 'none', '--name', subject, 'busybox', 'sleep', '1000'])
                : s.op === 'start'
                  ? cli(['start', subject])
                  : cli(['rename', subject, `${subject}-renamed`]);
        expect(await withTimeout(died, 60_000, `helper death at ${s.point}`)).toBe('SIGKILL');
        expect(h.stderr()).toContain(`fault point ${s.point}`);
        const answer = await op;
        expect(answer.code).not.toBe(0);
        stats.faults++;
        stats.steps.add(`${s.op}@${s.point}`);

        h = await startHelperOn({ runDir, dataRoot });
        await verify(s, subject);
        if (s.op === 'rename') {
          const c = (await ps()).find((x) => x.id === id || x.name.startsWith(subject))!;
          expect(c.name).toBe(s.committed ? `${subject}-renamed` : subject);
          containers.set(c.id, c.name);
        }
        if (s.op === 'start') {
          // Whatever the crash left running is this container's own: force-removing it is clean.
          const c = (await ps()).find((x) => x.name === subject)!;
          await ok(['rm', '-f', c.id]);
          containers.delete(c.id);
          // ...and leaves none of the groups a start cut short may have made (no record names them).
          expect(cgroupDirsOf(c.id)).toEqual([]);
        }
        await h.stop();
        h = null;
      },
    );
  },
);

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)(
  'ENOSPC on a full data root (root, tmpfs)',
  { timeout: 300_000 },
  () => {
    const mnt = tempDir('berth-enospc-');
    const runDir = tempDir('berth-enospc-run-');
    const work = tempDir('berth-enospc-work-');
    const dataRoot = path.join(mnt, 'data');
    let h: HelperOn | null = null;

    beforeAll(() => {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0711', 'tmpfs', mnt]);
    });

    afterAll(async () => {
      await h?.stop();
      killLeftovers(dataRoot);
      execFileSync('umount', ['-l', mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
      fs.rmSync(runDir, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    });

    /** Fills the filesystem until write(2) says ENOSPC; returns the filler's path. */
    const fill = (leave = 0): string => {
      const filler = path.join(mnt, `filler-${Math.random().toString(16).slice(2)}`);
      const fd = fs.openSync(filler, 'w');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) {
          const free = fs.statfsSync(mnt).bavail * fs.statfsSync(mnt).bsize;
          if (free <= leave) break;
          fs.writeSync(fd, block, 0, Math.min(block.length, free - leave));
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
      return filler;
    };

    it('a record write on a full disk fails with ENOSPC and leaves the old record intact (direct)', () => {
      const dir = path.join(mnt, 'direct');
      fs.mkdirSync(dir);
      const file = path.join(dir, 'container.json');
      writeJsonAtomic(file, { version: 1, pad: 'a'.repeat(1000) });
      const before = fs.readFileSync(file);
      // A few KiB left: the new, larger record starts to go in, then runs out (a short write).
      const filler = fill(8 * 1024);
      let code = 'none';
      try {
        writeJsonAtomic(file, { version: 2, pad: 'b'.repeat(512 * 1024) });
      } catch (err) {
        code = (err as NodeJS.ErrnoException).code ?? 'no code';
      }
      expect(code).toBe('ENOSPC');
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['container.json']);
      fs.rmSync(filler);
    });

    it('through the helper: rename and load answer ENOSPC, records and images stay, and it works again once space is back', async () => {
      // No free-space margin: this test wants the disk itself to say ENOSPC (the margin's NO_SPACE is tested with the archive caps).
      h = await startHelperOn({ runDir, dataRoot, args: ['--min-free-space', '0'] });
      await loadBusybox(h.socketPath, work);
      await berthOk(h.socketPath, ['create', '--network', 'none', '--name', 'keep', 'busybox', 'true']);
      const [c] = JSON.parse(
        await berthOk(h.socketPath, ['call', 'containers.list', '{"all":true}']),
      ) as ContainerSummaryT[];
      const recordFile = path.join(dataRoot, 'c', c!.id, 'container.json');
      const before = fs.readFileSync(recordFile);
      const imagesBefore = await berthOk(h.socketPath, ['call', 'images.list']);
      const archive = path.join(work, 'other.tar');
      const layers = [await smallLayer('enospc-x', 'none')];
      await writeArchive(
        archive,
        dockerSaveParts(layers, { tag: 'faults/enospc:1', config: makeConfig(layers) }).members,
      );

      const filler = fill();
      const renamed = await berthCli(h.socketPath, ['rename', 'keep', 'kept-'.padEnd(60, 'x')]);
      expect(renamed.code).not.toBe(0);
      expect(renamed.stderr).toMatch(/ENOSPC/);
      expect(fs.readFileSync(recordFile).equals(before)).toBe(true);
      expect(fs.readdirSync(path.dirname(recordFile)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      const loaded = await berthCli(h.socketPath, ['load', '-i', archive]);
      expect(loaded.code).not.toBe(0);
      // The upload announces its size: a full disk is refused up front (NO_SPACE) or by the write itself (ENOSPC).
      expect(loaded.stderr).toMatch(/ENOSPC|NO_SPACE/);
      // Still answering, nothing lost, nothing half-written listed.
      expect(await berthOk(h.socketPath, ['call', 'images.list'])).toBe(imagesBefore);
      const after = JSON.parse(
        await berthOk(h.socketPath, ['call', 'containers.list', '{"all":true}']),
      ) as ContainerSummaryT[];
      expect(after.map((x) => [x.id, x.name, x.state])).toEqual([[c!.id, 'keep', c!.state]]);

      fs.rmSync(filler);
      await berthOk(h.socketPath, ['rename', 'keep', 'kept']);
      await berthOk(h.socketPath, ['load', '-i', archive]);
      expect(await berthOk(h.socketPath, ['images'])).toContain('faults/enospc');
      await berthOk(h.socketPath, ['rm', 'kept']);
    });
  },
);
