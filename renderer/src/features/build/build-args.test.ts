import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from './build-args';

describe('parseBuildArgs', () => {
  it('reads K=V lines, a later one winning; values keep their = and spaces', () => {
    expect(parseBuildArgs('A=1\n\n# comment\nB= two = 2 \nA=3\r\n')).toEqual({
      ok: true,
      args: { A: '3', B: ' two = 2 ' },
    });
    expect(parseBuildArgs('')).toEqual({ ok: true, args: {} });
    expect(parseBuildArgs('EMPTY=')).toEqual({ ok: true, args: { EMPTY: '' } });
  });

  it('refuses what --build-arg would not take, naming the line', () => {
    expect(parseBuildArgs('A=1\nNOVALUE')).toEqual({ ok: false, error: 'line 2: NOVALUE: K=V expected' });
    expect(parseBuildArgs('1A=x')).toEqual({ ok: false, error: 'line 1: 1A: not an ARG name' });
    expect(parseBuildArgs('=x')).toEqual({ ok: false, error: 'line 1: (empty): not an ARG name' });
    expect(parseBuildArgs('A-B=x')).toEqual({ ok: false, error: 'line 1: A-B: not an ARG name' });
  });
});
