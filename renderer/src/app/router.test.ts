import { describe, expect, it } from 'vitest';
import { pathFromHash, routeMatches } from './router';

describe('routeMatches', () => {
  it('matches the path and its sub-paths, not other paths sharing a prefix', () => {
    expect(routeMatches('/images', '/images')).toBe(true);
    expect(routeMatches('/images', '/images/busybox%3Alatest/layers')).toBe(true);
    expect(routeMatches('/containers', '/containers/abc/logs')).toBe(true);
    expect(routeMatches('/images', '/imagesX')).toBe(false);
    expect(routeMatches('/images', '/layers')).toBe(false);
    expect(routeMatches('/images', '/')).toBe(false);
  });

  it('works on the path part of a hash', () => {
    expect(routeMatches('/layers', pathFromHash('#/layers?image=busybox'))).toBe(true);
    expect(routeMatches('/images', pathFromHash('#/images/x/layers'))).toBe(true);
  });
});
