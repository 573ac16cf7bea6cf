/**
 * Starting berth-monitor for one run, and the warm standby that makes it
 * cheap.
 *
 * One `berth-monitor run --standby` is started ahead of time: exec'd,
 * re-exec'd from its sealed copy, waiting for a state directory on stdin. A
 * start then costs one pipe write: the standby becomes the monitor itself (no
 * fork, no process exit to wait for) and reports one byte on stdout (0
 * running, 1 failed to start, 2 could not begin; the message on stderr
 * first). When the helper goes away its stdin closes and a waiting standby
 * exits 0. Without a standby, a fresh `run <stateDir>` forks its daemon and
 * reports with its exit status.
 *
 * The report is the first byte on stdout, or stdout's end without one; the
 * process's exit decides nothing before stdout has ended. Node gives no order
 * between a child's 'exit' and the data still unread on its pipes: a
 * container that ran `true` made its monitor report and exit within one turn
 * of a loaded helper's loop, the exit was handled first, and a start that had
 * succeeded failed with "ended before its report (exit 0)" (the flaky
 * 200-cycle test). A standby found dead when a start takes it (killed, or
 * gone with the helper's pipe) is replaced by a fresh run, never reported as
 * the start's failure.
 *
 * With cgroup pools (usePools, cgroup-pool.ts) each standby gets a fresh pool
 * and `--pool NAME FILE…`: its spawner moves into the pool before any
 * request, so the start that renames the pool to its container's groups
 * places init without a cgroup.procs write (native/monitor/src/spawner.h).
 * The pool travels with the standby: a caller that takes a standby either
 * launches it or abandons it, and an unused pool is removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { monitorPath } from '../../../native/monitor';
import { sealedExecutable } from '../../../native/index';
import { processLive } from './proc-stat';
import type { CgroupPool, CgroupPools } from './cgroup-pool';

export interface MonitorReport {
  /** 0: running; anything else: did not start (null: no status at all). */
  code: number | null;
  /** What the monitor printed on stderr (its error message on a failure). */
  stderr: string;
}

/** The standby died before our line reached it: nothing of the run began, another monitor may take it. */
const NOT_TAKEN = 'not-taken';

/** A standby monitor and the cgroup pool its spawner joined (null: none). */
export interface Standby {
  child: ChildProcess;
  pool: CgroupPool | null;
}

export class MonitorLauncher {
  private standby: Standby | null = null;
  private exe: string | null = null;
  private pools: CgroupPools | null = null;

  /** From now on each new standby gets a pool (null: none). */
  usePools(pools: CgroupPools | null): void {
    this.pools = pools;
  }

  /** The pools in use, if any. */
  cgroupPools(): CgroupPools | null {
    return this.pools;
  }

  /**
   * What to exec: one sealed memfd copy of the monitor made by this process
   * and shared by every monitor it starts (/proc/self/fd/N as seen by them),
   * so no monitor copies itself (the CVE-2019-5736 guard holds: the copy is
   * sealed, cloned_binary.cc sees that and skips its own). The plain binary
   * when the addon cannot make one.
   */
  command(): { file: string; argv0: string } {
    const bin = monitorPath();
    if (this.exe === null) {
      try {
        this.exe = `/proc/${process.pid}/fd/${sealedExecutable(bin)}`;
      } catch {
        this.exe = bin;
      }
    }
    return { file: this.exe, argv0: bin };
  }

  private spawnRun(args: string[], stdio: 'pipe' | 'ignore'): ChildProcess {
    const { file, argv0 } = this.command();
    return spawn(file, ['run', ...args], { argv0, stdio: [stdio, stdio, 'pipe'], detached: true });
  }

  /**
   * Runs the monitor for stateDir: the given standby (taken with take()) if
   * it is still alive, else a fresh `run <stateDir>`. Resolves with the
   * report and what it printed on stderr.
   */
  async launch(stateDir: string, standby: Standby | null = this.take()): Promise<MonitorReport> {
    if (standby) {
      const r = await standbyRun(standby.child, stateDir);
      if (r !== NOT_TAKEN) return r;
    }
    return foregroundRun(this.spawnRun([stateDir], 'ignore'));
  }

  /**
   * The waiting standby, if it is alive: none waits afterwards either way.
   * A dead one's pool is removed.
   */
  take(): Standby | null {
    const s = this.standby;
    this.standby = null;
    if (!s) return null;
    const c = s.child;
    if (alive(c) && c.stdin && c.stdout && c.stderr && !c.stdin.destroyed) return s;
    this.dropPool(s.pool);
    return null;
  }

  /** A taken standby that will not be launched: ended, its pool removed unless adopted. */
  abandon(s: Standby, poolAdopted: boolean): void {
    try {
      s.child.kill('SIGKILL');
    } catch {
      // gone
    }
    if (!poolAdopted) this.dropPool(s.pool);
  }

