/**
 * Streaming tar reader: ustar, GNU long names/links (L/K), PAX local and
 * global headers, base-256 numbers. Yields one entry at a time; the body is
 * a stream the caller consumes or skips (an unread body is skipped
 * automatically when the next entry is requested). Memory stays bounded by
 * one source chunk plus the extension headers of one entry.
 *
 * Extension headers are capped three ways (ARCHIVE_METADATA_TOO_LARGE), since
 * a stream of nothing but headers compresses ~1000:1: the chain in front of
 * one entry (≤ 2 × maxMetaSize), global PAX headers over the whole stream
 * (≤ maxMetaSize: they are kept until the end), and every extension header
 * read from the stream (maxArchiveMetadata, limits.ts).
 */
import { ByteReader, type ByteSource } from './byte-reader';
import {
  BLOCK,
  FIELD,
  TYPEFLAG,
  headerChecksums,
  isHeaderOnly,
  isZeroBlock,
  padding,
  type TarEntryType,
  type TarHeader,
} from './format';
import { parseNumericAt, parseOctalAt } from './numeric';
import { parsePax, type PaxRecords } from './pax';
import { DEFAULT_ARCHIVE_LIMITS } from '../limits';
import { BerthError } from '../../../../preload/errors';

export interface TarEntry extends TarHeader {
  /** The body, exactly `size` bytes. May be iterated once. */
  body(): AsyncIterable<Buffer>;
  /** Discards the (rest of the) body. */
  skip(): Promise<void>;
}

export interface TarReadOptions {
  /** Largest body accepted (TAR_SIZE_LIMIT above). Default 64 GiB. */
  maxEntrySize?: number;
  /** Largest PAX or GNU long-name header body, which is held in memory. Default 1 MiB. */
  maxMetaSize?: number;
  /** Extension-header bytes in the whole stream (ARCHIVE_METADATA_TOO_LARGE). Default limits.ts's. */
  maxArchiveMetadata?: number;
  /** Known length of the whole stream: a body reaching past it is TAR_TRUNCATED before any byte is read. */
  totalSize?: number;
  /** Read the input to its end after the end-of-archive marker (default true), so taps hash every byte. */
  drain?: boolean;
  /** Accept a stream that ends on a block boundary without the end marker (default false). */
  allowMissingEnd?: boolean;
}

export const DEFAULT_MAX_ENTRY_SIZE = 64 * 1024 ** 3;
const DEFAULT_MAX_META = 1024 * 1024;
const MAX_PATH = 4096;

type Source = AsyncIterable<Uint8Array | string>;

interface Pending {
  left: number;
  pad: number;
  name: string;
  closed: boolean;
  started: boolean;
}

function cstring(block: Buffer, [off, len]: readonly [number, number]): string {
  // Empty fields (link name, prefix, often uname/gname) are most of them: no decoding call for those.
  if (block[off] === 0) return '';
  const nul = block.indexOf(0, off);
  return block.toString('utf8', off, nul < 0 || nul > off + len ? off + len : nul);
}

/** True when normalizeTarPath would only drop a trailing slash (the common case, without split/join). */
function isPlainPath(raw: string): boolean {
  return (
    raw !== '' &&
    raw !== '.' &&
    !raw.startsWith('/') &&
    !raw.startsWith('./') &&
    !raw.includes('//') &&
    !raw.includes('/./') &&
    !raw.endsWith('/.')
  );
}

/** Lightly normalizes a member name (see TarHeader.path). */
export function normalizeTarPath(raw: string, entry: string): string {
  if (raw.includes('\0')) throw new BerthError('TAR_BAD_HEADER', 'NUL byte in a path', { entry });
  if (raw.length > MAX_PATH)
    throw new BerthError('TAR_BAD_HEADER', 'path longer than 4096 bytes', { entry: raw.slice(0, 200) });
  if (isPlainPath(raw)) return raw.endsWith('/') ? raw.slice(0, -1) : raw;
  const abs = raw.startsWith('/');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return abs ? '/' : '.';
  return (abs ? '/' : '') + parts.join('/');
}

