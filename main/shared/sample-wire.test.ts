/**
 * The stats sample's wire form: what the helper encodes from History decodes
 * to the rows History's own points give (the contract's event), through JSON;
 * anything malformed decodes to null.
 */
import { describe, expect, it } from 'vitest';
import { resourceEvents } from '../../preload/schemas/resources';
// The encoder's real source, as the helper's sampler feeds it (a test may reach engine code).
import { History } from '../engine/cgroups/history';
import { SLOT, STRIDE } from '../engine/cgroups/sample-layout';
import {
  POINT_FIELDS,
  SAMPLE_COLUMNS_VERSION,
  decodeSampleColumns,
  encodeSampleColumns,
  type SampleColumns,
} from './sample-wire';

function row(values: Partial<Record<keyof typeof SLOT, number>>): Float64Array {
  const r = new Float64Array(STRIDE).fill(NaN);
  for (const [k, v] of Object.entries(values)) r[SLOT[k as keyof typeof SLOT]] = v;
  return r;
}

function history(): History {
  const h = new History({ capacity: 10, onlineCpus: 4 });
  const base = {
    nrPeriods: 0,
    nrThrottled: 0,
    memLimit: Infinity,
    oom: 0,
    oomKill: 0,
    ioReadBytes: 0,
    ioWriteBytes: 0,
  };
  h.pushRow('a', 1000, row({ ...base, cpuUsec: 0, memCurrent: 1 << 20, pids: 1, netRxBytes: 0, netTxBytes: 0 }));
  h.pushRow(
    'a',
    2000,
    row({ ...base, cpuUsec: 500_000, memCurrent: 2 << 20, pids: 3, psiCpuSome: 1.5, netRxBytes: 10, netTxBytes: 20 }),
  );
  h.pushRow('b', 2000, row({ ...base, cpuUsec: 7, memCurrent: 4096, memLimit: 1 << 30, pids: 1 }));
  return h;
}

describe('sample wire form', () => {
  it('round-trips through JSON to the points History gives, with id and name, and validates as the event', () => {
    const h = history();
    const names: Record<string, string> = { a: 'web', b: 'db' };
    const sample = encodeSampleColumns(2000, ['a', 'b', 'gone'], (id) => names[id], h);
    expect(sample.ids).toEqual(['a', 'b']); // an id with no name (untracked) is left out
    expect(sample.values).toHaveLength(2 * POINT_FIELDS.length);
    const decoded = decodeSampleColumns(JSON.parse(JSON.stringify(sample)));
    expect(decoded).not.toBeNull();
    const event = resourceEvents['resources.sample'].parse(decoded);
    expect(event.at).toBe(2000);
    expect(event.rows).toEqual([
      { ...h.last('a'), id: 'a', name: 'web' },
      { ...h.last('b'), id: 'b', name: 'db' },
    ]);
    // What the numbers mean survives: 0.5 s of CPU in 1 s = 50 %, of 4 CPUs 12.5 %.
    expect(event.rows[0]).toMatchObject({ cpuPercent: 50, cpuPercentOfHost: 12.5, pids: 3, psiCpuSomeAvg10: 1.5 });
    expect(event.rows[0]).toMatchObject({ netRxBps: 10, netTxBps: 20, memoryLimit: null });
    expect(event.rows[1]).toMatchObject({ cpuPercent: null, memoryLimit: 1 << 30 });
  });

  it('is several times smaller than the object form', () => {
    const h = new History({ capacity: 4, onlineCpus: 2 });
    const ids = Array.from({ length: 100 }, (_, i) => `${i}`.padStart(64, 'c'));
    for (const id of ids) {
      h.pushRow(id, 1000, row({ cpuUsec: 1e9, memCurrent: 123_456_789, pids: 2, memLimit: Infinity }));
      h.pushRow(id, 2000, row({ cpuUsec: 1e9 + 12_345, memCurrent: 123_456_789, pids: 2, memLimit: Infinity }));
    }
    const sample = encodeSampleColumns(2000, ids, (id) => `name-${id.slice(-3)}`, h);
    const objects = JSON.stringify({ at: 2000, rows: decodeSampleColumns(sample)!.rows });
    expect(JSON.stringify(sample).length * 2.5).toBeLessThan(objects.length);
  });

  it('decodes anything malformed to null', () => {
    const good: SampleColumns = encodeSampleColumns(2000, ['a'], () => 'web', history());
    const bad: unknown[] = [
      null,
      'x',
      [],
      { ...good, v: SAMPLE_COLUMNS_VERSION + 1 },
      { ...good, at: '2000' },
      { ...good, width: POINT_FIELDS.length + 1 },
      { ...good, ids: 'a' },
      { ...good, ids: [1] },
      { ...good, names: [] },
      { ...good, values: good.values.slice(1) },
      { ...good, values: [...good.values.slice(1), 'x'] },
      { ...good, values: {} },
    ];
    for (const b of bad) expect(decodeSampleColumns(b), JSON.stringify(b)).toBeNull();
    expect(decodeSampleColumns(good)).not.toBeNull();
  });
});
