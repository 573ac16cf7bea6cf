import { describe, expect, it } from 'vitest';
import { humanAgo } from './images';
import { table } from '../table';

describe('image command formatting (docker style)', () => {
  it('ages like docker', () => {
    const now = Date.parse('2024-03-01T00:00:00Z');
    expect(humanAgo(null, now)).toBe('N/A');
    expect(humanAgo('2024-02-29T23:59:30Z', now)).toBe('30 seconds ago');
    expect(humanAgo('2024-02-29T21:00:00Z', now)).toBe('3 hours ago');
    expect(humanAgo('2024-02-20T00:00:00Z', now)).toBe('10 days ago');
    expect(humanAgo('2024-01-01T00:00:00Z', now)).toBe('8 weeks ago');
    expect(humanAgo('2021-01-01T00:00:00Z', now)).toBe('3 years ago');
  });

  it('aligns columns', () => {
    expect(
      table([
        ['A', 'BB'],
        ['CCC', 'D'],
      ]),
    ).toBe('A     BB\nCCC   D');
  });
});
