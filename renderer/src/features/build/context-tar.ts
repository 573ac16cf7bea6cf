/**
 * A build context picked in the browser (a folder input or a drop gives
 * Files with relative paths) packed as a tar Blob for main's uploads: ustar
 * headers, a PAX record for names past 100 bytes, file bodies as the Files
 * themselves (Blob slices, never read into memory). Modes are 0644/0755 (a
 * browser does not see them), owners 0.
 */

export interface ContextFile {
  /** Path inside the context, slash-separated, no leading slash. */
  path: string;
  file: Blob;
  /** Seconds since the epoch. */
  mtime: number;
}

const enc = new TextEncoder();

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mode: number, mtime: number, type: '0' | '5' | 'x'): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string | Uint8Array, off: number, len: number): void => {
    const b = typeof s === 'string' ? enc.encode(s) : s;
    h.set(b.subarray(0, len), off);
  };
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime), 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(octal(sum, 7) + ' ', 148, 8);
  return h;
}

function pad(size: number): Uint8Array {
  return new Uint8Array((512 - (size % 512)) % 512);
}

/** One PAX `path` record (its length counts its own digits). */
function paxPath(name: string): Uint8Array {
  const body = ` path=${name}\n`;
  const n = enc.encode(body).length;
  let len = n + 1;
  while (String(len).length + n !== len) len++;
  return enc.encode(`${len}${body}`);
}

function entry(parts: BlobPart[], name: string, size: number, mode: number, mtime: number, type: '0' | '5'): void {
  if (enc.encode(name).length > 100) {
    const rec = paxPath(name);
    parts.push(
      header('PaxHeader', rec.length, 0o644, mtime, 'x') as BlobPart,
      rec as BlobPart,
      pad(rec.length) as BlobPart,
    );
  }
  parts.push(header(name, size, mode, mtime, type) as BlobPart);
}

/** The tar of `files` (and the directories above them), in path order. */
export function contextTar(files: readonly ContextFile[]): Blob {
  const parts: BlobPart[] = [];
  const dirs = new Set<string>();
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const segs = f.path.split('/');
    for (let i = 1; i < segs.length; i++) {
      const d = segs.slice(0, i).join('/');
      if (dirs.has(d)) continue;
      dirs.add(d);
      entry(parts, `${d}/`, 0, 0o755, f.mtime, '5');
    }
    const exec = /\.sh$/.test(f.path);
    entry(parts, f.path, f.file.size, exec ? 0o755 : 0o644, f.mtime, '0');
    parts.push(f.file, pad(f.file.size) as BlobPart);
  }
  parts.push(new Uint8Array(1024) as BlobPart);
  return new Blob(parts, { type: 'application/x-tar' });
}

/** Files from a folder input (webkitRelativePath) with the picked folder's own name dropped. */
export function filesFromFolderInput(list: ArrayLike<File>): ContextFile[] {
  const out: ContextFile[] = [];
  for (let i = 0; i < list.length; i++) {
    const f = list[i] as File;
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    const inside = rel.includes('/') ? rel.slice(rel.indexOf('/') + 1) : rel;
    out.push({ path: inside, file: f, mtime: Math.floor(f.lastModified / 1000) });
  }
  return out;
}

/**
 * The picked folder's path from one of its files' host path and its path
 * relative to the picked folder's parent (`site/public/a.html`), or '' (web mode).
 */
export function pickedFolderPath(hostPath: string, rel: string): string {
  const top = rel.split('/')[0] ?? '';
  if (!hostPath || !top || !hostPath.endsWith(`/${rel}`)) return '';
  return hostPath.slice(0, hostPath.length - rel.length) + top;
}
