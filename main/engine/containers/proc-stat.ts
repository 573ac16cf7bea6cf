/**
 * A process as /proc/PID/stat shows it: its state letter and its start time
 * (which tells a pid's first owner from a later one).
 */
import fs from 'node:fs';

/** The fields after the command name (which may hold spaces and parentheses), or null when the pid is gone. */
function statFields(pid: number): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** Field 3 (state: R, S, D, Z…) of /proc/PID/stat, or null when the pid is gone. */
export function processState(pid: number): string | null {
  return statFields(pid)?.[0] || null;
}

/** The pid exists and has not exited (a zombie has, until its parent reaps it). */
export function processLive(pid: number): boolean {
  const st = processState(pid);
  return st !== null && st !== 'Z';
}

/** Field 22 (starttime) of /proc/PID/stat, or null when the pid is gone. */
export function pidStartTime(pid: number): number | null {
  const v = Number(statFields(pid)?.[19]);
  return Number.isFinite(v) ? v : null;
}

export function sameProcess(pid: number, startTime: number): boolean {
  return pidStartTime(pid) === startTime;
}
