/**
 * The pod holder: `berth-monitor pod-hold` (native/monitor/src/pod.h), the
 * process whose namespaces a pod's members join, in place of an infra
 * container. Exec'd from the monitor's sealed copy like every monitor; it
 * prints the holder's pid once the namespaces are set up, and the holder
 * then lives on its own (own session, parent init), so the pod outlives the
 * helper as containers do.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../../../preload/errors';
import { monitorCommand, pidStartTime, processState, sameProcess } from '../containers/runtime';
import type { PodHolder } from './record';

export interface HolderOptions {
  sharePid: boolean;
  /** The pod's prepared network namespace file. */
  netns: string;
  hostname: string;
}

export function startHolder(o: HolderOptions): Promise<PodHolder> {
  const { file, argv0 } = monitorCommand();
  const args = ['pod-hold', ...(o.sharePid ? ['--pid'] : []), '--net', o.netns, '--hostname', o.hostname];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { argv0, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) =>
      reject(new BerthError('POD_HOLDER_FAILED', `the pod holder did not start: ${e.message}`)),
    );
    child.once('close', (code) => {
      const pid = Number(out.trim());
      if (code !== 0 || !Number.isInteger(pid) || pid <= 0) {
        const why = err.trim() || `exit status ${String(code)}`;
        reject(new BerthError('POD_HOLDER_FAILED', `the pod holder did not start: ${why}`, { stderr: err.trim() }));
        return;
      }
      const startTime = pidStartTime(pid);
      if (startTime === null) {
        reject(new BerthError('POD_HOLDER_FAILED', `the pod holder (pid ${pid}) ended right after it started`));
        return;
      }
      resolve({ pid, startTime });
    });
  });
}

/** The holder runs (a zombie waiting for init's reap counts as ended). */
export function holderAlive(h: PodHolder | null): boolean {
  return !!h && sameProcess(h.pid, h.startTime) && processState(h.pid) !== 'Z';
}

/**
 * SIGTERM (the holder exits 0), SIGKILL after timeoutMs; resolves once the
 * pid is gone or is another process. As init of a shared pid namespace, its
 * end kills whatever is left in that namespace.
 */
export async function stopHolder(h: PodHolder, timeoutMs = 5000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    if (!holderAlive(h)) return;
    try {
      process.kill(h.pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  signal('SIGTERM');
  for (let waited = 0; holderAlive(h); waited += 20) {
    if (waited === timeoutMs) signal('SIGKILL');
    if (waited > timeoutMs + 10_000) throw new BerthError('POD_HOLDER_FAILED', `the pod holder ${h.pid} does not end`);
    await sleep(20);
  }
}

/** The namespace files a member joins: the holder's. */
export function holderNamespaces(h: PodHolder): { ipc: string; uts: string; pid: string; net: string } {
  const ns = (n: string): string => `/proc/${h.pid}/ns/${n}`;
  return { ipc: ns('ipc'), uts: ns('uts'), pid: ns('pid'), net: ns('net') };
}
