/**
 * Main-side `build.run`. Main runs as the user: it packs the context folder
 * the user names (what they can read, .dockerignore applied) into a tar, or
 * takes the tar the page uploaded, streams it to the helper's
 * `build.context.*`, and starts the build. `--output type=oci` is written
 * here too, through the images export, as the user.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { MAX_INLINE_CONTEXT_BYTES } from '../../../preload/schemas/build';
import { DockerIgnore } from '../../shared/dockerignore';
import type { TarWriteEntry } from '../../engine/oci/tar/writer';
import { endOfArchive, entryBlocksSync, tarChunks } from '../../engine/oci/tar/writer';
import { readTar } from '../../engine/oci/tar/reader';
import type { CallContext, MainHandlersFor, MainServices } from '../router';
import { TRANSFER_CHUNK } from './images';
import type { UploadStore } from './upload-store';

/** Files up to this size are read whole while packing; larger ones are streamed. */
const SMALL_FILE = 64 * 1024;
/** Packed bytes kept in memory before they are written to the temp file (and a context this small is never written). */
const SPILL_BYTES = 8 * 1024 * 1024;

type SaveFn = (p: { path: string; refs: string[] }, ctx: CallContext) => Promise<{ size: number }>;

/** The context folder as tar entries, in path order, skipping what .dockerignore names. */
function* contextEntries(root: string, ignore: DockerIgnore | null): Generator<TarWriteEntry> {
  function* walk(rel: string): Generator<TarWriteEntry> {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root, rel)).sort();
    } catch (err) {
      throw new BerthError('BUILD_CONTEXT_INVALID', `cannot read ${path.join(root, rel)}: ${(err as Error).message}`, {
        path: path.join(root, rel),
      });
    }
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(root, r));
      // Re-included files may sit below an ignored dir: descend unless nothing can come back.
      const ignored = ignore?.ignores(r) ?? false;
      if (ignored && !(st.isDirectory() && ignore?.hasExclusions)) continue;
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
      if (st.isDirectory()) {
        if (!ignored) yield { ...base, path: `${r}/`, type: 'dir' };
        yield* walk(r);
      } else if (ignored) continue;
      else if (st.isSymbolicLink())
        yield { ...base, path: r, type: 'symlink', linkname: fs.readlinkSync(path.join(root, r)) };
      else if (st.isFile())
        // Small files are read at once: a stream per file costs an open, a read and a close on the
        // thread pool each, which for a context of many small files was most of the packing time.
        yield st.size <= SMALL_FILE
          ? { ...base, path: r, type: 'file', body: fs.readFileSync(path.join(root, r)) }
          : { ...base, path: r, type: 'file', size: st.size, body: fs.createReadStream(path.join(root, r)) };
      // Sockets, fifos and devices are not part of a context (docker skips them too).
    }
  }
  yield* walk('');
}

/** The packed context: its bytes in memory while small, else in the temp file. */
type PackedContext = { size: number; bytes: Buffer; file: null } | { size: number; bytes: null; file: string };

/**
 * Packs the folder as a tar. Chunks are gathered in memory and written in
 * SPILL_BYTES pieces, and a context that never reaches that size is not
 * written at all (nor its temp dir made): it is sent from memory.
 */
async function packContext(root: string, tempFile: () => Promise<string>): Promise<PackedContext> {
  const di = path.join(root, '.dockerignore');
  const ignore = fs.existsSync(di) ? new DockerIgnore(fs.readFileSync(di, 'utf8')) : null;
  let fh: fs.promises.FileHandle | null = null;
  let file = '';
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let size = 0;
  const flush = async (): Promise<void> => {
    if (fh === null) {
      file = await tempFile();
      fh = await fs.promises.open(file, 'wx', 0o600);
    }
    const buf = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    let w = 0;
    while (w < buf.length) w += (await fh.write(buf, w, buf.length - w)).bytesWritten;
  };
  try {
    /** Adds a chunk; true when enough is pending to be written. */
    const add = (chunk: Buffer): boolean => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      size += chunk.length;
      return pendingBytes >= SPILL_BYTES;
    };
    for (const e of contextEntries(root, ignore)) {
      // A small file's blocks at once; a streamed one through the async writer.
      const blocks = entryBlocksSync(e);
      if (blocks !== null) {
        for (const b of blocks) if (add(b)) await flush();
      } else for await (const chunk of tarChunks([e], { end: false })) if (add(chunk)) await flush();
    }
    if (add(endOfArchive())) await flush();
    if (fh === null) return { size, bytes: Buffer.concat(pending, pendingBytes), file: null };
    await flush();
    return { size, bytes: null, file };
  } finally {
    await (fh as fs.promises.FileHandle | null)?.close();
  }
}

