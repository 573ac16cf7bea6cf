/**
 * Runs every layer case of the hostile corpus through extractLayer: each is
 * rejected with its code (naming its entry) or contained; either way the
 * world outside the layer is untouched and no temp directory is left.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractLayer, extractLayerFile } from './extract';
import { createPythonFsOps, type NativeFsOps } from './native-fs';
import { tarStream } from '../oci/tar/writer';
import { buildCorpus, type CorpusCase, type LayerCase } from '../../testing/oci/build-corpus';
import { listTree, makeTmp, rmrf } from '../../testing/oci/helpers';
import { BerthError } from '../../../preload/errors';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('hostile corpus: extraction', () => {
  let base = '';
  let outside = '';
  let cases: CorpusCase[] = [];
  let native: NativeFsOps;
  const sentinel = 'do not touch\n';

  beforeAll(async () => {
    base = makeTmp('berth-corpus-');
    outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'sentinel'), sentinel);
    cases = await buildCorpus(path.join(base, 'corpus'), { outside });
    native = createPythonFsOps();
  });

  afterAll(async () => {
    await native.close();
    rmrf(base);
  });

  it('has enough cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(cases.filter((c) => c.kind === 'layer').length).toBeGreaterThanOrEqual(25);
  });

  it('rejects or contains every layer case', async () => {
    const results: string[] = [];
    const bombs: string[] = [];
    for (const c of cases.filter((x): x is LayerCase => x.kind === 'layer')) {
      // Layers sit two levels below base, so "../../outside" from a layer reaches the sentinel dir.
      const store = path.join(base, 'stores', c.name);
      fs.mkdirSync(store, { recursive: true });
      const lowerDirs: string[] = [];
      if (c.lower) {
        const lower = path.join(store, 'lower');
        await extractLayer(tarStream(c.lower), lower, { native });
        lowerDirs.push(lower);
      }
      const before = { outside: listTree(outside), store: listTree(store) };
      const target = path.join(store, 'layer');
      let error: unknown;
      // A bomb's rejection must cost bounded memory: RSS sampled while it runs.
      const rss0 = process.memoryUsage().rss;
      const heap0 = process.memoryUsage().heapUsed;
      let peak = rss0;
      const sampler = c.bomb ? setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2) : null;
      try {
        await extractLayerFile(c.file, target, { ...c.options, lowerDirs, native });
      } catch (err) {
        error = err;
      }
      if (sampler) {
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().rss);
        const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
        const growth = peak - rss0;
        bombs.push(
          `${c.name}: ${mib(fs.statSync(c.file).size)} MiB of gzip expanding to ${mib(c.bomb?.expandsTo ?? 0)} MiB → ` +
            `${(error as BerthError | undefined)?.code ?? 'accepted'}; RSS peak +${mib(growth)} MiB, heap +${mib(process.memoryUsage().heapUsed - heap0)} MiB`,
        );
        expect(growth, `${c.name}: memory bounded`).toBeLessThan(64 * 1024 * 1024);
      }

      if ('reject' in c.expect) {
        expect(error, `${c.name}: expected ${c.expect.reject}`).toBeInstanceOf(BerthError);
        const e = error as BerthError;
        expect(e.code, `${c.name}: ${e.message}`).toBe(c.expect.reject);
        if (c.expect.entry !== undefined)
          expect(e.details?.['entry'], `${c.name}: names the entry`).toBe(c.expect.entry);
        expect(fs.existsSync(target), `${c.name}: no layer left`).toBe(false);
        // Nothing new in the store: no temp directory survived.
        expect(listTree(store), `${c.name}: store unchanged`).toEqual(before.store);
        results.push(`${c.name}: rejected ${e.code}${e.details?.['entry'] ? ` (${String(e.details['entry'])})` : ''}`);
      } else {
        expect(error, `${c.name}: should extract, got ${String(error)}`).toBeUndefined();
        c.expect.verify?.(target);
        expect(
          listTree(store).filter((p) => !p.startsWith('layer') && !before.store.includes(p)),
          `${c.name}: only the layer is new`,
        ).toEqual([]);
        results.push(`${c.name}: contained`);
      }
      expect(listTree(outside), `${c.name}: nothing new outside`).toEqual(before.outside);
      expect(fs.readFileSync(path.join(outside, 'sentinel'), 'utf8'), `${c.name}: sentinel intact`).toBe(sentinel);
      expect(fs.existsSync('/tmp/berth-pwned'), `${c.name}: nothing in /tmp`).toBe(false);
      rmrf(store);
    }
    // One line per case in the test output, for the record.
    console.log(results.join('\n'));
    console.log(
      `bombs (load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}):\n  ${bombs.join('\n  ')}`,
    );
    expect(bombs.length).toBeGreaterThanOrEqual(6);
  });
});
