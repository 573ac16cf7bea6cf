import { describe, expect, it } from 'vitest';
import { Scrollback } from './scrollback';

describe('Scrollback', () => {
  it('keeps everything under the limit, with offsets over all bytes', () => {
    const s = new Scrollback(100);
    expect(s.push(Buffer.from('hello '))).toBe(0);
    expect(s.push(Buffer.from('world'))).toBe(6);
    expect(s.snapshot()).toEqual({ data: Buffer.from('hello world'), end: 11 });
  });

  it('keeps only the last `limit` bytes, starting at a line once something was dropped', () => {
    const s = new Scrollback(16);
    for (let i = 0; i < 10; i++) s.push(Buffer.from(`line ${i}\n`));
    const snap = s.snapshot();
    expect(snap.end).toBe(70);
    expect(snap.data.length).toBeLessThanOrEqual(16);
    expect(snap.data.toString()).toBe('line 8\nline 9\n');
  });

  it('a chunk larger than the limit keeps its tail; the caller may reuse its buffer', () => {
    const s = new Scrollback(8);
    const buf = Buffer.from('0123456789abcdef');
    expect(s.push(buf)).toBe(0);
    buf.fill(0x21);
    expect(s.snapshot()).toEqual({ data: Buffer.from('89abcdef'), end: 16 });
  });

  it('a zero limit keeps nothing but still counts', () => {
    const s = new Scrollback(0);
    s.push(Buffer.from('abc'));
    expect(s.snapshot()).toEqual({ data: Buffer.alloc(0), end: 3 });
  });
});
