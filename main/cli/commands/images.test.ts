import { describe, expect, it } from 'vitest';
import { table } from '../table';

describe('image command formatting (docker style)', () => {
  it('aligns columns', () => {
    expect(
      table([
        ['A', 'BB'],
        ['CCC', 'D'],
      ]),
    ).toBe('A     BB\nCCC   D');
  });
});