  /** Removes an unused pool (in the background: its spawner may still be on its way out). */
  dropPool(pool: CgroupPool | null): void {
    if (pool && this.pools) void this.pools.remove(pool.name);
  }

  /** Ends the waiting standby and removes its pool (helper shutdown, tests). */
  async dispose(): Promise<void> {
    const s = this.standby;
    this.standby = null;
    if (!s) return;
    const exited = new Promise<void>((res) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) res();
      else s.child.once('exit', () => res());
    });
    s.child.ref(); // unref'd when prepared: keep the loop alive until its exit is seen
    s.child.kill('SIGKILL');
    await exited;
    if (s.pool && this.pools) await this.pools.removeWithin(s.pool.name, 5000);
  }

  /** Starts the next standby unless a live one is waiting. */
  prepare(): void {
    if (this.standby && alive(this.standby.child)) return;
    if (this.standby) this.dropPool(this.standby.pool);
    this.standby = null;
    const pool = this.pools?.make() ?? null;
    let child: ChildProcess;
    try {
      child = this.spawnRun(['--standby', ...(pool ? ['--pool', pool.name, ...pool.procs] : [])], 'pipe');
    } catch {
      this.dropPool(pool);
      return; // starts fall back to a direct spawn
    }
    child.once('error', () => undefined);
    // A standby, and the monitor it becomes, must not keep the helper (or a
    // test process) alive.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();
    this.standby = { child, pool };
  }

  /** The waiting standby's pid, if one is waiting (tests kill it). */
  standbyPid(): number | null {
    return this.standby?.child.pid ?? null;
  }

  /** The waiting standby's pool, if it has one (tests). */
  standbyPool(): CgroupPool | null {
    return this.standby?.pool ?? null;
  }
}

/** Not exited as far as Node knows, nor as far as the kernel does (a zombie Node has not reaped yet). */
function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null && c.pid !== undefined && processLive(c.pid);
}

/** `run <stateDir>`: its exit status is the report; 'close' comes after stderr has been read to its end. */
function foregroundRun(child: ChildProcess): Promise<MonitorReport> {
  return new Promise((resolve) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 8192) err += d.toString();
    });
    child.once('error', (e) => resolve({ code: 127, stderr: e.message }));
    child.once('close', (c) => resolve({ code: c, stderr: err }));
  });
}

/**
 * A standby given its state dir. The first byte on stdout is the report; on
 * a failure the message is on stderr, which ends when the process does. A
 * standby whose stdout ends without a byte died before reporting and is
 * judged by its exit; if our line never reached it (the write failed: it was
 * dead already), it is NOT_TAKEN.
 */
export function standbyRun(s: ChildProcess, stateDir: string): Promise<MonitorReport | typeof NOT_TAKEN> {
  return new Promise((resolve) => {
    let err = '';
    /** The report byte; null once stdout ended without one. */
    let report: number | null | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let stderrEnded = false;
    let lineRefused = false;
    let settled = false;
    const stdout = s.stdout!;
    const stderr = s.stderr!;
    // Referenced while the report is awaited (a promise alone keeps no loop alive).
    for (const stream of [stdout, stderr]) (stream as Socket).ref();
    const finish = (r: MonitorReport | typeof NOT_TAKEN): void => {
      settled = true;
      stdout.destroy();
      (stderr as Socket).unref();
      resolve(r);
    };
    const settle = (): void => {
      if (settled || report === undefined) return;
      if (report === 0) return finish({ code: 0, stderr: err });
      if (!stderrEnded) return; // the message comes before the byte, and ends with the process
      if (report !== null) return finish({ code: report, stderr: err });
      if (!exit) return;
      if (lineRefused) return finish(NOT_TAKEN);
      // Died before reporting: say how, since it printed nothing of its own.
      const how = exit.signal ? `signal ${exit.signal}` : `exit ${String(exit.code)}`;
      finish({
        code: exit.code === 0 || exit.code === null ? 1 : exit.code,
        stderr: err.trim() ? err : `the standby monitor ended before its report (${how})`,
      });
    };
    stderr.on('data', (d: Buffer) => {
      if (err.length < 8192) err += d.toString();
    });
    stderr.once('close', () => {
      stderrEnded = true;
      settle();
    });
    stdout.once('data', (d: Buffer) => {
      report ??= d[0]!;
      settle();
    });
    const stdoutEnded = (): void => {
      report ??= null;
      settle();
    };
    stdout.once('end', stdoutEnded);
    stdout.once('close', stdoutEnded);
    s.once('exit', (code, signal) => {
      exit = { code, signal };
      settle();
    });
    if (stdout.readableEnded || stdout.destroyed) report = null;
    // EPIPE: it died before the line was written (its exit and stdout's end follow).
    s.stdin!.on('error', () => {
      lineRefused = true;
      settle();
    });
    s.stdin!.end(`${stateDir}\n`);
  });
}

const launcher = new MonitorLauncher();

/** The helper's one launcher. */
export function monitorLauncher(): MonitorLauncher {
  return launcher;
}
