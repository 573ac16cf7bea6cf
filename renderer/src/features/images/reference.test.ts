import { describe, expect, it } from 'vitest';
import { tagTargetError } from './reference';

describe('tagTargetError', () => {
  it.each([
    'busybox',
    'busybox:latest',
    'e2e/dropped:1',
    'my-app_v2.x:1.0.0-rc1',
    'localhost:5000/team/app:dev',
    'registry.example.com/a/b/c',
    'Example.COM/app',
    '[::1]:5000/app:x',
    'a__b/c--d:_tag',
  ])('accepts %s', (ref) => {
    expect(tagTargetError(ref)).toBeNull();
  });

  it.each([
    ['', /Enter a name/],
    ['Busybox', /lowercase/],
    ['app:', /tag after ":" is empty/],
    ['app:-x', /Invalid tag/],
    ['app:' + 'x'.repeat(129), /at most 128/],
    ['app@sha256:' + 'a'.repeat(64), /digest/],
    ['a'.repeat(64), /image ID/],
    ['team//app', /Empty path component/],
    ['team/app/', /Empty path component/],
    ['-app', /Invalid name component/],
    ['app.', /Invalid name component/],
    ['bad_host.:5000/app', /Invalid registry/],
    ['my app', /no spaces/],
  ])('refuses %j', (ref, why) => {
    expect(tagTargetError(ref)).toMatch(why);
  });
});
