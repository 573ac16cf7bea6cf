/**
 * The few file operations the namespace scan makes on /proc, behind an
 * interface so tests can run the scan on a fake tree and inject the errors a
 * live /proc gives (EACCES, ESRCH, processes vanishing mid-scan), plus the
 * pure parsers for what those files contain.
 *
 * Everything is synchronous on purpose: the scan is a tight loop of small
 * procfs reads, where the async machinery would cost more than the syscalls.
 */
import fs from 'node:fs';
import { NamespaceType, type NamespaceTypeT } from '../../../preload/schemas/namespaces';

export interface ProcFs {
  readdir(path: string): string[];
  /** The link's target, e.g. 'net:[4026531840]' for /proc/PID/ns/net. */
  readlink(path: string): string;
  /**
   * One read(2) from offset 0 into `buf` (open, read, close: no fstat, no
   * allocation). Returns the byte count; procfs files that fit are read whole.
   */
  readInto(path: string, buf: Buffer): number;
  /** A whole file (mountinfo, or a status too long for the buffer). */
  readFile(path: string): Buffer;
}

export const nodeProcFs: ProcFs = {
  readdir: (p) => fs.readdirSync(p),
  readlink: (p) => fs.readlinkSync(p),
  readInto(p, buf) {
    const fd = fs.openSync(p, 'r');
    try {
      return fs.readSync(fd, buf, 0, buf.length, null);
    } finally {
      fs.closeSync(fd);
    }
  },
  readFile: (p) => fs.readFileSync(p),
};

/** errno name of a thrown fs error, or '' when it is not one. */
export function errnoCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

/** The process (or thread) is gone, or is a zombie whose namespaces are already released. */
export function isVanished(code: string): boolean {
  return code === 'ENOENT' || code === 'ESRCH';
}

/** The namespace types in the order the scan reports them. */
export const NS_TYPES: readonly NamespaceTypeT[] = NamespaceType.options;

const TYPE_BY_NAME = new Map<string, NamespaceTypeT>(NS_TYPES.map((t) => [t, t]));

/**
 * Inode of a namespace link target 'type:[ino]' (the form /proc/PID/ns/* and
 * nsfs fds read as), without allocating; -1 if it is not of that form.
 */
