/**
 * `berth build` against `buildah bud --layers`, measured in the same run (root):
 *
 *   npx vitest run -c bench/vitest.bench.config.ts build
 *
 * A 3-stage Containerfile over the busybox test image (a stage that makes
 * 200 files in a RUN, one that COPYs the context and the first stage's
 * files and RUNs over them, a final one that COPYs a result and a file),
 * built with `--network none` by both, each on its own storage:
 *
 *   cold   every step runs (`--no-cache` for both: no cache lookups, the
 *          layers still written and committed)
 *   warm   the same build again, everything cached
 *
 * Wall time of the CLI from start to exit (node's start-up counted for
 * Berth, as buildah's own for buildah); buildah runs its RUN steps with
 * `--isolation oci` (a runtime container, as Berth does). Each round builds
 * cold then warm with each tool, alternating which goes first. Targets:
 * cold ≤ 1.0×, warm ≤ 0.2× buildah. Prints per round and the verdicts
 * (bench/conditions.ts: `not measured` at load ≥ 1.5); asserts what was
 * built, never a time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthCli, loadBusybox, startContainerHelper, type HelperOn } from '../main/testing/container-helper';
import { isRoot, tempDir } from '../main/testing/helper-process';
import { BUSYBOX_BIN } from '../main/testing/busybox-image';
import { PeerStorage, which } from '../main/testing/build-fixtures';
import { median, runRounds, verdicts } from './conditions';

const execFileP = promisify(execFile);

const CONTAINERFILE = `FROM busybox AS deps
RUN mkdir -p /deps && for i in $(seq 1 200); do echo "dependency $i" > /deps/f$i; done

FROM busybox AS build
COPY src/ /src/
COPY --from=deps /deps/ /deps/
RUN cat /src/* /deps/* | wc -l > /build.out

FROM busybox
COPY --from=build /build.out /app/out
COPY app.conf /app/
CMD ["cat", "/app/out"]
`;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined && which('buildah'))('build: berth vs buildah bud --layers', () => {
  let h: HelperOn & { dispose(): Promise<void> };
  const work = tempDir('berth-bench-build-');
  const ctx = path.join(work, 'ctx');
  const peer = new PeerStorage(path.join(work, 'buildah'));

  const timeMs = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const berth = async (...args: string[]): Promise<string> => {
    const r = await berthCli(h.socketPath, ['build', '-q', '--network', 'none', ...args, ctx], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`berth build: ${r.stderr}`);
    return r.stdout.trim();
  };
  const buildah = (...args: string[]): Promise<string> =>
    peer.buildah([
      'bud',
      '--layers',
      '--isolation',
      'oci',
      '--network',
      'none',
      '-q',
      ...args,
      '-t',
      'bench-build',
      ctx,
    ]);

  beforeAll(async () => {
    h = await startContainerHelper();
    const tar = await loadBusybox(h.socketPath, work);
    fs.mkdirSync(path.join(ctx, 'src'), { recursive: true });
    fs.writeFileSync(path.join(ctx, 'Containerfile'), CONTAINERFILE);
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(ctx, 'src', `s${i}.txt`), `source ${i}\n`);
    fs.writeFileSync(path.join(ctx, 'app.conf'), 'setting=1\n');
    peer.init();
    await peer.buildah(['pull', '-q', `docker-archive:${tar}`]);
    // Warm-ups: each tool once, so first-use costs (the monitor, buildah's storage) are not in round 1.
    await berth('-t', 'bench-build');
    await buildah();
  }, 600_000);
  afterAll(async () => {
    await h?.dispose();
    peer.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('cold and warm, 3 rounds', async () => {
    const figures: Array<Record<string, number>> = [];
    const rounds = await runRounds('build', async (i) => {
      const t: Record<string, number> = {};
      const berthFirst = i % 2 === 1;
      const sides: Array<[string, () => Promise<void>]> = [
        [
          'berth',
          async () => {
            t['berth cold'] = await timeMs(() => berth('--no-cache', '-t', 'bench-build'));
            t['berth warm'] = await timeMs(() => berth('-t', 'bench-build'));
          },
        ],
        [
          'buildah',
          async () => {
            t['buildah cold'] = await timeMs(() => buildah('--no-cache'));
            t['buildah warm'] = await timeMs(() => buildah());
          },
        ],
      ];
      for (const [, side] of berthFirst ? sides : sides.reverse()) await side();
      figures.push(t);
      console.log(
        `[build] round ${i} times (ms): ${Object.entries(t)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(', ')}`,
      );
      return {
        'berth/buildah cold': (t['berth cold'] as number) / (t['buildah cold'] as number),
        'berth/buildah warm': (t['berth warm'] as number) / (t['buildah warm'] as number),
      };
    });
    for (const k of ['berth cold', 'berth warm', 'buildah cold', 'buildah warm']) {
      console.log(`[build] ${k}: median ${median(figures.map((f) => f[k] as number)).toFixed(0)} ms`);
    }
    for (const line of verdicts(rounds, [
      { name: 'berth/buildah cold', kind: 'max', value: 1.0 },
      { name: 'berth/buildah warm', kind: 'max', value: 0.2 },
    ])) {
      console.log(`[build] ${line}`);
    }
    // What was built: the same result from both.
    const out = await berthCli(h.socketPath, ['run', '--rm', '--network', 'none', 'bench-build']);
    expect(out.stdout).toBe('250\n');
    const theirs = await execFileP('buildah', [...peer.base, 'inspect', '--type', 'image', 'bench-build']);
    expect(theirs.stdout).toContain('/app/out');
  }, 3_600_000);
});
