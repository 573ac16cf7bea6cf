import { describe, expect, it } from 'vitest';
import { compilePattern, isGlob } from './pattern';

const test = (pattern: string, path: string): boolean => {
  const m = compilePattern(pattern);
  if (!m) return true;
  return m(path, path.slice(path.lastIndexOf('/') + 1));
};

describe('compilePattern', () => {
  it('empty matches everything', () => {
    expect(compilePattern('  ')).toBeNull();
  });

  it('substring anywhere, smart case', () => {
    expect(test('passwd', '/etc/passwd')).toBe(true);
    expect(test('/usr/lib', '/usr/lib/x/y.so')).toBe(true);
    expect(test('PASSWD', '/etc/passwd')).toBe(false);
    expect(test('motd', '/etc/MOTD')).toBe(true);
    expect(test('a.b', '/axb')).toBe(false); // no regex meaning
  });

  it('glob without a slash matches the entry name', () => {
    expect(isGlob('*.so')).toBe(true);
    expect(test('*.so', '/usr/lib/libc.so')).toBe(true);
    expect(test('*.so', '/usr/lib/libc.so.6')).toBe(false);
    expect(test('lib?.a', '/lib/libz.a')).toBe(true);
    expect(test('bus*', '/bin/busybox')).toBe(true);
    expect(test('bus*', '/bus/x')).toBe(false);
  });

  it('glob with a slash matches the whole path; * stops at /, ** does not', () => {
    expect(test('etc/*.conf', '/etc/resolv.conf')).toBe(true);
    expect(test('/etc/*.conf', '/etc/ssl/openssl.conf')).toBe(false);
    expect(test('/etc/**/*.conf', '/etc/ssl/openssl.conf')).toBe(true);
    expect(test('/etc/**/*.conf', '/etc/x.conf')).toBe(true);
    expect(test('/usr/**', '/usr/a/b/c')).toBe(true);
    expect(test('/b?n/*', '/bin/sh')).toBe(true);
  });
});
