/**
 * CPU of listing issue 13's 100,000-file base layer the way an upload's
 * prelisting does (listPlainLayer over the finished file, each entry merged
 * and folded as it is listed: MergedTree.baseMerge + DiveEfficiency.baseFold),
 * without the worker and the upload around it:
 *
 *   npx vitest run -c bench/vitest.bench.config.ts layer-listing
 *
 * The layer is e2e/web/layers-large.spec.ts's (/srv/dNN/sN/fNNNNN, empty
 * files), cached under $BERTH_BENCH_CACHE (default /var/tmp/berth-bench-images).
 * Peer, in the same rounds: `tar -tf` of the same file (GNU tar seeks over
 * bodies as the listing does). BERTH_LISTING_PROFILE=FILE also writes a CPU
 * profile of one listing (node:inspector) for `chrome://inspect`. Prints
 * medians and the load; asserts the entry count, never a time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiveEfficiency } from '../main/engine/layers/efficiency';
import { MergedTree } from '../main/engine/layers/filetree';
import { listPlainLayer, type ScannedEntry } from '../main/engine/layers/layer-scan';
import { makeLayerFile } from '../main/testing/oci/image-archive';
import { HUNDRED_THOUSAND as FILES, hundredThousandEntries } from '../main/testing/oci/hundred-thousand';
import { ROUNDS, load1 } from './conditions';

const CACHE = process.env.BERTH_BENCH_CACHE ?? '/var/tmp/berth-bench-images';
const LAYER = path.join(CACHE, 'hundred-thousand-base.tar');

async function layerFile(): Promise<string> {
  if (!fs.existsSync(LAYER)) {
    fs.mkdirSync(CACHE, { recursive: true });
    await makeLayerFile(hundredThousandEntries(), `${LAYER}.part`, undefined, 'none');
    fs.renameSync(`${LAYER}.part`, LAYER);
  }
  return LAYER;
}

/** One prelisting of the layer; returns [cpu ms, entries]. */
async function listOnce(file: string): Promise<[number, number]> {
  const size = fs.statSync(file).size;
  const merge = MergedTree.baseMerge();
  const fold = DiveEfficiency.baseFold();
  const onEntry = (e: ScannedEntry): void => {
    merge.add(e);
    fold.add(e);
  };
  const c0 = process.cpuUsage();
  const listing = await listPlainLayer(file, { offset: 0, size }, { contentRefs: true, onEntry });
  if (!listing || !merge.finish(listing) || !fold.finish(listing)) throw new Error('base merge/fold refused');
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, listing.entries.length];
}

function tarList(file: string): number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = spawnSync('tar', ['-tf', file], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tar -tf failed: ${r.stderr}`);
  void c0;
  return performance.now() - t0; // a child's CPU is not ours: its wall time (single-threaded)
}

async function profileOnce(file: string, out: string): Promise<void> {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object): Promise<T> =>
    new Promise((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  await listOnce(file);
  const { profile } = await post<{ profile: object }>('Profiler.stop');
  fs.writeFileSync(out, JSON.stringify(profile));
  session.disconnect();
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('listing a 100,000-file layer (issue 13)', () => {
  it('prints the CPU of a prelisting (list + base merge + fold) against tar -tf', async () => {
    const file = await layerFile();
    const [, count] = await listOnce(file); // warm-up
    expect(count).toBe(FILES + 1 + 100 + 1000);
    const berth: number[] = [];
    const tar: number[] = [];
    const loads: number[] = [];
    const runs = Math.max(ROUNDS, 7);
    for (let i = 0; i < runs; i++) {
      loads.push(load1());
      berth.push((await listOnce(file))[0]);
      tar.push(tarList(file));
    }
    const b = median(berth);
    const t = median(tar);
    console.log(
      `[layer-listing] ${count} entries, ${runs} alternated runs at load ${Math.min(...loads)}–${Math.max(...loads)}: ` +
        `berth list+merge+fold CPU median ${b.toFixed(0)} ms (runs ${berth.map((x) => x.toFixed(0)).join(' ')}), ` +
        `tar -tf wall median ${t.toFixed(0)} ms, ratio ${(b / t).toFixed(2)}`,
    );
    const prof = process.env.BERTH_LISTING_PROFILE;
    if (prof) await profileOnce(file, prof);
  });
});
