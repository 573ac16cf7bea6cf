/**
 * packUploadAnalysis hands the summary over without reading a layer's change
 * list: the bottom layer merged while an upload arrived builds its list on
 * first read (MergedTree.baseMerge), which is then the packing's work.
 */
import { describe, expect, it } from 'vitest';
import { encodeChanges } from '../../../preload/schemas/changes-wire';
import type { ImageAnalysis, LayerAnalysis } from './analyze';
import { MergedTree } from './filetree';
import type { ScannedEntry } from './layer-scan';
import { scannedEntry } from '../../testing/scanned-entry';
import { packUploadAnalysis } from './upload-analysis';

const entry = (path: string, type: ScannedEntry['type'] = 'file', size = 3): ScannedEntry =>
  scannedEntry(path, { type, size: type === 'dir' ? 0 : size });

describe('packUploadAnalysis', () => {
  it('gives the summary without building the base list, then packs the list baseMerge builds', async () => {
    const entries = [entry('b', 'dir'), entry('b/z'), entry('a.txt', 'file', 5), entry('b/y')];
    const merge = MergedTree.baseMerge();
    for (const e of entries) merge.add(e);
    const done = merge.finish({ entries });
    if (!done) throw new Error('base merge refused');
    let reads = 0;
    const layer = { index: 0, stats: done.diff.stats } as LayerAnalysis;
    Object.defineProperty(layer, 'changes', {
      enumerable: true,
      get: () => {
        reads++;
        return done.diff.changes;
      },
    });
    const { summary, packed } = packUploadAnalysis({ layers: [layer] } as unknown as ImageAnalysis);
    expect(reads).toBe(0);
    expect(summary.layers[0]).toEqual({ index: 0, stats: { ...done.diff.stats } });
    expect('changes' in (summary.layers[0] ?? {})).toBe(false);
    expect(done.diff.stats).toMatchObject({ added: 4, addedBytes: 11, unmodified: 0 });
    const lists = await packed;
    expect(reads).toBe(1);
    // Sorted by path, as applyLayer's lists are.
    expect(done.diff.changes.map((c) => c.path)).toEqual(['/a.txt', '/b', '/b/y', '/b/z']);
    expect(lists).toEqual([
      encodeChanges(new MergedTree().applyLayer({ entries, whiteouts: [], opaques: [] }).changes),
    ]);
  });
});
