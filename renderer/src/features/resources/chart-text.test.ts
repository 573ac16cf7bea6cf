import { describe, expect, it } from 'vitest';
import { chartText, summarize } from './chart-text';

const rows = [
  { t: 0, cpu: 50 },
  { t: 1000, cpu: 2, mem: null },
  { t: 2000, cpu: 7.5, mem: 100 },
  { t: 3000, cpu: null, mem: 300 },
  { t: 9000, cpu: 99 }, // outside the shown window
];

describe('chart text alternatives', () => {
  it('takes the latest value and the range inside the shown window, skipping gaps', () => {
    expect(summarize(rows, 'cpu', [500, 5000])).toEqual({ latest: 7.5, min: 2, max: 7.5 });
    expect(summarize(rows, 'mem', [0, 5000])).toEqual({ latest: 300, min: 100, max: 300 });
  });

  it('reads as one sentence per series, and says when there is nothing', () => {
    const pct = (v: number) => `${v.toFixed(1)} %`;
    expect(chartText(rows, [{ key: 'cpu', label: 'cpu' }], [500, 5000], pct)).toBe(
      'cpu: now 7.5 %, range 2.0 % to 7.5 %',
    );
    expect(chartText(rows, [{ key: 'io', label: 'io' }], [0, 5000], pct)).toBe('io: no samples');
  });
});
