/**
 * The few filesystem calls Node lacks and extraction needs: l*xattr and
 * mknod. The engine takes them through this interface so the native addon
 * can provide them; until it does, `createPythonFsOps()` runs one python3
 * process per extraction (started on first use, most layers never need it)
 * and talks to it in JSON lines, one request at a time, in order.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

export type SpecialKind = 'char' | 'block' | 'fifo';

/** Errors carry the errno name in `code` (ENOTSUP, EPERM, …) like Node's own. */
export interface NativeFsOps {
  /** lsetxattr(2): never follows a symlink. */
  lsetxattr(path: string, name: string, value: Uint8Array): Promise<void>;
  /** lgetxattr(2); null when the attribute is absent (ENODATA). */
  lgetxattr(path: string, name: string): Promise<Buffer | null>;
  llistxattr(path: string): Promise<string[]>;
  /** mknod(2) with the exact permission bits (umask not applied). */
  mknod(path: string, kind: SpecialKind, mode: number, major: number, minor: number): Promise<void>;
  /** Releases resources (the helper process of the fallback). */
  close(): Promise<void>;
}

/** The fallback fails like the addon: a Node system error (code, errno, syscall, path). */
function nativeOpError(
  code: string,
  errno: number,
  syscall: string,
  file: string,
  message: string,
): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${file}: ${code} (${message})`), { code, errno, syscall, path: file });
}

const PY = String.raw`
import sys, os, json, base64, errno, stat
os.umask(0)
KINDS = {"char": stat.S_IFCHR, "block": stat.S_IFBLK, "fifo": stat.S_IFIFO}
while True:
    line = sys.stdin.readline()
    if not line:
        break
    req = json.loads(line)
    try:
        p = req["path"]
        op = req["op"]
        res = None
        if op == "set":
            os.setxattr(p, req["name"], base64.b64decode(req["value"]), follow_symlinks=False)
        elif op == "get":
            try:
                res = base64.b64encode(os.getxattr(p, req["name"], follow_symlinks=False)).decode()
            except OSError as e:
                if e.errno != errno.ENODATA:
                    raise
        elif op == "list":
            res = os.listxattr(p, follow_symlinks=False)
        elif op == "mknod":
            os.mknod(p, KINDS[req["kind"]] | (req["mode"] & 0o7777), os.makedev(req["major"], req["minor"]))
        else:
            raise OSError(errno.EINVAL, "unknown op")
        out = {"ok": True, "result": res}
    except OSError as e:
        out = {"ok": False, "errno": e.errno or 0, "code": errno.errorcode.get(e.errno or 0, "EIO"), "message": e.strerror or str(e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
`;

interface Reply {
  ok: boolean;
  result?: unknown;
  errno?: number;
  code?: string;
  message?: string;
}

function findPython(): string {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (fs.existsSync(p)) return p;
  return 'python3';
}

/** Fallback NativeFsOps backed by a python3 co-process (os.setxattr/os.mknod). */
export function createPythonFsOps(): NativeFsOps {
  let child: ChildProcessWithoutNullStreams | undefined;
  let failure: Error | undefined;
  const waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];

  const failAll = (err: Error): void => {
    failure = err;
    for (const w of waiting.splice(0)) w.reject(err);
  };

  const start = (): ChildProcessWithoutNullStreams => {
    if (child) return child;
    const c = spawn(findPython(), ['-c', PY], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    c.on('error', (err) => failAll(err));
    c.on('exit', (code) => {
      if (waiting.length) failAll(new Error(`xattr helper exited with ${code}: ${stderr}`));
      child = undefined;
    });
    readline.createInterface({ input: c.stdout }).on('line', (line) => {
      const w = waiting.shift();
      if (!w) return;
      try {
        w.resolve(JSON.parse(line) as Reply);
      } catch (err) {
        w.reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child = c;
    return c;
  };

  const call = (syscall: string, req: Record<string, unknown> & { path: string }): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    const c = start();
    return new Promise<Reply>((resolve, reject) => {
      waiting.push({ resolve, reject });
      c.stdin.write(`${JSON.stringify(req)}\n`);
    }).then((reply) => {
      if (!reply.ok) {
        throw nativeOpError(reply.code ?? 'EIO', reply.errno ?? 0, syscall, req.path, reply.message ?? 'failed');
      }
      return reply.result;
    });
  };

  return {
    async lsetxattr(path, name, value) {
      await call('lsetxattr', { op: 'set', path, name, value: Buffer.from(value).toString('base64') });
    },
    async lgetxattr(path, name) {
      const r = await call('lgetxattr', { op: 'get', path, name });
      return typeof r === 'string' ? Buffer.from(r, 'base64') : null;
    },
    async llistxattr(path) {
      const r = await call('llistxattr', { op: 'list', path });
      return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
    },
    async mknod(path, kind, mode, major, minor) {
      await call('mknod', { op: 'mknod', path, kind, mode, major, minor });
    },
    async close() {
      const c = child;
      if (!c) return;
      child = undefined;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.stdin.end();
      });
    },
  };
}
