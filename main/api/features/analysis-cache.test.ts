import { afterEach, describe, expect, it } from 'vitest';
import { decodeChanges, encodeChanges, type ChangeObject } from '../../../preload/schemas/changes-wire';
import { parseParams, parseResult } from '../../shared/validate';
import { AnalysisCache, summarize, summarizePacked } from './analysis-cache';

const change = (path: string): ChangeObject => ({
  path,
  type: 'file',
  size: 1,
  mode: 0o644,
  uid: 0,
  gid: 0,
  linkname: '',
  change: 'added',
});

describe('AnalysisCache (summary first)', () => {
  let cache: AnalysisCache;
  afterEach(() => cache.close());

  it('summarize keeps the change lists; layers.changes gives them packed once, then ANALYSIS_GONE', async () => {
    cache = new AnalysisCache();
    const a = {
      format: 'oci-archive',
      layers: [
        { index: 0, changes: [change('/a'), change('/a/b')] },
        { index: 1, changes: [] },
      ],
    };
    const s = summarize(cache, a);
    expect(s.layers).toEqual([{ index: 0 }, { index: 1 }]);
    expect(s.analysisId).toMatch(/^[0-9a-f]{32}$/);
    const got = parseResult('layers.changes', JSON.parse(JSON.stringify(await cache.take(s.analysisId))));
    expect(got.layers.map((l) => decodeChanges(l))).toEqual(a.layers.map((l) => l.changes));
    await expect(cache.take(s.analysisId)).rejects.toThrow(expect.objectContaining({ code: 'ANALYSIS_GONE' }));
    expect(cache.size).toBe(0);
  });

  it('summarizePacked keeps lists that arrive packed (a store image from the helper), fetched the same way', async () => {
    cache = new AnalysisCache();
    const lists = [[change('/x'), change('/x/y')], [change('/z')]];
    const a = { format: 'oci-archive', layers: lists.map((l, index) => ({ index, changes: encodeChanges(l) })) };
    const s = summarizePacked(cache, a);
    expect(s.layers).toEqual([{ index: 0 }, { index: 1 }]);
    const got = parseResult('layers.changes', JSON.parse(JSON.stringify(await cache.take(s.analysisId))));
    expect(got.layers.map((l) => decodeChanges(l))).toEqual(lists);
    await expect(cache.take(s.analysisId)).rejects.toThrow(expect.objectContaining({ code: 'ANALYSIS_GONE' }));
  });

  it('packs in the background after the summary; a fetch then gets the same lists', async () => {
    cache = new AnalysisCache();
    const lists = [[change('/x'), change('/x/y')], [change('/z')]];
    const id = cache.put(lists);
    await new Promise((r) => setImmediate(r));
    expect((await cache.take(id)).layers.map((l) => decodeChanges(l))).toEqual(lists);
  });

  it('a fetch waits for lists still being packed elsewhere (an upload’s worker thread), and gets its failure', async () => {
    cache = new AnalysisCache();
    let deliver!: (l: ReturnType<typeof encodeChanges>[]) => void;
    const id = cache.putPacked(new Promise((resolve) => (deliver = resolve)));
    const fetched = cache.take(id);
    deliver([encodeChanges([change('/late')])]);
    expect((await fetched).layers.map((l) => decodeChanges(l))).toEqual([[change('/late')]]);
    const failed = cache.putPacked(Promise.reject(new Error('thread died')));
    await expect(cache.take(failed)).rejects.toThrow('thread died');
  });

  it('holds at most maxEntries (the oldest goes) and each for ttlMs', async () => {
    let now = 1000;
    cache = new AnalysisCache({ maxEntries: 2, ttlMs: 500, now: () => now });
    const ids = [0, 1, 2].map((i) => cache.put([[change(`/${i}`)]]));
    expect(cache.size).toBe(2);
    await expect(cache.take(ids[0]!)).rejects.toThrow(expect.objectContaining({ code: 'ANALYSIS_GONE' }));
    expect((await cache.take(ids[1]!)).layers).toHaveLength(1);
    now += 500;
    expect(cache.size).toBe(0);
    await expect(cache.take(ids[2]!)).rejects.toThrow(expect.objectContaining({ code: 'ANALYSIS_GONE' }));
  });

  it('an unknown id is ANALYSIS_GONE; a malformed one never reaches the cache', async () => {
    cache = new AnalysisCache();
    await expect(cache.take('f'.repeat(32))).rejects.toThrow(expect.objectContaining({ code: 'ANALYSIS_GONE' }));
    for (const analysisId of ['x', 'F'.repeat(32), 'f'.repeat(33), 5]) {
      expect(() => parseParams('layers.changes', { analysisId })).toThrow(
        expect.objectContaining({ code: 'BAD_PARAMS' }),
      );
    }
  });
});
