import { describe, expect, it } from 'vitest';
import { LOAD_LIMIT, median, verdicts, type Round } from './conditions';

const round = (index: number, load: number, r: number): Round => ({ index, load, ratios: { 'a / b': r } });

describe('bench conditions', () => {
  it('gives a verdict only when every round ran below the load limit', () => {
    const quiet = [round(1, 0.4, 0.4), round(2, 0.9, 0.6), round(3, 1.2, 0.5)];
    expect(verdicts(quiet, [{ name: 'a / b', kind: 'max', value: 0.5 }])[0]).toMatch(/median 0.50× .*: met$/);
    expect(verdicts(quiet, [{ name: 'a / b', kind: 'min', value: 1 }])[0]).toMatch(/missed$/);
    const loaded = [...quiet.slice(0, 2), round(3, LOAD_LIMIT, 0.1)];
    expect(verdicts(loaded, [{ name: 'a / b', kind: 'max', value: 0.5 }])[0]).toMatch(/not measured: load 1.50$/);
  });

  it('prints each round and ignores missing figures in the median', () => {
    const line = verdicts(
      [round(1, 0, 2), round(2, 0, NaN), round(3, 0, 4)],
      [{ name: 'a / b', kind: 'max', value: 5 }],
    )[0];
    expect(line).toContain('(2.00, n/a, 4.00)');
    expect(median([3, NaN, 1, 2])).toBe(2);
  });
});
