import { describe, expect, it } from 'vitest';
import { seccompKernelText, seccompMismatch, seccompProfileText } from './seccomp-text';

const base = { unconfinedBy: null, profileSha256: null, filter: null, kernel: null } as const;

describe('seccomp words', () => {
  it('names the profile in force', () => {
    expect(seccompProfileText({ ...base, profile: 'default' })).toMatch(/^default/);
    expect(seccompProfileText({ ...base, profile: 'custom', profileSha256: 'abcdef0123456789' })).toBe(
      'custom, sha256 abcdef012345',
    );
    expect(seccompProfileText({ ...base, profile: 'unconfined', unconfinedBy: 'privileged' })).toContain(
      '--privileged',
    );
    expect(seccompProfileText({ ...base, profile: 'unconfined', unconfinedBy: 'option' })).toContain(
      'seccomp=unconfined',
    );
  });

  it('shows the read-back and flags a disagreement', () => {
    const running = { ...base, profile: 'default' as const, kernel: { mode: 2, filters: 1 } };
    expect(seccompKernelText(running)).toBe('Seccomp: 2 (filter) · Seccomp_filters: 1');
    expect(seccompKernelText({ ...base, profile: 'default' })).toBeNull();
    expect(seccompMismatch(running)).toBe(false);
    expect(seccompMismatch({ ...running, kernel: { mode: 0, filters: 0 } })).toBe(true);
    expect(seccompMismatch({ ...base, profile: 'unconfined', kernel: { mode: 0, filters: 0 } })).toBe(false);
  });
});
