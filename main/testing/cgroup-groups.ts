/**
 * Helpers for the root-only tests that run against the host's real cgroups.
 * Groups are created only under berth/ and every test removes what it made.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { detectLayout, type CgroupLayout } from '../engine/cgroups/detect';
import { type CgroupDriver, type CgroupHandle, createDriver, type DriverOptions } from '../engine/cgroups/driver';

export const isRoot = process.getuid?.() === 0;

export function hostLayout(): CgroupLayout | null {
  try {
    return detectLayout();
  } catch {
    return null;
  }
}

/** A hybrid or v1 host with the v1 controllers these tests exercise. */
export function hasV1(layout: CgroupLayout | null, ...controllers: string[]): boolean {
  if (!layout || layout.mode === 'v2') return false;
  return controllers.every((c) => layout.hierarchies.some((h) => h.version === 1 && h.controllers.includes(c)));
}

let seq = 0;
export function testId(tag: string): string {
  return `t-${tag}-${process.pid}-${(seq++).toString(36)}`;
}

/** Tracks groups and children so afterEach can clean up whatever a test left. */
export class Scratch {
  readonly driver: CgroupDriver;
  private readonly handles: CgroupHandle[] = [];
  private readonly children: ChildProcess[] = [];

  constructor(layout: CgroupLayout, opts?: DriverOptions) {
    this.driver = createDriver(layout, opts);
  }

  create(tag: string): CgroupHandle {
    const h = this.driver.create(testId(tag));
    this.handles.push(h);
    return h;
  }

  track<T extends ChildProcess>(c: T): T {
    this.children.push(c);
    return c;
  }

  async cleanup(): Promise<void> {
    for (const c of this.children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const h of this.handles.splice(0).reverse()) await this.driver.destroy(h);
  }
}

export interface Gated {
  child: ChildProcess;
  pid: number;
  /** Let the command exec (after the pid was attached). */
  go(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Start `sh`, which waits for a line on stdin and then execs the command, so
 * the process can be moved into a group before it allocates or forks.
 */
export function spawnGated(cmd: string[]): Gated {
  const child = spawn('sh', ['-c', 'read x && exec "$@"', 'sh', ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  if (child.pid === undefined) throw new Error(`spawn failed: ${cmd.join(' ')}`);
  return { child, pid: child.pid, go: () => child.stdin?.end('go\n'), exited };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await sleep(stepMs);
  }
  return cond();
}

export function readFile(p: string): string {
  return fs.readFileSync(p, 'utf8').trim();
}

/** utime + stime of a process in clock ticks, from /proc/PID/stat. */
export function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after "(comm) ": state is index 0 → utime is field 14 overall = index 11 here.
  return Number(rest[11]) + Number(rest[12]);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The whole-disk MAJ:MIN behind "/" (throttling applies to disks, not partitions). */
export function rootDisk(): { major: number; minor: number; name: string } | null {
  const mi = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of mi.split('\n')) {
    const f = line.split(' ');
    if (f[4] !== '/') continue;
    let dev = f[2] ?? '';
    const sys = `/sys/dev/block/${dev}`;
    if (!fs.existsSync(sys)) return null;
    if (fs.existsSync(`${sys}/partition`)) {
      // The parent directory of a partition in sysfs is its disk.
      const disk = fs.realpathSync(`${sys}/..`);
      dev = readFile(`${disk}/dev`);
    }
    const [major, minor] = dev.split(':').map(Number);
    const name = fs.realpathSync(`/sys/dev/block/${dev}`).split('/').pop() ?? '?';
    if (major === undefined || minor === undefined) return null;
    return { major, minor, name };
  }
  return null;
}
