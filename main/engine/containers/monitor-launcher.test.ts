/**
 * How a standby's report is read (standbyRun), with real processes standing
 * in for the monitor: sh scripts that read the line and then report, die or
 * refuse in each order the helper can see. A fifo lets the test decide when
 * the "monitor" goes on, so each order is certain, not a matter of timing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/helper-process';
import { standbyRun } from './monitor-launcher';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fifo the script blocks on (`read go < $FIFO`) until release() writes to it. */
function gate(): { fifo: string; release(): void } {
  const dir = tempDir('berth-standby-');
  dirs.push(dir);
  const fifo = path.join(dir, 'go');
  execFileSync('mkfifo', [fifo]);
  return { fifo, release: () => fs.writeFileSync(fifo, 'go\n') };
}

/** Spawned as the launcher spawns a standby: stdin, stdout and stderr piped, detached. */
function standbyLike(script: string, fifo = ''): ChildProcess {
  return spawn('sh', ['-c', script], { stdio: 'pipe', detached: true, env: { ...process.env, FIFO: fifo } });
}

const exited = (c: ChildProcess): Promise<void> => new Promise((r) => c.once('exit', () => r()));

describe('standbyRun: the report is the first byte on stdout, whenever the exit is seen', () => {
  it('a report byte written after the process exited still counts (the exit came first)', async () => {
    // The byte is written by a child that keeps stdout open, after the
    // standby itself exited 0: Node sees 'exit' before the data, as it did
    // for a monitor whose container ran `true` within one loop turn.
    const g = gate();
    const c = standbyLike('read line; (read go < "$FIFO"; printf "\\000") & exit 0', g.fifo);
    const report = standbyRun(c, '/state/dir');
    await exited(c);
    g.release();
    expect(await report).toEqual({ code: 0, stderr: '' });
  });

  it('reads the state dir line the helper wrote', async () => {
    const c = standbyLike('read line; [ "$line" = /state/dir ] && printf "\\000" || printf "\\001"');
    expect(await standbyRun(c, '/state/dir')).toMatchObject({ code: 0 });
  });

  it('a failure report waits for the message on stderr', async () => {
    const c = standbyLike('read line; echo "mount /proc: EPERM" >&2; printf "\\001"; exit 1');
    expect(await standbyRun(c, '/state/dir')).toEqual({ code: 1, stderr: 'mount /proc: EPERM\n' });
  });

  it('a standby that exits 0 without a report is a failure that says so', async () => {
    const c = standbyLike('read line; exit 0');
    const r = await standbyRun(c, '/state/dir');
    expect(r).toEqual({ code: 1, stderr: 'the standby monitor ended before its report (exit 0)' });
  });

  it('a standby killed after taking the line names the signal', async () => {
    const c = standbyLike('read line; kill -9 $$');
    const r = await standbyRun(c, '/state/dir');
    expect(r).toEqual({ code: 1, stderr: 'the standby monitor ended before its report (signal SIGKILL)' });
  });

  it('a standby that never got the line (its stdin closed first) is not taken: another monitor may run', async () => {
    const g = gate();
    const c = standbyLike('exec 0<&-; echo closed >&2; read go < "$FIFO"; exit 0', g.fifo);
    // Wait until its stdin is closed, so our write meets a closed pipe.
    await new Promise<void>((r) => c.stderr!.once('data', () => r()));
    c.stderr!.removeAllListeners('data');
    const report = standbyRun(c, '/state/dir');
    await new Promise((r) => setImmediate(r));
    g.release();
    expect(await report).toBe('not-taken');
  });
});
