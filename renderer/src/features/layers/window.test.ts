import { describe, expect, it } from 'vitest';
import { computeWindow, scrollTopFor } from './window';

describe('computeWindow', () => {
  it('renders the viewport plus overscan, clamped to the list', () => {
    expect(computeWindow(0, 220, 22, 1000, 5)).toEqual({ start: 0, end: 16 });
    expect(computeWindow(2200, 220, 22, 1000, 5)).toEqual({ start: 95, end: 116 });
    expect(computeWindow(22 * 995, 220, 22, 1000, 5)).toEqual({ start: 990, end: 1000 });
    expect(computeWindow(0, 220, 22, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(computeWindow(0, 220, 22, 0, 5)).toEqual({ start: 0, end: 0 });
  });

  it('survives a scrollTop past the end (list shrank under a scrolled viewport)', () => {
    const w = computeWindow(1_000_000, 220, 22, 10, 2);
    expect(w.start).toBeLessThanOrEqual(w.end);
    expect(w.end).toBe(10);
    expect(w.start).toBe(7);
  });

  it('100,000 rows: a constant number rendered wherever the viewport is', () => {
    for (const top of [0, 50_000, 1_000_000, 2_199_000]) {
      const w = computeWindow(top, 600, 22, 100_000, 10);
      expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(600 / 22) + 1 + 20);
    }
  });
});

describe('scrollTopFor', () => {
  it('scrolls only when the row is outside the viewport', () => {
    expect(scrollTopFor(5, 0, 220, 22)).toBeNull();
    expect(scrollTopFor(10, 0, 220, 22)).toBe(22);
    expect(scrollTopFor(2, 100, 220, 22)).toBe(44);
  });
});
