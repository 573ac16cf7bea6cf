/**
 * A small tar writer: ustar headers, PAX records for what ustar cannot hold
 * (long names, big sizes/ids, fractional mtimes, xattrs), optional GNU L/K
 * long names. Bodies stream through; nothing is materialized. It writes
 * paths exactly as given (no cleaning), which is what a hostile-corpus
 * builder needs; the low-level encoders are exported for the same reason.
 */
import { Readable } from 'node:stream';
import { BLOCK, FIELD, TYPEFLAG, headerChecksums, padding, type TarEntryType } from './format';
import { encodeNumeric } from './numeric';
import { encodePax } from './pax';

export type TarBody = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface TarWriteEntry {
  path: string;
  type?: TarEntryType;
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Seconds since the epoch; a fraction is written as a PAX mtime record. */
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, string | Uint8Array> | ReadonlyMap<string, Uint8Array>;
  /** Extra PAX records, written after (and so overriding) the generated ones. */
  pax?: Record<string, string | Uint8Array>;
  body?: TarBody;
  /** Required for iterable bodies; defaults to the length of a string/Uint8Array body. */
  size?: number;
  /** How names and link targets longer than ustar allows are carried. Default 'pax'. */
  longNames?: 'pax' | 'gnu';
}

/** Raw header fields for encodeHeader (everything as it will appear in the block). */
export interface RawHeader {
  name: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number | bigint;
  mtime?: number | bigint;
  typeflag: number;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  prefix?: string;
  /** 'posix' writes "ustar\0" + "00"; 'gnu' writes "ustar  \0"; 'v7' leaves it empty. */
  magic?: 'posix' | 'gnu' | 'v7';
  /** Write size in base-256 even when octal would do. */
  base256Size?: boolean;
  /** Override the computed checksum (to build broken archives). */
  checksum?: number;
}

const TYPE_TO_FLAG: Record<TarEntryType, number> = {
  file: TYPEFLAG.file,
  dir: TYPEFLAG.dir,
  symlink: TYPEFLAG.symlink,
  hardlink: TYPEFLAG.hardlink,
  char: TYPEFLAG.char,
  block: TYPEFLAG.block,
  fifo: TYPEFLAG.fifo,
};

// The two below write into the (zeroed) block directly when they can: a header
// was ≈ 20 small buffers and 7 BigInt conversions, per member of a packed
// build context. What they write is byte for byte what the general paths give.
// A field is read by index, not destructured: a destructured array parameter
// runs the iterator protocol, which before V8 optimises a function (a short
// CLI process never gets there) was most of a header's ≈ 25 µs.

function putString(block: Buffer, field: readonly [number, number], value: string): void {
  if (value === '') return;
  const off = field[0];
  const len = field[1];
  // Fits whole: written in place. Else cut at `len` bytes, even inside a character, as before.
  if (value.length * 3 <= len || Buffer.byteLength(value) <= len) {
    block.write(value, off, 'utf8');
    return;
  }
  const bytes = Buffer.from(value, 'utf8');
  bytes.copy(block, off, 0, Math.min(len, bytes.length));
}

function putNumber(block: Buffer, field: readonly [number, number], value: number | bigint, base256 = false): void {
  const off = field[0];
  const len = field[1];
  // Octal digits and the NUL the zeroed block already holds, as encodeNumeric writes them.
  if (!base256 && typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < 8 ** (len - 1)) {
    block.write(value.toString(8).padStart(len - 1, '0'), off, 'latin1');
    return;
  }
  encodeNumeric(value, len, base256).copy(block, off);
}