class HeaderContext {
  longName: string | undefined;
  longLink: string | undefined;
  pax: PaxRecords = new Map();
  firstOffset = -1;
  get pending(): boolean {
    return this.firstOffset >= 0;
  }
}

function isByteSource(s: Source | ByteSource): s is ByteSource {
  return typeof (s as ByteSource).readSome === 'function' && typeof (s as ByteSource).skip === 'function';
}

/** Yields the entries of a tar stream (or of a seekable ByteSource such as range-reader.ts). */
export function readTar(source: Source | ByteSource, options: TarReadOptions = {}): AsyncGenerator<TarEntry> {
  return walkTar(source, options, false) as AsyncGenerator<TarEntry>;
}

/**
 * The headers of a tar stream without their bodies (skipped), in batches:
 * every header already at hand is parsed in one synchronous loop and the
 * batch is yielded when the next one needs I/O (a listing of small files
 * then awaits once per read-ahead window, not once per entry, and makes no
 * body handles). Same parsing, checks and errors as readTar.
 */
export function readTarHeaders(source: Source | ByteSource, options: TarReadOptions = {}): AsyncGenerator<TarHeader[]> {
  return walkTar(source, options, true) as AsyncGenerator<TarHeader[]>;
}

/** readTar (one entry at a time, with its body) or readTarHeaders (`batched`: header batches, bodies skipped). */
async function* walkTar(
  source: Source | ByteSource,
  options: TarReadOptions,
  batched: boolean,
): AsyncGenerator<TarEntry | TarHeader[]> {
  const maxEntrySize = options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
  const maxMeta = options.maxMetaSize ?? DEFAULT_MAX_META;
  const maxTotalMeta = options.maxArchiveMetadata ?? DEFAULT_ARCHIVE_LIMITS.metadataBytes;
  const meta = { total: 0, chain: 0, global: 0 };
  const r: ByteSource = isByteSource(source) ? source : new ByteReader(source);
  const global: PaxRecords = new Map();
  // Body bytes (plus padding) of the previous entry not yet consumed.
  let pending: Pending | undefined;

  const skipPending = async (): Promise<void> => {
    if (!pending) return;
    const p = pending;
    pending = undefined;
    p.closed = true;
    await nameEntry(
      r.skip(p.left + p.pad, () => `the body of ${p.name}`),
      p.name,
    );
  };

  // A seekable source skips without I/O: no promise per entry. False leaves it to skipPending.
  const skipPendingSync = (): boolean => {
    if (!pending) return true;
    if (!r.skipSync?.(pending.left + pending.pad)) return false;
    pending.closed = true;
    pending = undefined;
    return true;
  };

  let batch: TarHeader[] = [];
  try {
    let ctx = new HeaderContext();
    for (;;) {
      if (!skipPendingSync()) await skipPending();
      const offset = r.position;
      let block: Buffer | null | undefined = r.readExactSync?.(BLOCK);
      if (block === undefined) {
        // The next header needs I/O: hand over what is parsed first.
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        block = await r.readExact(BLOCK, 'a header block');
      }
      if (block === null) {
        if (ctx.pending) throw new BerthError('TAR_TRUNCATED', 'archive ends after an extension header', { offset });
        if (options.allowMissingEnd) break;
        throw new BerthError('TAR_TRUNCATED', 'archive ends without the end-of-archive marker', { offset });
      }
      if (isZeroBlock(block)) {
        if (ctx.pending)
          throw new BerthError('TAR_BAD_HEADER', 'extension header not followed by an entry', { offset });
        const second = await r.readExact(BLOCK, 'the end-of-archive marker');
        // A lone zero block at EOF is accepted, as GNU tar and Go do.
        if (second !== null && !isZeroBlock(second)) {
          throw new BerthError('TAR_BAD_HEADER', 'data after a single zero block', { offset: offset + BLOCK });
        }
        break;
      }
      const header = parseBlock(block, offset, ctx, global, maxEntrySize, maxMeta);
      if (header.kind === 'meta') {
        if (ctx.firstOffset < 0 && header.flag !== TYPEFLAG.paxGlobal) ctx.firstOffset = offset;
        if (header.size > maxMeta) {
          throw new BerthError('TAR_SIZE_LIMIT', `extension header of ${header.size} bytes exceeds ${maxMeta}`, {
            entry: header.name,
            offset,
          });
        }
        // Counted before the bytes are read: a breach holds nothing more.
        const isGlobal = header.flag === TYPEFLAG.paxGlobal;
        meta.total += header.size;
        if (isGlobal) meta.global += header.size;
        else meta.chain += header.size;
        const over =
          meta.total > maxTotalMeta
            ? `extension headers of ${meta.total} bytes in all exceed ${maxTotalMeta}`
            : isGlobal && meta.global > maxMeta
              ? `global PAX headers of ${meta.global} bytes exceed ${maxMeta}`
              : !isGlobal && meta.chain > 2 * maxMeta
                ? `a chain of extension headers of ${meta.chain} bytes before one entry exceeds ${2 * maxMeta}`
                : null;
        if (over !== null) {
          throw new BerthError('ARCHIVE_METADATA_TOO_LARGE', over, {
            entry: header.name,
            offset,
            total: meta.total,
            limit: maxTotalMeta,
          });
        }
        const data = (await r.readExact(header.size, 'an extension header')) ?? Buffer.alloc(0);
        if (data.length !== header.size) {
          throw new BerthError('TAR_TRUNCATED', 'archive ends inside an extension header', { offset });
        }
        await r.skip(padding(header.size), () => 'extension header padding');
        applyMeta(header.flag, data, ctx, global, header.name);
        continue;
      }
      meta.chain = 0;
      const entryOffset = ctx.pending ? ctx.firstOffset : offset;
      // A context no extension header touched is still blank: keep it.
      if (ctx.pending || ctx.longName !== undefined || ctx.longLink !== undefined || ctx.pax.size > 0)
        ctx = new HeaderContext();
      const h = header.fields as TarHeader;
      h.offset = entryOffset;
      h.dataOffset = r.position;
      if (options.totalSize !== undefined && h.dataOffset + h.size > options.totalSize) {
        throw new BerthError('TAR_TRUNCATED', `entry declares ${h.size} bytes but the archive ends first`, {
          entry: h.path,
          size: h.size,
          remaining: Math.max(0, options.totalSize - h.dataOffset),
        });
      }
      const cur: Pending = { left: h.size, pad: padding(h.size), name: h.path, closed: false, started: false };
      pending = cur;
      if (batched) {
        batch.push(h);
        continue;
      }
      const entry = h as TarEntry;
      Object.assign(entry, {
        body(): AsyncIterable<Buffer> {
          if (cur.started || cur.closed) throw new Error(`tar body of ${h.path} iterated twice or after skip`);
          cur.started = true;
          return (async function* () {
            while (cur.left > 0) {
              // The reader moved on (next entry requested mid-body): stop rather than read another member's bytes.
              if (cur.closed) throw new Error(`tar body of ${h.path} read after the reader moved on`);
              const chunk = await nameEntry(
                r.readSome(cur.left, () => `the body of ${h.path}`),
                h.path,
              );
              cur.left -= chunk.length;
              yield chunk;
            }
          })();
        },
        async skip(): Promise<void> {
          if (pending === cur) await skipPending();
        },
      });
      yield entry;
    }
    if (batch.length > 0) yield batch;
    if (options.drain ?? true) await r.drain();
  } finally {
    await r.close();
  }
}

