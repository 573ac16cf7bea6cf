/**
 * Shared vocabulary of the tar reader and writer: block layout (POSIX ustar,
 * with the GNU and PAX extensions we read), entry types and the checksum.
 */

export const BLOCK = 512;

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** Metadata of one archive member after PAX/GNU extensions were applied. */
export interface TarHeader {
  /**
   * Lightly normalized: no "./" or "." components, no repeated or trailing
   * slashes; "." for the root. ".." components and a leading "/" are kept on
   * purpose: what they mean is the extractor's policy, not the parser's.
   */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Body length in bytes; always 0 for types that carry no body. */
  size: number;
  /** Seconds since the epoch; PAX fractions kept. */
  mtime: number;
  /** Symlink target (verbatim) or hardlink target (archive path, lightly normalized). */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from SCHILY.xattr.* / LIBARCHIVE.xattr.* records, values as raw bytes. */
  xattrs: ReadonlyMap<string, Buffer>;
  /** Byte offset of the first header block of this member (PAX/GNU headers included). */
  offset: number;
  /** Byte offset of the body. */
  dataOffset: number;
}

export const TYPEFLAG = {
  file: 0x30, // '0'
  hardlink: 0x31, // '1'
  symlink: 0x32, // '2'
  char: 0x33, // '3'
  block: 0x34, // '4'
  dir: 0x35, // '5'
  fifo: 0x36, // '6'
  contiguous: 0x37, // '7' (read as a regular file)
  oldFile: 0x00, // '\0' (pre-POSIX regular file; a directory when the name ends in '/')
  paxLocal: 0x78, // 'x'
  paxGlobal: 0x67, // 'g'
  gnuLongName: 0x4c, // 'L'
  gnuLongLink: 0x4b, // 'K'
} as const;

/** Types that never carry a body, whatever the size field says (as Go's archive/tar). */
export function isHeaderOnly(type: TarEntryType): boolean {
  return type !== 'file';
}

/** Field offsets and lengths of a ustar header block. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/** Sum of the header bytes with the checksum field read as spaces: [unsigned, signed]. */
export function headerChecksums(block: Uint8Array): [number, number] {
  // Runs once per member of every archive read: a whole aligned block is
  // summed a 32-bit word at a time, other blocks a byte at a time.
  if (block.length >= BLOCK && block.byteOffset % 4 === 0) return wordChecksums(block);
  const n = Math.min(BLOCK, block.length); // missing bytes count as 0
  let unsigned = 8 * 0x20;
  let high = 0;
  for (let i = 0; i < n; i++) {
    if (i === 148) i = 156;
    if (i >= n) break;
    const b = block[i] as number;
    unsigned += b;
    high += b >>> 7;
  }
  return [unsigned, unsigned - 256 * high];
}

/**
 * headerChecksums of a full block at a 4-byte aligned offset: per word, the
 * bytes are added in two 16-bit lanes (at most 2 × 255 × 126 per lane, no
 * carry between lanes) and their high bits in four 8-bit lanes (at most 126
 * per lane). The checksum field is words 37 and 38 (bytes 148–155).
 */
/** One 32-bit view per buffer, kept while the buffer lives: a view per header was an allocation per member. */
const wordViews = new WeakMap<ArrayBufferLike, Uint32Array>();

function wordsOf(buffer: ArrayBufferLike): Uint32Array {
  let w = wordViews.get(buffer);
  if (w === undefined || w.length !== buffer.byteLength >>> 2) {
    w = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    wordViews.set(buffer, w);
  }
  return w;
}

function wordChecksums(block: Uint8Array): [number, number] {
  const w = wordsOf(block.buffer);
  const base = block.byteOffset >>> 2;
  let lanes = 0;
  let highs = 0;
  for (let i = 0; i < 128; i++) {
    if (i === 37) i = 39;
    const x = w[base + i] as number;
    lanes += (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff);
    highs += (x >>> 7) & 0x01010101;
  }
  const unsigned = 8 * 0x20 + (lanes & 0xffff) + (lanes >>> 16);
  const high = (highs & 0xff) + ((highs >>> 8) & 0xff) + ((highs >>> 16) & 0xff) + (highs >>> 24);
  return [unsigned, unsigned - 256 * high];
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

export function padding(size: number): number {
  const rem = size % BLOCK;
  return rem === 0 ? 0 : BLOCK - rem;
}
