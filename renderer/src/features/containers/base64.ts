/** Bytes ↔ base64 in the browser (sessions.write / sessions.output carry base64). */

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(bin);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const encoder = new TextEncoder();

/** A string typed into a terminal, as the UTF-8 bytes the process reads, in base64. */
export function utf8ToBase64(s: string): string {
  return bytesToBase64(encoder.encode(s));
}
