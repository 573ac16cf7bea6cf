/**
 * The helper's side of berth-monitor: start a run, read what the monitor
 * wrote (state.json, exit.json, monitor-error.json), watch for the exit,
 * and signal the container's pid only while it is still the same process
 * (start time from /proc/PID/stat guards against pid reuse).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { type MonitorExit, type MonitorSpec, type MonitorState } from '../../../native/monitor';
import { watchPidExit, type PidWatch } from '../../../native/index';
import { writeJsonAtomic } from '../storage/atomic-file';
import { okOrNull, readRecordFile } from '../storage/record-file';
import { MonitorErrorSchema, MonitorExitSchema, MonitorStateSchema } from './monitor-files';
import type { StartTrace } from './start-trace';
import { monitorLauncher, type Standby } from './monitor-launcher';
import { processLive, sameProcess } from './proc-stat';

/** state.json, or null when missing or unusable (it only describes this boot). */
export function readMonitorState(stateDir: string): MonitorState | null {
  return okOrNull(readRecordFile(path.join(stateDir, 'state.json'), MonitorStateSchema));
}

/** exit.json, or null when missing or unusable (a monitor killed mid-write: the exit is then unknown). */
export function readExit(stateDir: string): MonitorExit | null {
  return okOrNull(readRecordFile(path.join(stateDir, 'exit.json'), MonitorExitSchema));
}

export { pidStartTime, processState, sameProcess } from './proc-stat';

const PREPARE_DELAY_MS = 20;

/** What to exec for another monitor mode (pods' `pod-hold`): the same sealed copy as every run. */
export function monitorCommand(): { file: string; argv0: string } {
  return monitorLauncher().command();
}

/** Starts a standby monitor now (the helper does at boot), so the first start finds one. */
export function prepareMonitor(): void {
  monitorLauncher().prepare();
}

/**
 * Runs `berth-monitor run`; resolves when the container runs, rejects with
 * the step that failed. standby: one taken from the launcher (whose pool the
 * spec's cgroupPool may name); by default the waiting one, if any.
 */
export async function startMonitor(
  stateDir: string,
  spec: MonitorSpec,
  trace: StartTrace | null = null,
  standby: Standby | null | undefined = undefined,
): Promise<MonitorState & { status: 'running' }> {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  for (const f of ['state.json', 'exit.json', 'monitor-error.json']) fs.rmSync(path.join(stateDir, f), { force: true });
  // Read by the monitor at once and rewritten on every start: no fsync (atomic-file.ts).
  writeJsonAtomic(path.join(stateDir, 'spec.json'), spec, 0o600, 'volatile');
  trace?.mark('helper: spec.json written');
  const report = monitorLauncher().launch(stateDir, standby === undefined ? monitorLauncher().take() : standby);
  trace?.mark('helper: monitor launched');
  const { code, stderr } = await report;
  trace?.mark('helper: monitor report seen');
  // The next standby, a little later: spawn() forks this (large) process
  // synchronously, 10–25 ms on a loaded machine, and right after a start it
  // stood between the start's answer and the check that finds a short-lived
  // container's exit.json (seen in the start trace). A start that comes
  // sooner finds no standby and spawns its monitor itself.
  setTimeout(() => monitorLauncher().prepare(), PREPARE_DELAY_MS).unref();
  const state = readMonitorState(stateDir);
  if (code === 0 && state?.status === 'running') return state;
  // It ran and has already exited (a short command on a busy machine): the
  // monitor replaced state.json before we read it. It did start; the exit
  // is picked up from exit.json by watchExit.
  if (code === 0 && state?.status === 'exited') {
    const { pid, pidStartTime, monitorPid, startedAt } = state;
    return { status: 'running', pid, pidStartTime, monitorPid, startedAt };
  }
  const error =
    okOrNull(readRecordFile(path.join(stateDir, 'monitor-error.json'), MonitorErrorSchema)) ??
    (state?.status === 'failed' ? state.error : null);
  throw new BerthError(
    'CONTAINER_START_FAILED',
    error?.message ?? (stderr.trim() || `berth-monitor exited with ${code}`),
    {
      step: error?.step,
      errno: error?.errnoName,
    },
  );
}

/**
 * Calls onExit once exit.json appears. inotify on the state dir does the
 * work; the monitor's death is watched too (a monitor killed without writing
 * exit.json is reported `null`): through a pidfd where the kernel has one,
 * which costs nothing until it fires, else a /proc poll every pollMs.
 */
export function watchExit(
  stateDir: string,
  monitorPid: number,
  onExit: (e: MonitorExit | null) => void,
  pollMs = 2000,
  trace: StartTrace | null = null,
): () => void {
  let done = false;
  /** A monitor that died lingers as a zombie until reaped: processLive says no then. */
  const monitorAlive = (): boolean => processLive(monitorPid);
  const check = (): void => {
    if (done) return;
    trace?.mark('helper: exit check');
    const e = readExit(stateDir);
    if (e) finish(e);
    else if (!monitorAlive()) finish(readExit(stateDir)); // killed without exit.json: re-read once, then report
  };
  // The monitor renames exit.json into place before it exits, so once it is
  // dead the file is there or never will be.
  const monitorDied = (): void => {
    if (!done) finish(readExit(stateDir));
  };
  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(stateDir, (_ev, name) => {
      trace?.mark(`helper: inotify ${name ?? '?'}`);
      if (name === 'exit.json' || name === 'state.json') check();
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = null;
  }
  let pidWatch: PidWatch | null = null;
  try {
    pidWatch = watchPidExit(monitorPid, monitorDied);
  } catch {
    // ESRCH: gone already (the first check below sees it); ENOSYS: an old kernel, polled.
  }
  const pollLife = (): void => {
    if (!done && !monitorAlive()) monitorDied();
  };
  // Without a watch, exit.json itself has to be polled; without a pidfd, the monitor's life.
  const timer = watcher && pidWatch ? null : setInterval(watcher ? pollLife : check, pollMs);
  timer?.unref();
  function stop(): void {
    done = true;
    if (timer) clearInterval(timer);
    watcher?.close();
    pidWatch?.close();
  }
  function finish(e: MonitorExit | null): void {
    if (done) return;
    stop();
    onExit(e);
  }
  trace?.mark('helper: exit watch armed');
  setImmediate(check);
  return stop;
}

/**
 * Resolves once the process has exited (a pidfd, through the addon's
 * PidWatch), at once when it is gone or cannot be watched, and after
 * timeoutMs at the latest.
 */
export function processEnded(pid: number | null, timeoutMs = 10_000): Promise<void> {
  if (pid === null) return Promise.resolve();
  return new Promise((resolve) => {
    let w: PidWatch | null = null;
    const timer = setTimeout(() => done(), timeoutMs);
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      w?.close();
      resolve();
    }
    try {
      w = watchPidExit(pid, done);
    } catch {
      done(); // ESRCH: gone already; ENOSYS: no pidfd (the next run then finds what it finds)
    }
  });
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

export function signalNumber(sig: string | number): number {
  if (typeof sig === 'number') return sig;
  const name = sig.startsWith('SIG') ? sig : `SIG${sig}`;
  const rt = /^SIGRTMIN\+(\d+)$/.exec(name);
  if (rt) return 34 + Number(rt[1]);
  const n = SIGNALS[name];
  if (n === undefined) throw new BerthError('BAD_PARAMS', `unknown signal ${sig}`);
  return n;
}

/** Signals the container init only if it is still the process we started. */
export function signalContainer(pid: number, startTime: number, sig: number): boolean {
  if (!sameProcess(pid, startTime)) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