/** Encodes one 512-byte header block. */
export function encodeHeader(h: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  putString(block, FIELD.name, h.name);
  putNumber(block, FIELD.mode, h.mode ?? 0o644);
  putNumber(block, FIELD.uid, h.uid ?? 0);
  putNumber(block, FIELD.gid, h.gid ?? 0);
  putNumber(block, FIELD.size, h.size ?? 0, h.base256Size);
  putNumber(block, FIELD.mtime, h.mtime ?? 0);
  block[FIELD.typeflag[0]] = h.typeflag;
  putString(block, FIELD.linkname, h.linkname ?? '');
  const magic = h.magic ?? 'posix';
  if (magic === 'posix') block.write('ustar\x0000', FIELD.magic[0], 'latin1');
  else if (magic === 'gnu') block.write('ustar  \x00', FIELD.magic[0], 'latin1');
  putString(block, FIELD.uname, h.uname ?? '');
  putString(block, FIELD.gname, h.gname ?? '');
  if (magic !== 'v7') {
    putNumber(block, FIELD.devmajor, h.devmajor ?? 0);
    putNumber(block, FIELD.devminor, h.devminor ?? 0);
  }
  if (h.prefix) putString(block, FIELD.prefix, h.prefix);
  const sum = h.checksum ?? headerChecksums(block)[0];
  // Six octal digits, NUL, space: the traditional layout.
  block.write(`${sum.toString(8).padStart(6, '0')}\x00 `, FIELD.chksum[0], 'latin1');
  return block;
}

/** The end-of-archive marker: two zero blocks. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

export function padBlock(size: number): Buffer {
  return Buffer.alloc(padding(size));
}

/** A PAX ('x' or 'g') member: header + records + padding. */
export function encodePaxMember(
  records: Iterable<readonly [string, string | Uint8Array]>,
  options: { global?: boolean; name?: string } = {},
): Buffer {
  const data = encodePax(records);
  const header = encodeHeader({
    name: options.name ?? (options.global ? 'pax_global_header' : 'PaxHeader'),
    typeflag: options.global ? TYPEFLAG.paxGlobal : TYPEFLAG.paxLocal,
    size: data.length,
  });
  return Buffer.concat([header, data, padBlock(data.length)]);
}

/** A GNU 'L' (long name) or 'K' (long link) member. */
export function encodeGnuLong(kind: 'name' | 'link', value: string): Buffer {
  const data = Buffer.concat([Buffer.from(value, 'utf8'), Buffer.alloc(1)]);
  const header = encodeHeader({
    name: '././@LongLink',
    typeflag: kind === 'name' ? TYPEFLAG.gnuLongName : TYPEFLAG.gnuLongLink,
    size: data.length,
    magic: 'gnu',
  });
  return Buffer.concat([header, data, padBlock(data.length)]);
}

/** Splits a path into ustar prefix + name, or null when it does not fit. */
function splitUstar(path: string): { prefix: string; name: string } | null {
  const bytes = Buffer.byteLength(path);
  if (bytes <= 100) return { prefix: '', name: path };
  if (bytes > 256) return null;
  for (let i = path.lastIndexOf('/', path.length - 2); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  return null;
}

function bodySize(e: TarWriteEntry): number {
  if ((e.type ?? 'file') !== 'file') return 0;
  if (e.size !== undefined) return e.size;
  if (e.body === undefined) return 0;
  if (typeof e.body === 'string') return Buffer.byteLength(e.body);
  if (e.body instanceof Uint8Array) return e.body.length;
  throw new Error(`tar writer: ${e.path}: an iterable body needs an explicit size`);
}

const MAX_OCTAL_ID = 0o7777777;
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/** Header blocks (extension members included) for one entry. */
export function encodeEntryHeader(e: TarWriteEntry): Buffer {
  const type = e.type ?? 'file';
  const size = bodySize(e);
  const parts: Buffer[] = [];
  const pax: Array<[string, string | Uint8Array]> = [];
  const gnu = e.longNames === 'gnu';

  const headerPath = type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  let split = splitUstar(headerPath);
  if (split === null || (gnu && Buffer.byteLength(headerPath) > 100)) {
    if (gnu) parts.push(encodeGnuLong('name', headerPath));
    else pax.push(['path', headerPath]);
    split = { prefix: '', name: Buffer.from(headerPath).subarray(0, 100).toString('utf8') };
  }
  const linkname = e.linkname ?? '';
  let headerLink = linkname;
  if (Buffer.byteLength(linkname) > 100) {
    if (gnu) parts.push(encodeGnuLong('link', linkname));
    else pax.push(['linkpath', linkname]);
    headerLink = Buffer.from(linkname).subarray(0, 100).toString('utf8');
  }
  const uid = e.uid ?? 0;
  const gid = e.gid ?? 0;
  if (uid > MAX_OCTAL_ID) pax.push(['uid', String(uid)]);
  if (gid > MAX_OCTAL_ID) pax.push(['gid', String(gid)]);
  if (size > MAX_OCTAL_SIZE) pax.push(['size', String(size)]);
  const mtime = e.mtime ?? 0;
  if (!Number.isInteger(mtime)) pax.push(['mtime', mtime.toFixed(9).replace(/0+$/, '')]);
  if (e.uname && Buffer.byteLength(e.uname) > 32) pax.push(['uname', e.uname]);
  if (e.gname && Buffer.byteLength(e.gname) > 32) pax.push(['gname', e.gname]);
  const xattrs = e.xattrs instanceof Map ? [...e.xattrs] : Object.entries(e.xattrs ?? {});
  for (const [k, v] of xattrs) pax.push([`SCHILY.xattr.${k}`, v]);
  for (const [k, v] of Object.entries(e.pax ?? {})) pax.push([k, v]);
  if (pax.length > 0) parts.push(encodePaxMember(pax, { name: `PaxHeaders/${split.name}`.slice(0, 100) }));

  parts.push(
    encodeHeader({
      name: split.name,
      prefix: split.prefix,
      mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644),
      uid: Math.min(uid, MAX_OCTAL_ID),
      gid: Math.min(gid, MAX_OCTAL_ID),
      size,
      mtime: Math.floor(mtime),
      typeflag: TYPE_TO_FLAG[type],
      linkname: headerLink,
      uname: e.uname ?? '',
      gname: e.gname ?? '',
      devmajor: e.devmajor ?? 0,
      devminor: e.devminor ?? 0,
      magic: gnu ? 'gnu' : 'posix',
    }),
  );
  return Buffer.concat(parts);
}

