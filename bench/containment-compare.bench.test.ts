/**
 * The containment suite side by side: every attempt of
 * main/testing/containment/attempts.ts in a default container of Berth and of
 * podman (and, with CONTAINMENT_PRIVILEGED=1, in a --privileged one of each),
 * printed as one table: attempt, Berth's errno, podman's errno (root):
 *
 *   npx vitest run -c bench/vitest.bench.config.ts containment-compare
 *   (or scripts/containment-compare.sh)
 *
 *   berth    `berth run --rm --network none -v PROBE:/probe:ro busybox /probe/probe …`
 *            against a helper of this checkout on its own bridge and table
 *   podman   `podman run --rm --runtime runc --ulimit nofile=1024:1024
 *            --ulimit nproc=1024:1024 --network none …` of the same busybox
 *            image (loaded from the same docker-archive), private --root
 *
 * The loopback probe runs in a bridge container of each engine (podman's
 * default network) while the host listens on 127.0.0.1. It asserts nothing
 * about podman; the containment integration test asserts Berth's outcomes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { attempts, expectedOutcome, hostRunnable, type Attempt } from '../main/testing/containment/attempts';
import {
  LoopbackListener,
  berthEngine,
  buildProbe,
  makeHostFacts,
  podmanAvailable,
  podmanEngine,
  podmanLoad,
  runAttempts,
  runProbeOnHost,
  type Engine,
  type Outcome,
} from '../main/testing/containment/runner';
import { BUSYBOX_BIN, writeBusyboxImage } from '../main/testing/busybox-image';
import { openContainerSuite, testBridge, type ContainerSuite } from '../main/testing/container-helper';
import { tempDir } from '../main/testing/helper-process';

const isRoot = process.getuid?.() === 0;
const withPrivileged = process.env.CONTAINMENT_PRIVILEGED === '1';
const skipBerth = process.env.CONTAINMENT_SKIP_BERTH === '1';

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('containment: berth vs podman', () => {
  const work = tempDir('berth-containment-');
  const probeDir = path.join(work, 'probe');
  const podmanDir = path.join(work, 'podman');
  const podmanBase = [
    '--root',
    path.join(podmanDir, 'root'),
    '--runroot',
    path.join(podmanDir, 'runroot'),
    '--tmpdir',
    path.join(podmanDir, 'tmp'),
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
  ];
  const facts = makeHostFacts();
  let list: Attempt[] = [];
  let suite: ContainerSuite | undefined;
  const engines: Array<{ engine: Engine; skip?: string }> = [];

  beforeAll(async () => {
    facts.plant();
    fs.mkdirSync(probeDir, { mode: 0o755 });
    buildProbe(probeDir);
    list = attempts(facts);
    const tar = path.join(work, 'busybox.tar');
    await writeBusyboxImage(tar);
    if (!skipBerth) {
      suite = await openContainerSuite({ bridge: testBridge('bcc', 251), workPrefix: 'berth-containment-berth-' });
      engines.push({ engine: berthEngine(suite.helper.socketPath) });
    }
    if (!podmanAvailable()) engines.push({ engine: podmanEngine(''), skip: 'podman is not installed' });
    else {
      fs.mkdirSync(podmanDir);
      let skip: string | undefined = 'podman could not load the image';
      let engine = podmanEngine('');
      for (const driver of ['overlay', 'vfs']) {
        try {
          const base = [...podmanBase, '--storage-driver', driver];
          engine = podmanEngine(podmanLoad(tar, base), base);
          await engine.run({ probeDir, specs: ['uname'], privileged: false, bridge: false });
          skip = undefined;
          break;
        } catch (err) {
          skip = `podman run failed: ${(err as Error).message.split('\n')[0]}`;
        }
      }
      engines.push({ engine, ...(skip ? { skip } : {}) });
    }
  });

  afterAll(async () => {
    await suite?.close();
    facts.dispose();
    spawnSync('podman', [...podmanBase, 'system', 'reset', '--force'], { stdio: 'ignore' });
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(work))
      .sort()
      .reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('prints attempt, berth errno, podman errno', { timeout: 600_000 }, async () => {
    const onHost = runProbeOnHost(
      path.join(probeDir, 'probe'),
      hostRunnable(list).map((a) => a.spec),
    );
    const modes: Array<'default' | 'privileged'> = withPrivileged ? ['default', 'privileged'] : ['default'];
    for (const mode of modes) {
      const columns: Array<{ name: string; results: Map<string, Outcome> | null; note?: string }> = [];
      let rows: Attempt[] = list;
      for (const { engine, skip } of engines) {
        if (skip) {
          columns.push({ name: engine.name, results: null, note: skip });
          continue;
        }
        const listener = await LoopbackListener.open();
        try {
          const all = [...list, listener.attempt()];
          rows = all;
          columns.push({
            name: engine.name,
            results: await runAttempts(engine, all, {
              probeDir,
              privileged: mode === 'privileged',
              loopback: listener,
            }),
          });
        } catch (err) {
          columns.push({ name: engine.name, results: null, note: (err as Error).message.split('\n')[0] });
        } finally {
          listener.close();
        }
      }
      const idW = Math.max(...rows.map((a) => a.id.length), 8);
      const cell = (c: (typeof columns)[number], a: Attempt): string => {
        const r = c.results?.get(a.id);
        return r ? `${r.outcome} (${r.step})` : '-';
      };
      const widths = columns.map((c) => Math.max(c.name.length, ...rows.map((a) => cell(c, a).length)));
      const line = (cells: string[]): string =>
        cells.map((s, i) => (i === 0 ? s.padEnd(idW) : s.padEnd(widths[i - 1]!))).join('  ');
      const out = [
        `\ncontainment, ${mode} container (load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')})`,
        line(['attempt', ...columns.map((c) => c.name), 'berth must get']),
      ];
      for (const a of rows) {
        out.push(line([a.id, ...columns.map((c) => cell(c, a)), expectedOutcome(a, mode, onHost)]));
      }
      for (const c of columns) if (c.note) out.push(`${c.name}: ${c.note}`);
      for (const c of columns) {
        if (!c.results) continue;
        const differ = rows.filter((a) => c.results!.get(a.id)?.outcome !== expectedOutcome(a, mode, onHost));
        out.push(`${c.name}: ${rows.length - differ.length}/${rows.length} as Berth must get`);
      }
      console.log(out.join('\n'));
    }
    execFileSync('true');
  });
});