export function parseNsIno(link: string): number {
  const open = link.indexOf(':[');
  const end = link.length - 1;
  if (open <= 0 || link.charCodeAt(end) !== 93 /* ] */ || end <= open + 2) return -1;
  let n = 0;
  for (let i = open + 2; i < end; i++) {
    const d = link.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Type of a link target if it names a namespace ('net:[…]' yes; 'socket:[…]',
 * 'pipe:[…]', 'anon_inode:[…]', paths: no).
 */
export function nsLinkType(link: string): NamespaceTypeT | null {
  const colon = link.indexOf(':[');
  if (colon < 2 || colon > 6) return null;
  return TYPE_BY_NAME.get(link.slice(0, colon)) ?? null;
}

/** What the scan takes from /proc/PID/stat or /proc/PID/status. */
export interface TaskFacts {
  comm: string;
  /** Threads in the thread group. */
  threads: number;
  /** NSpid (status only); null when absent (kernels before 4.1) or not read. */
  nspid: number[] | null;
  /** A kernel thread (PF_KTHREAD in stat's flags; status "Kthread: 1", Linux 6.0+). */
  kthread: boolean;
}

/** include/linux/sched.h */
export const PF_KTHREAD = 0x00200000;

/** Position of `key` at the start of a line in buf[0, len), or -1. */
function lineStart(buf: Buffer, len: number, key: Buffer): number {
  let at = buf.indexOf(key);
  while (at > 0 && buf[at - 1] !== 10) at = buf.indexOf(key, at + 1);
  return at >= 0 && at + key.length <= len ? at : -1;
}

/** The unsigned decimal starting at buf[i] (after any spaces or tabs); -1 if none. */
function uintAt(buf: Buffer, i: number, len: number): number {
  while (i < len && (buf[i] === 32 || buf[i] === 9)) i++;
  let n = -1;
  for (; i < len; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    n = (n < 0 ? 0 : n * 10) + d;
  }
  return n;
}

const NSPID = Buffer.from('NSpid:');
const NAME = Buffer.from('Name:');
const THREADS = Buffer.from('Threads:');
const KTHREAD = Buffer.from('Kthread:');

/**
 * The NSpid line of /proc/PID/status, read into `buf[0, len)`: the process's
 * id in each pid namespace from the reader's procfs one down to its own.
 * null if the line is absent (kernels before 4.1) or cut off.
 */
export function parseNSpid(buf: Buffer, len: number): number[] | null {
  const at = lineStart(buf, len, NSPID);
  if (at < 0) return null;
  const out: number[] = [];
  let n = -1;
  for (let i = at + NSPID.length; i < len; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      n = (n < 0 ? 0 : n * 10) + (c - 48);
    } else if (c === 10) {
      if (n >= 0) out.push(n);
      return out.length > 0 ? out : null;
    } else if (n >= 0) {
      out.push(n);
      n = -1;
    }
  }
  return null; // no newline: the line was cut off by the buffer
}

/**
 * /proc/PID/status Name escapes a newline as the two characters `\n` and a
 * backslash as `\\` (fs/proc/array.c proc_task_name: seq_escape_str with
 * ESCAPE_SPACE | ESCAPE_SPECIAL, only for newline and backslash).
 */
export function unescapeStatusName(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([n\\])/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/**
 * /proc/PID/status in buf[0, len): Name, Threads and NSpid. null if Name or
 * Threads is missing (a file cut off by the buffer: read it whole instead).
 */
export function parseStatus(buf: Buffer, len: number): TaskFacts | null {
  const name = lineStart(buf, len, NAME);
  const threadsAt = lineStart(buf, len, THREADS);
  if (name < 0 || threadsAt < 0) return null;
  let from = name + NAME.length;
  if (buf[from] === 9) from++;
  const end = buf.indexOf(10, from);
  if (end < 0 || end > len) return null;
  const threads = uintAt(buf, threadsAt + THREADS.length, len);
  if (threads < 0) return null;
  const kthreadAt = lineStart(buf, len, KTHREAD);
  return {
    comm: unescapeStatusName(buf.toString('utf8', from, end)),
    threads,
    nspid: parseNSpid(buf, len),
    kthread: kthreadAt >= 0 && uintAt(buf, kthreadAt + KTHREAD.length, len) === 1,
  };
}

/**
 * /proc/PID/stat in buf[0, len): `pid (comm) state ppid … flags … num_threads …`.
 * comm is raw and may hold spaces and ')': it ends at the last ')'. flags is
 * field 9 and num_threads field 20 (proc(5)).
 */
export function parseStat(buf: Buffer, len: number): TaskFacts | null {
  const open = buf.indexOf(40 /* ( */);
  const close = buf.lastIndexOf(41 /* ) */, len - 1);
  if (open < 0 || close < open) return null;
  let flags = -1;
  let field = 2;
  for (let i = close + 1; i < len; i++) {
    if (buf[i] !== 32) continue;
    field++;
    if (field === 9) flags = uintAt(buf, i + 1, len);
    else if (field === 20) {
      const threads = uintAt(buf, i + 1, len);
      if (threads < 0 || flags < 0) return null;
      return {
        comm: buf.toString('utf8', open + 1, close),
        threads,
        nspid: null,
        kthread: (flags & PF_KTHREAD) !== 0,
      };
    }
  }
  return null;
}

/** Text of a one-line procfs file read into buf[0, len), without its trailing newline. */
export function lineOf(buf: Buffer, len: number): string {
  const end = len > 0 && buf[len - 1] === 10 ? len - 1 : len;
  return buf.toString('utf8', 0, end);
}

/** Undo the octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) of mountinfo fields. */
export function unescapeMountField(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface NsfsMount {
  type: NamespaceTypeT;
  ino: number;
  /** Mount point, relative to the reading process's root. */
  path: string;
}

/**
 * nsfs mounts in a mountinfo text: bind mounts of namespace files, e.g.
 * `111 26 0:4 net:[4026532389] /run/netns/x rw - nsfs nsfs rw`
 * (field 4, the root, names the namespace; field 5 is the mount point).
 */
export function parseNsfsMounts(text: string): NsfsMount[] {
  const out: NsfsMount[] = [];
  let from = 0;
  for (;;) {
    const hit = text.indexOf(' - nsfs ', from);
    if (hit < 0) break;
    const start = text.lastIndexOf('\n', hit) + 1;
    let end = text.indexOf('\n', hit);
    if (end < 0) end = text.length;
    from = end;
    const fields = text.slice(start, hit).split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    const type = nsLinkType(root);
    const ino = parseNsIno(root);
    if (type === null || ino < 0) continue;
    out.push({ type, ino, path: unescapeMountField(mountPoint) });
  }
  return out;
}

/** True for the names of /proc entries that are processes ('1234'), not 'self', 'sys', … */
export function isPidName(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 49 && c <= 57; // pids never start with 0
}
