import { describe, expect, it } from 'vitest';
import { detailsHref, parseContainersHash } from './route';

describe('parseContainersHash', () => {
  it('reads the table and both details forms', () => {
    expect(parseContainersHash('#/containers')).toEqual({ view: 'list' });
    expect(parseContainersHash('#/containers?id=abc')).toEqual({ view: 'details', id: 'abc', tab: 'overview' });
    expect(parseContainersHash('#/containers?id=abc&tab=logs')).toEqual({ view: 'details', id: 'abc', tab: 'logs' });
    expect(parseContainersHash('#/containers/abc')).toEqual({ view: 'details', id: 'abc', tab: 'overview' });
    expect(parseContainersHash('#/containers/abc/terminal')).toEqual({ view: 'details', id: 'abc', tab: 'terminal' });
  });

  it('falls back to the overview for an unknown tab, and ignores other pages', () => {
    expect(parseContainersHash('#/containers?id=abc&tab=nope')).toMatchObject({ tab: 'overview' });
    expect(parseContainersHash('#/images')).toBeNull();
    expect(parseContainersHash('#/containersx')).toBeNull();
  });

  it('round-trips detailsHref', () => {
    for (const tab of ['overview', 'logs', 'terminal', 'files'] as const) {
      expect(parseContainersHash(detailsHref('my-ctr.1', tab))).toEqual({ view: 'details', id: 'my-ctr.1', tab });
    }
  });
});
