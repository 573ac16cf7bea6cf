/** Serves the built renderer; a path can never leave the root. */
import fs from 'node:fs';
import path from 'node:path';
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

export function serveStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): void {
  let file = resolveStatic(root, urlPath);
  if (file === null) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
    return;
  }
  let st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st || st.isDirectory()) {
    // Single-page app: unknown paths get the shell, which routes itself.
    const asDirIndex = st?.isDirectory() ? path.join(file, 'index.html') : null;
    file = asDirIndex && fs.existsSync(asDirIndex) ? asDirIndex : path.join(root, 'index.html');
    st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('renderer not built: run `npm run build`');
      return;
    }
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...headers,
    'content-type': type,
    'content-length': String(st.size),
    'cache-control': 'no-cache',
  });
  fs.createReadStream(file).pipe(res);
}
