/** The merged project log: ordered by the stamps to the nanosecond, ties in arrival order, capped. */
import { describe, expect, it } from 'vitest';
import { compareTime, mergeBatch, timeKey, type MergedLine } from './merge-logs';

let seq = 0;
const line = (t: string, service: string, text = `${service}@${t}`): MergedLine => ({
  t,
  stream: 'stdout',
  line: text,
  key: seq++,
  at: timeKey(t),
  id: service,
  service,
});

describe('timeKey', () => {
  it('keeps the part below a millisecond', () => {
    const ms = Date.parse('2026-12-07T16:46:53.123Z');
    expect(timeKey('2026-12-07T16:46:53.123456789Z')).toEqual([ms, 456789]);
    expect(timeKey('2026-12-07T16:46:53.123456Z')).toEqual([ms, 456000]);
    expect(compareTime(timeKey('2026-12-07T16:46:53.123456789Z'), timeKey('2026-12-07T16:46:53.123456788Z'))).toBe(1);
    expect(timeKey('2026-12-07T16:46:53.5Z')).toEqual([Date.parse('2026-12-07T16:46:53.500Z'), 0]);
    expect(timeKey('2026-12-07T16:46:53Z')).toEqual([Date.parse('2026-12-07T16:46:53Z'), 0]);
  });
  it('an unparsable stamp sorts first', () => {
    expect(timeKey('garbage')).toEqual([0, 0]);
  });
});

describe('mergeBatch', () => {
  it('interleaves two containers by time, nanoseconds included', () => {
    const web = [line('2026-12-07T10:00:00.000000100Z', 'web'), line('2026-12-07T10:00:00.000000300Z', 'web')];
    const db = [line('2026-12-07T10:00:00.000000200Z', 'db'), line('2026-12-07T10:00:01Z', 'db')];
    const a = mergeBatch([], web, 100);
    const b = mergeBatch(a.lines, db, 100);
    expect(b.lines.map((l) => l.service)).toEqual(['web', 'db', 'web', 'db']);
    expect(b.dropped).toBe(0);
  });

  it('a line already shown stays before a new one with the same stamp', () => {
    const first = line('2026-12-07T10:00:00Z', 'web', 'old');
    const second = line('2026-12-07T10:00:00Z', 'db', 'new');
    expect(mergeBatch([first], [second], 10).lines.map((l) => l.line)).toEqual(['old', 'new']);
  });

  it('drops the oldest lines over the cap and counts them', () => {
    const view = [line('2026-12-07T10:00:00Z', 'a'), line('2026-12-07T10:00:02Z', 'a')];
    const r = mergeBatch(view, [line('2026-12-07T10:00:01Z', 'b'), line('2026-12-07T10:00:03Z', 'b')], 3);
    expect(r.dropped).toBe(1);
    expect(r.lines.map((l) => l.t)).toEqual(['2026-12-07T10:00:01Z', '2026-12-07T10:00:02Z', '2026-12-07T10:00:03Z']);
  });
});