/** Adds the entry name to errors raised while reading its body. */
async function nameEntry<T>(p: Promise<T>, entry: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof BerthError && err.details?.['entry'] === undefined) {
      throw new BerthError(err.code, err.message, { ...err.details, entry });
    }
    throw err;
  }
}

type Parsed =
  | { kind: 'meta'; flag: number; size: number; name: string }
  | { kind: 'entry'; fields: Omit<TarHeader, 'offset' | 'dataOffset'> };

function parseBlock(
  block: Buffer,
  offset: number,
  ctx: HeaderContext,
  global: PaxRecords,
  maxEntrySize: number,
  maxMeta: number,
): Parsed {
  const h = new HeaderBlock(block, offset);
  verifyChecksum(h);

  const flag = block[FIELD.typeflag[0]] ?? 0;
  const rawSize = h.num('size');
  if (rawSize < 0) throw h.bad('negative size');
  if (isMetaFlag(flag)) return metaHeader(h, flag, rawSize, maxMeta);

  const name = headerName(h);
  const type = entryType(h, flag, name);
  const rec = (key: string): Buffer | undefined => ctx.pax.get(key) ?? global.get(key);
  rejectSparse(h, ctx);
  const path = entryPath(h, ctx, name);
  const size = entrySize(h, ctx, rawSize, path, maxEntrySize);
  const mtime = entryMtime(h, rec('mtime'));
  const linkname = entryLink(h, ctx, type, path);
  const xattrs = paxXattrs(h, ctx, global);
  const mode = h.num('mode');
  if (mode < 0) throw h.bad('negative mode');

  return {
    kind: 'entry',
    fields: {
      path,
      type,
      // A Number here is below 2^51: % keeps the low 12 bits as & does (which 32-bit | would not).
      mode: typeof mode === 'number' ? mode % 0o10000 : Number(mode & 0o7777n),
      uid: idField(h, rec('uid'), 'uid', path),
      gid: idField(h, rec('gid'), 'gid', path),
      uname: rec('uname')?.toString('utf8') ?? cstring(block, FIELD.uname),
      gname: rec('gname')?.toString('utf8') ?? cstring(block, FIELD.gname),
      size: isHeaderOnly(type) ? 0 : Number(size),
      mtime,
      linkname,
      devmajor: devField(h, type, 'devmajor'),
      devminor: devField(h, type, 'devminor'),
      xattrs,
    },
  };
}

