/**
 * Numeric header fields: NUL/space-terminated octal, or GNU base-256 (high
 * bit of the first byte set) for values octal cannot hold. Parsed as BigInt
 * so a hostile 2^62 or negative value is seen for what it is before any
 * conversion to a JS number.
 */

/** Returns null when the field is malformed. */
export function parseNumeric(field: Uint8Array): bigint | null {
  return parseNumericAt(field, 0, field.length);
}

/** parseNumeric of block[off, off + len), without a view per field (the tar reader parses six per header). */
export function parseNumericAt(block: Uint8Array, off: number, len: number): bigint | null {
  const end = Math.min(off + len, block.length);
  const first = len > 0 ? (block[off] ?? 0) : 0;
  if (first & 0x80) {
    // Two's complement big-endian; bit 0x40 of the first byte is the sign.
    const inv = first & 0x40 ? 0xff : 0;
    let x = 0n;
    for (let i = off; i < end; i++) {
      let c = (block[i] ?? 0) ^ inv;
      if (i === off) c &= 0x7f;
      x = (x << 8n) | BigInt(c);
    }
    return inv ? -x - 1n : x;
  }
  let i = off;
  while (i < end && block[i] === 0x20) i++; // leading spaces
  // Digits accumulate in a Number while exact (8^17 = 2^51), as BigInt only past that.
  let small = 0;
  let x = 0n;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return null;
    if (digits < 17) small = small * 8 + (c - 0x30);
    else {
      if (digits === 17) x = BigInt(small);
      x = x * 8n + BigInt(c - 0x30);
    }
    digits++;
  }
  if (digits <= 17) x = BigInt(small);
  // Only NULs and spaces may follow the terminator.
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c !== 0 && c !== 0x20) return null;
  }
  return digits === 0 ? 0n : x;
}

/**
 * parseNumericAt's fast path, as a Number: a plain octal field (leading
 * spaces, at most 17 digits, so below 2^51 and exact, then only NULs and
 * spaces). Anything else (base-256, more digits, junk) returns undefined
 * and is left to parseNumericAt, with its BigInt and its errors: a header
 * of ordinary numbers then allocates no BigInt at all.
 */
export function parseOctalAt(block: Uint8Array, off: number, len: number): number | undefined {
  const end = Math.min(off + len, block.length);
  let i = off;
  if (len > 0 && ((block[off] ?? 0) & 0x80) !== 0) return undefined;
  while (i < end && block[i] === 0x20) i++;
  let x = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] as number;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37 || digits === 17) return undefined;
    x = x * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) {
    const c = block[i] as number;
    if (c !== 0 && c !== 0x20) return undefined;
  }
  return x;
}

/** Writes `value` as zero-padded octal + NUL, or base-256 when it does not fit. */
export function encodeNumeric(value: number | bigint, length: number, forceBase256 = false): Buffer {
  const v = BigInt(value);
  const out = Buffer.alloc(length);
  const maxOctal = 8n ** BigInt(length - 1) - 1n;
  if (!forceBase256 && v >= 0n && v <= maxOctal) {
    out.write(v.toString(8).padStart(length - 1, '0'), 0, 'ascii');
    return out;
  }
  let x = v < 0n ? (1n << BigInt(8 * length)) + v : v;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  out[0] = (out[0] ?? 0) | 0x80;
  return out;
}
