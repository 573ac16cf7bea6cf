import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate, MiB } from './units';

describe('byte units (IEC, GUI and CLI alike)', () => {
  it('binary units, whole amounts without decimals', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(96 * MiB)).toBe('96 MiB');
    expect(formatBytes(4_261_000)).toBe('4.1 MiB');
    expect(formatBytes(123_400_000)).toBe('118 MiB');
    expect(formatBytes(77_800_000_000)).toBe('72.5 GiB');
  });

  it('digits, signs, the kernel max and missing values', () => {
    expect(formatBytes(4_261_000, 0)).toBe('4 MiB');
    expect(formatBytes(-1536)).toBe('-1.5 KiB');
    expect(formatBytes(null)).toBe('max');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatRate(1536)).toBe('1.5 KiB/s');
    expect(formatRate(null)).toBe('—');
  });
});
