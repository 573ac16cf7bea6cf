import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseTimeArg } from './time-arg';

describe("--since/--until values (docker's timetypes)", () => {
  const now = Date.parse('2024-03-01T12:00:00Z');

  it('Go durations count back from now', () => {
    expect(parseGoDuration('10m')).toBe(600_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10')).toBeNull();
    expect(parseGoDuration('10x')).toBeNull();
    expect(parseTimeArg('since', '42s', now)).toBe(now - 42_000);
    expect(parseTimeArg('until', '-5m', now)).toBe(now + 300_000);
  });

  it('RFC 3339 times with zones and fractions, dates, Unix seconds', () => {
    expect(parseTimeArg('since', '2024-03-01T11:00:00Z', now)).toBe(Date.parse('2024-03-01T11:00:00Z'));
    expect(parseTimeArg('since', '2024-03-01T11:00:00.250Z', now)).toBe(Date.parse('2024-03-01T11:00:00.250Z'));
    expect(parseTimeArg('since', '2024-03-01T11:00:00.123456789+02:00', now)).toBe(
      Date.parse('2024-03-01T09:00:00.123Z'),
    );
    expect(parseTimeArg('since', '2024-03-01', now)).toBe(new Date(2024, 2, 1).getTime());
    expect(parseTimeArg('since', '2024-03-01T10:30', now)).toBe(new Date(2024, 2, 1, 10, 30).getTime());
    expect(parseTimeArg('since', '1709294400', now)).toBe(1709294400_000);
    expect(parseTimeArg('since', '1709294400.5', now)).toBe(1709294400_500);
  });

  it('anything else is a usage error naming the flag', () => {
    expect(() => parseTimeArg('since', 'yesterday', now)).toThrow(/--since yesterday: use a duration/);
  });
});
