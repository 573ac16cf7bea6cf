/**
 * The host side of `berth cp`, run as the user: a host path as a tar stream,
 * and a tar stream from a container written under a host directory. The
 * writer refuses members that climb out ("..", absolute names are made
 * relative) and never writes through a symlink: every parent of a member is
 * checked to be a real directory under the destination, and files are made
 * with O_EXCL|O_NOFOLLOW after whatever was at the name is removed. Owners are
 * kept only when running as root (as tar does); device nodes are skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { readTar } from '../../engine/oci/tar/reader';
import { tarChunks, type TarWriteEntry } from '../../engine/oci/tar/writer';
import { regularFileEntry } from '../../engine/oci/tar/file-entry';

/** A host path (a symlink as a symlink) and everything below it, named `name` in the archive. */
export function packHostPath(src: string, name: string): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  async function* walk(abs: string, arch: string): AsyncGenerator<TarWriteEntry> {
    const st = await fs.promises.lstat(abs);
    const base = { path: arch, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isDirectory()) {
      yield { ...base, type: 'dir' };
      for (const child of (await fs.promises.readdir(abs)).sort())
        yield* walk(path.join(abs, child), `${arch}/${child}`);
    } else if (st.isSymbolicLink()) {
      yield { ...base, type: 'symlink', linkname: await fs.promises.readlink(abs) };
    } else if (st.isFile()) {
      yield regularFileEntry(st, abs, base, links);
    } else if (st.isFIFO()) {
      yield { ...base, type: 'fifo' };
    }
    // Sockets and device nodes: not archived from the host.
  }
  return tarChunks(walk(src, name));
}

function parts(name: string): string[] {
  const p = name.split('/').filter((s) => s !== '' && s !== '.');
  if (p.includes('..'))
    throw new BerthError('CP_ENTRY_INVALID', `archive member "${name}" climbs out`, { entry: name });
  return p;
}

/** Writes a tar stream under `destDir` (which must be a directory); `rename` renames its top member. */
export async function extractToHost(
  source: AsyncIterable<Buffer>,
  destDir: string,
  rename?: { from: string; to: string },
): Promise<{ entries: number; bytes: number; skipped: string[] }> {
  const root = process.getuid?.() === 0;
  const dirs: Array<{ file: string; mtime: number }> = [];
  const skipped: string[] = [];
  let entries = 0;
  let bytes = 0;
  for await (const e of readTar(source)) {
    const p = parts(e.path);
    if (rename && p[0] === rename.from) p[0] = rename.to;
    if (p.length === 0) {
      await e.skip();
      continue;
    }
    // Every parent must be a real directory under destDir: no member writes through a symlink.
    let dir = destDir;
    for (const c of p.slice(0, -1)) {
      dir = path.join(dir, c);
      const st = fs.lstatSync(dir, { throwIfNoEntry: false });
      if (!st) fs.mkdirSync(dir, 0o755);
      else if (!st.isDirectory()) {
        throw new BerthError('CP_ENTRY_INVALID', `"${e.path}" would be written through ${dir}, not a directory`, {
          entry: e.path,
        });
      }
    }
    const target = path.join(dir, p[p.length - 1]!);
    const existing = fs.lstatSync(target, { throwIfNoEntry: false });
    if (existing?.isDirectory() && e.type !== 'dir') {
      throw new BerthError('CP_TYPE_CONFLICT', `cannot overwrite directory ${target} with a ${e.type}`, {
        entry: e.path,
      });
    }
    if (existing && !existing.isDirectory()) fs.unlinkSync(target);
    switch (e.type) {
      case 'dir':
        if (!existing?.isDirectory()) fs.mkdirSync(target, 0o700);
        fs.chmodSync(target, e.mode);
        if (root) fs.lchownSync(target, e.uid, e.gid);
        dirs.push({ file: target, mtime: e.mtime });
        break;
      case 'file': {
        const fh = await fs.promises.open(
          target,
          fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
          0o600,
        );
        try {
          for await (const c of e.body()) {
            await fh.write(c);
            bytes += c.length;
          }
          if (root) await fh.chown(e.uid, e.gid);
          await fh.chmod(e.mode);
          await fh.utimes(e.mtime, e.mtime);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'symlink':
        fs.symlinkSync(e.linkname, target);
        if (root) fs.lchownSync(target, e.uid, e.gid);
        fs.lutimesSync(target, e.mtime, e.mtime);
        break;
      case 'hardlink': {
        const lp = parts(e.linkname);
        if (rename && lp[0] === rename.from) lp[0] = rename.to;
        let ldir = destDir;
        for (const c of lp.slice(0, -1)) {
          ldir = path.join(ldir, c);
          if (!fs.lstatSync(ldir, { throwIfNoEntry: false })?.isDirectory()) {
            throw new BerthError('CP_ENTRY_INVALID', `hard link "${e.path}" through ${ldir}, not a directory`, {
              entry: e.path,
            });
          }
        }
        fs.linkSync(path.join(ldir, lp[lp.length - 1] ?? ''), target);
        break;
      }
      case 'fifo':
        // mkfifo without a native call: skipped like devices.
        skipped.push(e.path);
        continue;
      default:
        skipped.push(e.path);
        await e.skip();
        continue;
    }
    entries++;
  }
  // Directory times last: writing their members changed them.
  for (const d of dirs.reverse()) fs.utimesSync(d.file, d.mtime, d.mtime);
  return { entries, bytes, skipped };
}
