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
import { parseNumericAt } from './numeric';
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

/** Yields the entries of a tar stream (or of a seekable ByteSource such as layers/range-reader.ts). */
export async function* readTar(source: Source | ByteSource, options: TarReadOptions = {}): AsyncGenerator<TarEntry> {
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

  try {
    let ctx = new HeaderContext();
    for (;;) {
      if (!skipPendingSync()) await skipPending();
      const offset = r.position;
      const block = r.readExactSync?.(BLOCK) ?? (await r.readExact(BLOCK, 'a header block'));
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
  const rawName = cstring(block, FIELD.name);
  const entry = rawName || `<header at ${offset}>`;
  const bad = (what: string, extra?: Record<string, unknown>): BerthError =>
    new BerthError('TAR_BAD_HEADER', `${what} in header of ${entry}`, { entry, offset, ...extra });

  const stored = parseNumericAt(block, FIELD.chksum[0], FIELD.chksum[1]);
  const [unsigned, signed] = headerChecksums(block);
  if (stored === null || (stored !== BigInt(unsigned) && stored !== BigInt(signed))) {
    throw bad('bad checksum', { stored: stored === null ? null : Number(stored), computed: unsigned });
  }

  const num = (field: keyof typeof FIELD): bigint => {
    const [o, l] = FIELD[field];
    const v = parseNumericAt(block, o, l);
    if (v === null) throw bad(`malformed number in field ${field}`);
    return v;
  };

  const flag = block[FIELD.typeflag[0]] ?? 0;
  const rawSize = num('size');
  if (rawSize < 0n) throw bad('negative size');

  if (
    flag === TYPEFLAG.paxLocal ||
    flag === TYPEFLAG.paxGlobal ||
    flag === TYPEFLAG.gnuLongName ||
    flag === TYPEFLAG.gnuLongLink
  ) {
    if (rawSize > BigInt(maxMeta)) {
      throw new BerthError('TAR_SIZE_LIMIT', `extension header of ${rawSize} bytes exceeds ${maxMeta}`, {
        entry,
        offset,
      });
    }
    return { kind: 'meta', flag, size: Number(rawSize), name: entry };
  }

  const magic = block.toString('latin1', FIELD.magic[0], FIELD.magic[0] + 8);
  const isPosix = magic.startsWith('ustar\x00');
  let name = rawName;
  if (isPosix) {
    const prefix = cstring(block, FIELD.prefix);
    if (prefix) name = `${prefix}/${rawName}`;
  }

  let type: TarEntryType;
  switch (flag) {
    case TYPEFLAG.file:
    case TYPEFLAG.contiguous:
      type = 'file';
      break;
    case TYPEFLAG.oldFile:
      type = name.endsWith('/') ? 'dir' : 'file';
      break;
    case TYPEFLAG.hardlink:
      type = 'hardlink';
      break;
    case TYPEFLAG.symlink:
      type = 'symlink';
      break;
    case TYPEFLAG.char:
      type = 'char';
      break;
    case TYPEFLAG.block:
      type = 'block';
      break;
    case TYPEFLAG.dir:
      type = 'dir';
      break;
    case TYPEFLAG.fifo:
      type = 'fifo';
      break;
    default:
      throw new BerthError('TAR_UNSUPPORTED', `unsupported entry type '${String.fromCharCode(flag)}' for ${entry}`, {
        entry,
        offset,
        typeflag: String.fromCharCode(flag),
      });
  }

  const rec = (key: string): Buffer | undefined => ctx.pax.get(key) ?? global.get(key);
  const local = (key: string): Buffer | undefined => ctx.pax.get(key);

  for (const key of ctx.pax.keys()) {
    if (key.startsWith('GNU.sparse.')) {
      throw new BerthError('TAR_UNSUPPORTED', `GNU sparse file ${entry} is not supported`, { entry, offset });
    }
  }

  // Precedence: PAX path > GNU long name > header. Global path/linkpath/size
  // are ignored: they would rename or resize every following member.
  const paxPath = local('path');
  const path = paxPath !== undefined ? paxPath.toString('utf8') : (ctx.longName ?? name);
  const normalized = normalizeTarPath(path, path || entry);
  if (normalized === '' || path === '') throw bad('empty path');

  let size: bigint = rawSize;
  const paxSize = local('size');
  if (paxSize !== undefined) size = paxDecimal(paxSize, 'size', normalized, offset);
  if (size > BigInt(maxEntrySize)) {
    throw new BerthError(
      'TAR_SIZE_LIMIT',
      `entry ${normalized} declares ${size} bytes, more than the limit of ${maxEntrySize}`,
      {
        entry: normalized,
        size: size.toString(),
        limit: maxEntrySize,
      },
    );
  }

  const idField = (field: 'uid' | 'gid'): number => {
    const p = rec(field);
    const v = p !== undefined ? paxDecimal(p, field, normalized, offset) : num(field);
    if (v < 0n || v > 0xffffffffn) throw bad(`${field} out of range`);
    return Number(v);
  };

  const mtimeRec = rec('mtime');
  let mtime: number;
  if (mtimeRec !== undefined) {
    const t = mtimeRec.toString('ascii');
    if (!/^-?[0-9]{1,15}(\.[0-9]{1,9})?$/.test(t)) throw bad('malformed PAX mtime');
    mtime = Number(t);
  } else {
    const m = num('mtime');
    if (m > BigInt(Number.MAX_SAFE_INTEGER) || m < -BigInt(Number.MAX_SAFE_INTEGER)) throw bad('mtime out of range');
    mtime = Number(m);
  }

  const linkRaw = local('linkpath')?.toString('utf8') ?? ctx.longLink ?? cstring(block, FIELD.linkname);
  if (linkRaw.includes('\0')) throw bad('NUL byte in link target');
  if ((type === 'symlink' || type === 'hardlink') && linkRaw === '') throw bad('empty link target');
  const linkname = type === 'hardlink' ? normalizeTarPath(linkRaw, normalized) : linkRaw;

  const xattrs = new Map<string, Buffer>();
  for (const records of global.size === 0 && ctx.pax.size === 0 ? [] : [global, ctx.pax]) {
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
  for (const k of xattrs.keys()) if (k === '' || k.includes('\0')) throw bad('malformed xattr name');

  const dev = (field: 'devmajor' | 'devminor'): number => {
    if (type !== 'char' && type !== 'block') return 0;
    const v = num(field);
    if (v < 0n || v > 0xffffffffn) throw bad(`${field} out of range`);
    return Number(v);
  };

  const mode = num('mode');
  if (mode < 0n) throw bad('negative mode');

  return {
    kind: 'entry',
    fields: {
      path: normalized,
      type,
      mode: Number(mode & 0o7777n),
      uid: idField('uid'),
      gid: idField('gid'),
      uname: rec('uname')?.toString('utf8') ?? cstring(block, FIELD.uname),
      gname: rec('gname')?.toString('utf8') ?? cstring(block, FIELD.gname),
      size: isHeaderOnly(type) ? 0 : Number(size),
      mtime,
      linkname,
      devmajor: dev('devmajor'),
      devminor: dev('devminor'),
      xattrs,
    },
  };
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
