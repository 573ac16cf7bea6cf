/**
 * Serves the built renderer (nothing secret: HTML, JS, CSS). A path can
 * never leave the root; a file that cannot be opened, or fails while it is
 * being sent (removed, unreadable, an I/O error), is answered or cut off and
 * reported, never thrown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

/** stat without throwing: ENOENT, ENOTDIR, ENAMETOOLONG, EACCES… all mean "not here". */
async function statOrNull(file: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(file);
  } catch {
    return null;
  }
}

async function pick(root: string, file: string): Promise<{ file: string; st: fs.Stats } | null> {
  const st = await statOrNull(file);
  if (st?.isFile()) return { file, st };
  if (st?.isDirectory()) {
    const index = path.join(file, 'index.html');
    const ist = await statOrNull(index);
    if (ist?.isFile()) return { file: index, st: ist };
  }
  // Single-page app: unknown paths get the shell, which routes itself.
  const shell = path.join(root, 'index.html');
  const sst = await statOrNull(shell);
  return sst?.isFile() ? { file: shell, st: sst } : null;
}

export interface StaticOptions {
  headers: Record<string, string>;
  log: (line: string) => void;
  head?: boolean;
  /** Opens a file for reading (tests pass one that keeps the handle, to fail reads mid-response). */
  open?: (file: string) => Promise<fs.promises.FileHandle>;
}

export async function serveStatic(root: string, urlPath: string, res: ServerResponse, o: StaticOptions): Promise<void> {
  const { headers, log, head = false, open = (f: string) => fs.promises.open(f, fs.constants.O_RDONLY) } = o;
  // Who closed first tells a client that left (nothing to report) from a read
  // that failed or lost its file descriptor (logged). Listened for before any
  // await: a client can leave while the file is looked up.
  const reading: { stream?: fs.ReadStream } = {};
  let clientLeft = false;
  res.once('close', () => {
    if (!reading.stream?.destroyed) clientLeft = true;
  });
  const resolved = resolveStatic(root, urlPath);
  if (resolved === null) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
    return;
  }
  const found = await pick(root, resolved);
  if (clientLeft) return;
  if (!found) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('renderer not built: run `npm run build`');
    return;
  }
  let fh: fs.promises.FileHandle;
  try {
    fh = await open(found.file);
  } catch (err) {
    log(`web: static ${found.file}: ${(err as Error).message}`);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not readable');
    return;
  }
  if (clientLeft) {
    await fh.close().catch(() => undefined);
    return;
  }
  const type = TYPES[path.extname(found.file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...headers,
    'content-type': type,
    'content-length': String(found.st.size),
    // The shell must be fetched fresh (it names the current build's assets).
    'cache-control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
  });
  if (head || found.st.size === 0) {
    await fh.close().catch(() => undefined);
    res.end();
    return;
  }
  const size = found.st.size;
  const stream = (reading.stream = fh.createReadStream({ end: size - 1, autoClose: true }));
  // pipeline destroys both sides on an error: the client sees the
  // connection cut short of content-length, never a 200 that looks whole.
  pipeline(stream, res, (err) => {
    if (err && !clientLeft)
      log(
        `web: static ${found.file}: read failed mid-response after ${stream.bytesRead} of ${size} bytes: ${err.message}`,
      );
  });
  stream.on('end', () => {
    // Truncated while being sent: cut the connection so the short body cannot pass for the file.
    if (stream.bytesRead < size) {
      log(`web: static ${found.file}: shrank to ${stream.bytesRead} of ${size} bytes mid-response`);
      res.destroy();
    }
  });
}