async function* bodyChunks(e: TarWriteEntry, size: number): AsyncGenerator<Buffer> {
  let written = 0;
  const body = e.body;
  if (body !== undefined && size > 0) {
    const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> =
      typeof body === 'string' ? [Buffer.from(body)] : body instanceof Uint8Array ? [body] : body;
    for await (const c of chunks) {
      written += c.length;
      if (written > size) throw new Error(`tar writer: ${e.path}: body longer than its size ${size}`);
      yield Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    }
  }
  if (written !== size) throw new Error(`tar writer: ${e.path}: body has ${written} bytes, size says ${size}`);
  const pad = padding(size);
  if (pad) yield Buffer.alloc(pad);
}

/**
 * The blocks of one entry whose body is in memory (none, a string or bytes),
 * made at once: what tarChunks yields for it, without an async generator per
 * entry (main packs a build context of many small files this way). Null when
 * the body streams; tarChunks takes those.
 */
export function entryBlocksSync(e: TarWriteEntry): Buffer[] | null {
  const body = e.body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) return null;
  const size = bodySize(e);
  const out = [encodeEntryHeader(e)];
  if (body !== undefined && size > 0) {
    const bytes =
      typeof body === 'string'
        ? Buffer.from(body)
        : Buffer.isBuffer(body)
          ? body
          : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (bytes.length > size) throw new Error(`tar writer: ${e.path}: body longer than its size ${size}`);
    if (bytes.length !== size)
      throw new Error(`tar writer: ${e.path}: body has ${bytes.length} bytes, size says ${size}`);
    out.push(bytes);
  } else if (size > 0) throw new Error(`tar writer: ${e.path}: body has 0 bytes, size says ${size}`);
  const pad = padding(size);
  if (pad) out.push(Buffer.alloc(pad));
  return out;
}

/** Streams a whole archive (end marker included unless `end: false`). */
export async function* tarChunks(
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
  options: { end?: boolean } = {},
): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    yield encodeEntryHeader(e);
    yield* bodyChunks(e, bodySize(e));
  }
  if (options.end ?? true) yield endOfArchive();
}

export function tarStream(
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
  options?: { end?: boolean },
): Readable {
  return Readable.from(tarChunks(entries, options), { objectMode: false });
}

export async function tarBuffer(
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
  options?: { end?: boolean },
): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of tarChunks(entries, options)) out.push(c);
  return Buffer.concat(out);
}

/** `size` zero bytes as a body, reusing one buffer: large bodies without materializing them. */
export function* zeros(size: number, chunkSize = 1024 * 1024): Generator<Buffer> {
  const chunk = Buffer.alloc(Math.min(chunkSize, Math.max(size, 1)));
  for (let left = size; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
}