// ── parseBlock's phases ─────────────────────────────────────────────────────

/** One 512-byte header being decoded: its numeric fields, and errors that name its entry. */
class HeaderBlock {
  readonly rawName: string;
  /** The header's own name, or where it is: for error messages. */
  readonly entry: string;

  constructor(
    readonly block: Buffer,
    readonly offset: number,
  ) {
    this.rawName = cstring(block, FIELD.name);
    this.entry = this.rawName || `<header at ${offset}>`;
  }

  bad(what: string, extra?: Record<string, unknown>): BerthError {
    const { entry, offset } = this;
    return new BerthError('TAR_BAD_HEADER', `${what} in header of ${entry}`, { entry, offset, ...extra });
  }

  /** A Number for plain octal (the usual case), a BigInt only for base-256 or very long fields. */
  num(field: keyof typeof FIELD): number | bigint {
    const [o, l] = FIELD[field];
    const v = parseOctalAt(this.block, o, l) ?? parseNumericAt(this.block, o, l);
    if (v === null) throw this.bad(`malformed number in field ${field}`);
    return v;
  }
}

/** The stored checksum must match the header's sum, unsigned or (old tars) signed. */
function verifyChecksum(h: HeaderBlock): void {
  const [o, l] = FIELD.chksum;
  const parsed = parseOctalAt(h.block, o, l) ?? parseNumericAt(h.block, o, l);
  // Compared as Numbers: a sum of 512 bytes is small, and a BigInt per sum per header was a cost of its own.
  const stored = parsed === null ? null : Number(parsed);
  const [unsigned, signed] = headerChecksums(h.block);
  if (stored === null || (stored !== unsigned && stored !== signed)) {
    throw h.bad('bad checksum', { stored, computed: unsigned });
  }
}

/** PAX (local, global) and GNU long name/link headers: metadata for the next member. */
function isMetaFlag(flag: number): boolean {
  return (
    flag === TYPEFLAG.paxLocal ||
    flag === TYPEFLAG.paxGlobal ||
    flag === TYPEFLAG.gnuLongName ||
    flag === TYPEFLAG.gnuLongLink
  );
}

function metaHeader(h: HeaderBlock, flag: number, rawSize: number | bigint, maxMeta: number): Parsed {
  const { entry, offset } = h;
  if (rawSize > maxMeta) {
    // exact for a BigInt too: mixed comparisons are by value
    throw new BerthError('TAR_SIZE_LIMIT', `extension header of ${rawSize} bytes exceeds ${maxMeta}`, {
      entry,
      offset,
    });
  }
  return { kind: 'meta', flag, size: Number(rawSize), name: entry };
}

