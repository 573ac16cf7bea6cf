/**
 * Random access into an image archive (docker save / OCI archive): one pass
 * over the outer tar's headers records where each member's bytes are; blobs
 * are then read as byte ranges of the file. Names a manifest gives us are
 * resolved here, and nowhere else, so escape checks live in one place.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { cleanComponents } from '../images/paths';
import type { TarEntryType } from '../images/tar/format';
import { readTar } from '../images/tar/reader';
import { RangeByteReader } from './range-reader';
import { BerthError, type ErrorCode } from '../../../preload/errors';

export interface ArchiveMember {
  name: string;
  type: TarEntryType;
  /** Offset of the body in the archive file. */
  offset: number;
  size: number;
  linkname: string;
}

const MAX_LINK_HOPS = 16;

/** Archive-relative components of a name a manifest gave us; absolute or escaping names are refused. */
function manifestPath(name: string, what: string, code: ErrorCode = 'MANIFEST_PATH_ESCAPE'): string {
  if (name.startsWith('/')) {
    throw new BerthError(code, `${what}: absolute path ${JSON.stringify(name)} in an image archive`, {
      entry: name,
      what,
    });
  }
  const comps = cleanComponents(name, name, code);
  if (comps.length === 0) throw new BerthError(code, `${what}: empty path`, { entry: name, what });
  return comps.join('/');
}

export class ArchiveIndex {
  private constructor(
    readonly file: string,
    readonly size: number,
    private readonly members: ReadonlyMap<string, ArchiveMember>,
  ) {}

  /** Indexes the archive, reading only its header blocks. */
  static async open(file: string): Promise<ArchiveIndex> {
    const fh = await fs.promises.open(file, 'r');
    try {
      const { size } = await fh.stat();
      const members = new Map<string, ArchiveMember>();
      for await (const e of readTar(new RangeByteReader(fh, 0, size), { totalSize: size, drain: false })) {
        // Names that are absolute or climb out are never addressable.
        if (e.path.startsWith('/') || e.path === '.' || e.path.split('/').includes('..')) continue;
        const prev = members.get(e.path);
        if (prev && !(prev.type === 'dir' && e.type === 'dir')) {
          // Two blobs under one name: whichever a consumer picks, another
          // tool may pick the other. Refuse rather than guess.
          throw new BerthError('TAR_DUPLICATE', `image archive has two members named ${e.path}`, { entry: e.path });
        }
        const linkname = e.type === 'symlink' || e.type === 'hardlink' ? e.linkname : '';
        members.set(e.path, { name: e.path, type: e.type, offset: e.dataOffset, size: e.size, linkname });
      }
      return new ArchiveIndex(file, size, members);
    } finally {
      await fh.close();
    }
  }

  has(name: string): boolean {
    try {
      return this.members.has(manifestPath(name, name));
    } catch {
      return false;
    }
  }

  /** Resolves a manifest-given name to a regular file member, following in-archive links. */
  resolve(name: string, what: string): ArchiveMember {
    let current = manifestPath(name, what);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const m = this.members.get(current);
      if (!m)
        throw new BerthError('BLOB_MISSING', `${what}: ${name} is not in the archive`, {
          entry: name,
          blob: name,
          what,
        });
      if (m.type === 'file') return m;
      if (m.type === 'symlink') {
        // Relative to the link's directory (docker save writes "../<id>/layer.tar").
        if (m.linkname.startsWith('/')) {
          throw new BerthError('MANIFEST_PATH_ESCAPE', `${what}: ${m.name} links to an absolute path`, {
            entry: m.name,
            linkname: m.linkname,
          });
        }
        const dir = m.name.split('/').slice(0, -1).join('/');
        try {
          current = manifestPath(dir ? `${dir}/${m.linkname}` : m.linkname, what);
        } catch (err) {
          throw new BerthError(
            'MANIFEST_PATH_ESCAPE',
            `${what}: ${m.name} links out of the archive`,
            { entry: m.name, linkname: m.linkname },
            { cause: err },
          );
        }
        continue;
      }
      if (m.type === 'hardlink') {
        current = manifestPath(m.linkname, what);
        continue;
      }
      throw new BerthError('BLOB_MISSING', `${what}: ${name} is a ${m.type}, not a file`, {
        entry: name,
        blob: name,
        what,
      });
    }
    throw new BerthError('MANIFEST_PATH_ESCAPE', `${what}: too many links resolving ${name}`, { entry: name });
  }

  /** The member's bytes as a stream of the archive file's range. */
  open(member: ArchiveMember): AsyncIterable<Uint8Array> {
    if (member.size === 0) return Readable.from([]);
    return fs.createReadStream(this.file, {
      start: member.offset,
      end: member.offset + member.size - 1,
      // Large reads: fewer chunks through the decompressor, the hashes and the tar reader.
      highWaterMark: 1024 * 1024,
    });
  }

  /** Reads a small member (JSON) fully; larger than `max` is MANIFEST_INVALID. */
  async read(member: ArchiveMember, max: number, what: string): Promise<Buffer> {
    if (member.size > max) {
      throw new BerthError('MANIFEST_INVALID', `${what}: ${member.name} is ${member.size} bytes, more than ${max}`, {
        entry: member.name,
        size: member.size,
      });
    }
    const fh = await fs.promises.open(this.file, 'r');
    try {
      const buf = Buffer.alloc(member.size);
      let got = 0;
      while (got < member.size) {
        const { bytesRead } = await fh.read(buf, got, member.size - got, member.offset + got);
        if (bytesRead === 0)
          throw new BerthError('TAR_TRUNCATED', `${member.name} is cut short`, { entry: member.name });
        got += bytesRead;
      }
      return buf;
    } finally {
      await fh.close();
    }
  }
}
