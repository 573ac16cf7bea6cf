import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, utf8ToBase64 } from './base64';

describe('base64', () => {
  it('encodes UTF-8 bytes, not UTF-16 code units', () => {
    expect(utf8ToBase64('echo hi\r')).toBe(btoa('echo hi\r'));
    // c3 a9 | e2 86 92 | f0 9f 99 82
    expect(utf8ToBase64('é→🙂')).toBe('w6nihpLwn5mC');
  });

  it('round-trips arbitrary bytes, large ones included', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    const back = base64ToBytes(bytesToBase64(bytes));
    expect(back.length).toBe(bytes.length);
    expect(back.every((b, i) => b === bytes[i])).toBe(true);
    expect(bytesToBase64(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
  });
});