/** The header's name, with the ustar prefix field in front where there is one. */
function headerName(h: HeaderBlock): string {
  if (!isUstar(h.block)) return h.rawName;
  const prefix = cstring(h.block, FIELD.prefix);
  return prefix ? `${prefix}/${h.rawName}` : h.rawName;
}

const USTAR = Buffer.from('ustar\x00', 'latin1');

/** The magic field starts with "ustar\0" (POSIX ustar, where the prefix field exists); compared in place. */
function isUstar(block: Buffer): boolean {
  const o = FIELD.magic[0];
  for (let i = 0; i < USTAR.length; i++) if (block[o + i] !== USTAR[i]) return false;
  return true;
}

/** Entry types by typeflag; the old-style '\0' flag is decided by the name (entryType). */
const ENTRY_TYPES: ReadonlyMap<number, TarEntryType> = new Map<number, TarEntryType>([
  [TYPEFLAG.file, 'file'],
  [TYPEFLAG.contiguous, 'file'],
  [TYPEFLAG.hardlink, 'hardlink'],
  [TYPEFLAG.symlink, 'symlink'],
  [TYPEFLAG.char, 'char'],
  [TYPEFLAG.block, 'block'],
  [TYPEFLAG.dir, 'dir'],
  [TYPEFLAG.fifo, 'fifo'],
]);

function entryType(h: HeaderBlock, flag: number, name: string): TarEntryType {
  if (flag === TYPEFLAG.oldFile) return name.endsWith('/') ? 'dir' : 'file';
  const type = ENTRY_TYPES.get(flag);
  if (type !== undefined) return type;
  const { entry, offset } = h;
  throw new BerthError('TAR_UNSUPPORTED', `unsupported entry type '${String.fromCharCode(flag)}' for ${entry}`, {
    entry,
    offset,
    typeflag: String.fromCharCode(flag),
  });
}

function rejectSparse(h: HeaderBlock, ctx: HeaderContext): void {
  const { entry, offset } = h;
  for (const key of ctx.pax.keys()) {
    if (key.startsWith('GNU.sparse.')) {
      throw new BerthError('TAR_UNSUPPORTED', `GNU sparse file ${entry} is not supported`, { entry, offset });
    }
  }
}

/**
 * The member's path, normalized. Precedence: PAX path > GNU long name >
 * header. Global path/linkpath/size are ignored: they would rename or resize
 * every following member.
 */
function entryPath(h: HeaderBlock, ctx: HeaderContext, name: string): string {
  const paxPath = ctx.pax.get('path');
  const path = paxPath !== undefined ? paxPath.toString('utf8') : (ctx.longName ?? name);
  const normalized = normalizeTarPath(path, path || h.entry);
  if (normalized === '' || path === '') throw h.bad('empty path');
  return normalized;
}

/** The body size: a local PAX size over the header's, within maxEntrySize. */
function entrySize(
  h: HeaderBlock,
  ctx: HeaderContext,
  rawSize: number | bigint,
  path: string,
  maxEntrySize: number,
): number | bigint {
  let size = rawSize;
  const paxSize = ctx.pax.get('size');
  if (paxSize !== undefined) size = paxDecimal(paxSize, 'size', path, h.offset);
  if (size > maxEntrySize) {
    throw new BerthError(
      'TAR_SIZE_LIMIT',
      `entry ${path} declares ${size} bytes, more than the limit of ${maxEntrySize}`,
      {
        entry: path,
        size: size.toString(),
        limit: maxEntrySize,
      },
    );
  }
  return size;
}

/** PAX mtime (seconds with a fraction), else the header's, within a safe integer. */
function entryMtime(h: HeaderBlock, mtimeRec: Buffer | undefined): number {
  if (mtimeRec !== undefined) {
    const t = mtimeRec.toString('ascii');
    if (!/^-?[0-9]{1,15}(\.[0-9]{1,9})?$/.test(t)) throw h.bad('malformed PAX mtime');
    return Number(t);
  }
  const m = h.num('mtime');
  if (m > Number.MAX_SAFE_INTEGER || m < -Number.MAX_SAFE_INTEGER) throw h.bad('mtime out of range');
  return Number(m);
}

