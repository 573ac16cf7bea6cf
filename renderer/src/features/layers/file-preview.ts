/**
 * Pure formatting of a file read from a layer (`layers.readFile`): is it
 * text, the text itself, a hex dump (offset | hex | ascii, as `hexdump -C`),
 * and the sentences that say how much is shown and what a non-regular
 * entry is. No DOM: unit-tested on their own.
 */
import type { LayerFileContentT } from '../../../../preload/schemas/images';
import { formatBytes } from '../../ui/units';

/** Bytes of a binary file shown as hex (the read returns up to 64 KiB; a dump that long helps nobody). */
export const HEX_DUMP_BYTES = 4096;

export function fromBase64(data: string): Uint8Array {
  const s = atob(data);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Control characters that text files do not hold (tab, LF, VT, FF, CR and ESC are allowed). */
function isOddControl(b: number): boolean {
  return (b < 0x20 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 27) || b === 0x7f;
}

/**
 * The bytes as text, or null when they are binary: any NUL, invalid UTF-8
 * (a sequence cut by the cap at the very end is allowed), or more than 1 in
 * 32 odd control characters.
 */
export function asText(bytes: Uint8Array, cut: boolean): string | null {
  let odd = 0;
  for (const b of bytes) {
    if (b === 0) return null;
    if (isOddControl(b)) odd++;
  }
  if (odd * 32 > bytes.length) return null;
  const dec = new TextDecoder('utf-8', { fatal: true });
  // A multi-byte character cut by the cap: drop up to 3 trailing bytes, only when cut.
  for (let drop = 0; drop <= (cut ? 3 : 0) && drop <= bytes.length; drop++) {
    try {
      return dec.decode(bytes.subarray(0, bytes.length - drop));
    } catch {
      /* try one byte fewer */
    }
  }
  return null;
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** `hexdump -C` lines: 8-digit offset, 16 bytes in two groups of 8, the printable ASCII between bars. */
export function hexDump(bytes: Uint8Array, limit = HEX_DUMP_BYTES): string[] {
  const n = Math.min(bytes.length, limit);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      const b = row[i];
      hex += (b === undefined ? '  ' : hex2(b)) + (i === 7 ? '  ' : ' ');
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** "all 12 bytes", or "first 65,536 of 2,097,152 bytes (64 KiB of 2 MiB)". */
export function shownNote(shown: number, total: number): string {
  if (shown >= total) return `all ${count(total)} ${total === 1 ? 'byte' : 'bytes'}`;
  return `first ${count(shown)} of ${count(total)} bytes (${formatBytes(shown)} of ${formatBytes(total)})`;
}

/** What a read found, as one sentence (the file itself shows its bytes instead). */
export function describeEntry(f: LayerFileContentT, asked: number): string {
  const where = f.layer === asked ? 'in this layer' : `in layer ${f.layer + 1}`;
  switch (f.kind) {
    case 'removed': {
      const how =
        f.by === 'whiteout'
          ? `whiteout ${f.entry}`
          : f.by === 'opaque'
            ? `opaque directory marker ${f.entry}`
            : `${f.entry} replaced by a non-directory`;
      return `Removed ${where} (${how}).`;
    }
    case 'symlink':
      return `Symbolic link to ${f.linkname}, ${where}; not followed.`;
    case 'hardlink':
      return `Hard link to /${f.linkname.replace(/^\/+/, '')}, ${where}: the same bytes as that file.`;
    case 'char':
    case 'block':
      return `${f.kind === 'char' ? 'Character' : 'Block'} device ${f.devmajor}:${f.devminor} (major:minor), ${where}.`;
    case 'fifo':
      return `Named pipe (FIFO), ${where}: no contents.`;
    case 'dir':
      return `Directory, ${where}.`;
    case 'file':
      return `Regular file of ${formatBytes(f.size)}, ${where}.`;
  }
}
