import { describe, expect, it } from 'vitest';
import { inspectorHref, inspectorRefFromHash, layersPageHref } from './route';

describe('inspector routes', () => {
  it('reads both forms', () => {
    expect(inspectorRefFromHash('#/layers')).toBeNull();
    expect(inspectorRefFromHash('#/layers?image=busybox%3Alatest')).toBe('busybox:latest');
    expect(inspectorRefFromHash('#/images/sha256%3Aabc/layers')).toBe('sha256:abc');
    expect(inspectorRefFromHash('#/images/abc/layers/')).toBe('abc');
    expect(inspectorRefFromHash('#/images/%E0%A4%A/layers')).toBeNull();
    expect(inspectorRefFromHash('#/images')).toBeNull();
  });

  it('links round-trip', () => {
    const ref = 'e2e/dropped:1';
    expect(inspectorRefFromHash(inspectorHref(ref))).toBe(ref);
    expect(inspectorRefFromHash(layersPageHref(ref))).toBe(ref);
  });
});