/** The link target (PAX linkpath > GNU long link > header); a hardlink's is a member path, normalized. */
function entryLink(h: HeaderBlock, ctx: HeaderContext, type: TarEntryType, path: string): string {
  const linkRaw = ctx.pax.get('linkpath')?.toString('utf8') ?? ctx.longLink ?? cstring(h.block, FIELD.linkname);
  if (linkRaw.includes('\0')) throw h.bad('NUL byte in link target');
  if ((type === 'symlink' || type === 'hardlink') && linkRaw === '') throw h.bad('empty link target');
  return type === 'hardlink' ? normalizeTarPath(linkRaw, path) : linkRaw;
}

const NO_XATTRS: ReadonlyMap<string, Buffer> = new Map();

/** Extended attributes from global then local PAX records (SCHILY, and libarchive's encoding). */
function paxXattrs(h: HeaderBlock, ctx: HeaderContext, global: PaxRecords): ReadonlyMap<string, Buffer> {
  // Without PAX records (most members) there are none: one shared empty map, not a Map per member.
  if (global.size === 0 && ctx.pax.size === 0) return NO_XATTRS;
  const xattrs = new Map<string, Buffer>();
  for (const records of [global, ctx.pax]) {
    for (const [key, value] of records) {
      if (key.startsWith('SCHILY.xattr.')) {
        xattrs.set(key.slice('SCHILY.xattr.'.length), value);
      } else if (key.startsWith('LIBARCHIVE.xattr.')) {
        // libarchive: URL-encoded name, base64 value.
        const xname = decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length));
        xattrs.set(xname, Buffer.from(value.toString('ascii'), 'base64'));
      }
    }
  }
  for (const k of xattrs.keys()) if (k === '' || k.includes('\0')) throw h.bad('malformed xattr name');
  return xattrs;
}

/** uid or gid: a PAX record over the header field, 0..2^32-1. */
function idField(h: HeaderBlock, paxRec: Buffer | undefined, field: 'uid' | 'gid', path: string): number {
  return u32(h, paxRec !== undefined ? paxDecimal(paxRec, field, path, h.offset) : h.num(field), field);
}

/** Device numbers, read only for char and block devices. */
function devField(h: HeaderBlock, type: TarEntryType, field: 'devmajor' | 'devminor'): number {
  if (type !== 'char' && type !== 'block') return 0;
  return u32(h, h.num(field), field);
}

/** A 32-bit unsigned field (ids, device numbers). */
function u32(h: HeaderBlock, v: number | bigint, field: string): number {
  if (v < 0 || v > 0xffffffff) throw h.bad(`${field} out of range`);
  return Number(v);
}

function paxDecimal(value: Buffer, key: string, entry: string, offset: number): bigint {
  const text = value.toString('ascii');
  if (!/^[0-9]{1,20}$/.test(text)) {
    throw new BerthError('TAR_BAD_HEADER', `malformed PAX ${key} for ${entry}`, {
      entry,
      offset,
      value: text.slice(0, 40),
    });
  }
  return BigInt(text);
}

function applyMeta(flag: number, data: Buffer, ctx: HeaderContext, global: PaxRecords, name: string): void {
  if (flag === TYPEFLAG.gnuLongName || flag === TYPEFLAG.gnuLongLink) {
    const nul = data.indexOf(0);
    const text = data.subarray(0, nul < 0 ? data.length : nul).toString('utf8');
    if (flag === TYPEFLAG.gnuLongName) ctx.longName = text;
    else ctx.longLink = text;
    return;
  }
  const records = parsePax(data, name);
  if (flag === TYPEFLAG.paxGlobal) {
    for (const [k, v] of records) {
      if (v.length === 0) global.delete(k);
      else global.set(k, v);
    }
    return;
  }
  // An empty local value unsets the key (falls back to global/header values).
  for (const [k, v] of records) {
    if (v.length === 0) ctx.pax.delete(k);
    else ctx.pax.set(k, v);
  }
}
