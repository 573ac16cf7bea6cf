import { describe, expect, it } from 'vitest';
import { isBase64 } from './base64';

describe('isBase64', () => {
  it('takes standard base64 with 0, 1 or 2 pad characters, and the empty string', () => {
    for (const s of [
      '',
      'QQ==',
      'QUI=',
      'QUJD',
      'a+/9',
      btoa(String.fromCharCode(...Array.from({ length: 300 }, (_, i) => i & 255))),
    ])
      expect(isBase64(s), s).toBe(true);
  });

  it('refuses other characters, url-safe base64, whitespace, and padding anywhere but the end', () => {
    for (const s of ['QQ=!', 'a-_b', 'QU JD', 'QUJD\n', '=QUJ', 'QU=D', 'Q===', 'QQ=a', 'é', 'QUJD\u0000'])
      expect(isBase64(s), JSON.stringify(s)).toBe(false);
  });
});
