import { describe, expect, it } from 'vitest';
import { formatMode, formatPercent, formatRelative, shortDigest } from './format';

describe('format', () => {
  it('percent never rounds a loss or a gain away', () => {
    expect(formatPercent(1)).toBe('100.0 %');
    expect(formatPercent(0.999996)).toBe('> 99.9 %');
    expect(formatPercent(0.242)).toBe('24.2 %');
    expect(formatPercent(0.0000004)).toBe('< 0.1 %');
    expect(formatPercent(0)).toBe('0.0 %');
  });

  it('relative times and digests', () => {
    const now = Date.parse('2024-01-10T00:00:00Z');
    expect(formatRelative('2024-01-07T00:00:00Z', now)).toBe('3 days ago');
    expect(formatRelative(null, now)).toBe('—');
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('abababababab');
  });

  it('ls -l modes', () => {
    expect(formatMode('dir', 0o755)).toBe('drwxr-xr-x');
    expect(formatMode('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(formatMode('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(formatMode('symlink', 0o777)).toBe('lrwxrwxrwx');
  });
});