/** The Containerfile's text: -f (relative to the context), else Containerfile, else Dockerfile. */
function readContainerfile(root: string | null, file: string | undefined): { text: string; name: string } {
  const candidates =
    file !== undefined
      ? [root && !path.isAbsolute(file) ? path.join(root, file) : path.resolve(file)]
      : root
        ? ['Containerfile', 'Dockerfile'].map((n) => path.join(root, n))
        : [];
  for (const c of candidates) {
    if (fs.existsSync(c)) return { text: fs.readFileSync(c, 'utf8'), name: path.basename(c) };
  }
  throw new BerthError(
    'BUILD_NO_CONTAINERFILE',
    file !== undefined
      ? `no such Containerfile: ${candidates[0]}`
      : `neither Containerfile nor Dockerfile in ${root ?? 'the context'}`,
    {},
  );
}

export function buildMainHandlers(s: MainServices, uploads: UploadStore, save: SaveFn): MainHandlersFor<'build.run'> {
  const send = async (tarFile: string, size: number, bytes: Buffer | null = null): Promise<string> => {
    const { contextId } = await s.helper.call('build.context.begin', { size });
    if (bytes !== null) {
      try {
        for (let offset = 0; offset < size; offset += TRANSFER_CHUNK) {
          const data = bytes.subarray(offset, Math.min(size, offset + TRANSFER_CHUNK)).toString('base64');
          await s.helper.call('build.context.chunk', { contextId, offset, data });
        }
        return contextId;
      } catch (err) {
        await s.helper.call('build.context.abort', { contextId }).catch(() => undefined);
        throw err;
      }
    }
    const fh = await fs.promises.open(tarFile, 'r');
    try {
      const buf = Buffer.alloc(TRANSFER_CHUNK);
      let offset = 0;
      while (offset < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - offset), offset);
        if (bytesRead === 0) throw new BerthError('FILE_CHANGED', `${tarFile} shrank while it was read`, { offset });
        await s.helper.call('build.context.chunk', {
          contextId,
          offset,
          data: buf.subarray(0, bytesRead).toString('base64'),
        });
        offset += bytesRead;
      }
      return contextId;
    } catch (err) {
      await s.helper.call('build.context.abort', { contextId }).catch(() => undefined);
      throw err;
    } finally {
      await fh.close();
    }
  };

  return {
    'build.run': async (p, ctx) => {
      const buildId = p.buildId ?? crypto.randomBytes(8).toString('hex');
      // Made only when a context spills to disk: a small one is sent from memory.
      let tmp: string | null = null;
      const tempFile = async (): Promise<string> =>
        path.join((tmp ??= await fs.promises.mkdtemp(path.join(os.tmpdir(), 'berth-build-'))), 'context.tar');
      try {
        /** How build.start gets the context: a session's id, or the tar itself when it is small. */
        let context: { contextId: string } | { contextTar: string };
        let cf: { text: string; name: string };
        if ('path' in p.context) {
          const root = path.resolve(p.context.path);
          if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
            throw new BerthError('BUILD_CONTEXT_INVALID', `${root} is not a folder`, { path: root });
          }
          cf =
            p.containerfile !== undefined
              ? { text: p.containerfile, name: 'Containerfile' }
              : readContainerfile(root, p.file);
          const packed = await packContext(root, tempFile);
          // A small context goes inline in build.start: one call instead of three.
          context =
            packed.bytes !== null && packed.size <= MAX_INLINE_CONTEXT_BYTES
              ? { contextTar: packed.bytes.toString('base64') }
              : { contextId: await send(packed.file ?? '', packed.size, packed.bytes) };
        } else {
          const uploadId = p.context.uploadId;
          const given = p.containerfile;
          ({ context, cf } = await uploads.consume(uploadId, async (file) => {
            const size = (await fs.promises.stat(file)).size;
            const text = given ?? (await containerfileInTar(file, p.file));
            return { context: { contextId: await send(file, size) }, cf: { text, name: p.file ?? 'Containerfile' } };
          }));
        }
        const r = await s.helper.call('build.start', {
          ...context,
          containerfile: cf.text,
          file: cf.name,
          options: p.options,
          buildId,
        });
        let output: { type: 'oci'; dest: string; size: number } | null = null;
        if (p.output) {
          const dest = path.resolve(p.output.dest);
          const saved = await save({ path: dest, refs: [r.imageId] }, ctx);
          output = { type: 'oci', dest, size: saved.size };
        }
        return { ...r, output };
      } finally {
        if (tmp !== null) await fs.promises.rm(tmp, { recursive: true, force: true });
      }
    },
  };
}

/** An uploaded context's Containerfile (or Dockerfile), read from the tar without unpacking it. */
async function containerfileInTar(file: string, name: string | undefined): Promise<string> {
  const wanted = name !== undefined ? [path.posix.normalize(name)] : ['Containerfile', 'Dockerfile'];
  const found = new Map<string, string>();
  for await (const e of readTar(fs.createReadStream(file))) {
    if (e.type === 'file' && wanted.includes(e.path)) {
      const parts: Buffer[] = [];
      for await (const b of e.body()) parts.push(b);
      found.set(e.path, Buffer.concat(parts).toString('utf8'));
    } else await e.skip();
  }
  for (const w of wanted) {
    const t = found.get(w);
    if (t !== undefined) return t;
  }
  throw new BerthError('BUILD_NO_CONTAINERFILE', `the uploaded context has no ${wanted.join(' or ')}`, {});
}
