/**
 * Relays a helper session (exec or attach) to this terminal: output events
 * to stdout/stderr, stdin to sessions.write, window size to sessions.resize,
 * raw mode for a tty. Resolves with the process's exit code.
 */
import type { Backend } from '../api/backend';
import type { CliContext } from './command';

const cli = { transport: 'cli' } as const;

export interface RelayOptions {
  interactive: boolean;
  tty: boolean;
  /**
   * Without `interactive`, close the process's stdin at once (exec: it reads
   * EOF). False for attach: the main process's stdin is not ours to close.
   */
  closeUnusedStdin?: boolean;
  /** docker's detach keys, ctrl-p ctrl-q: leave the process running and return 0 (attach). */
  detachKeys?: boolean;
  /**
   * Where the exit code comes from when the session ends without one (the
   * monitor closed the stream before its exit frame): attach asks the
   * container's record, which always gets it. Without it such an end is 1.
   */
  exitCode?: () => Promise<number>;
}

const CTRL_P = 0x10;
const CTRL_Q = 0x11;

/**
 * Finds docker's detach sequence (ctrl-p ctrl-q) in typed input. A ctrl-p at
 * the end of a chunk is held until the next one shows what follows; a ctrl-p
 * followed by anything else is sent as typed.
 */
export class DetachScanner {
  private held = false;

  /** What to send on, and whether the sequence was typed (nothing after it is sent). */
  push(chunk: Buffer): { send: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.held) {
        this.held = false;
        if (byte === CTRL_Q) return { send: Buffer.from(out), detach: true };
        out.push(CTRL_P);
      }
      if (byte === CTRL_P) this.held = true;
      else out.push(byte);
    }
    return { send: Buffer.from(out), detach: false };
  }
}

/** Subscribe before the session exists: output can arrive before its id does. */
export function relaySession(
  b: Backend,
  ctx: CliContext,
  open: () => Promise<string>,
  o: RelayOptions,
): Promise<number> {
  const early = new Map<string, Array<{ stream: 'stdout' | 'stderr'; data: string }>>();
  const exits = new Map<string, number | null>();
  let sessionId: string | null = null;
  let resolve!: (code: number) => void;
  const done = new Promise<number>((r) => (resolve = r));
  const resolveExit = (code: number | null): void => {
    if (code !== null || !o.exitCode) resolve(code ?? 1);
    else o.exitCode().then(resolve, () => resolve(1));
  };
  const write = (stream: 'stdout' | 'stderr', data: string): void => {
    (stream === 'stderr' ? ctx.stderr : ctx.stdout).write(Buffer.from(data, 'base64'));
  };
  const offOut = b.hub.on('sessions.output', (e) => {
    if (sessionId === null) {
      const list = early.get(e.sessionId) ?? [];
      list.push({ stream: e.stream, data: e.data });
      early.set(e.sessionId, list);
    } else if (e.sessionId === sessionId) write(e.stream, e.data);
  });
  const offExit = b.hub.on('sessions.exit', (e) => {
    if (e.error) ctx.stderr.write(`Error: ${e.error}\n`);
    if (sessionId === null) exits.set(e.sessionId, e.exitCode);
    else if (e.sessionId === sessionId) resolveExit(e.exitCode);
  });
  const stdin = process.stdin;
  const raw = o.tty && stdin.isTTY === true;
  const cleanup: Array<() => void> = [offOut, offExit];

  return open()
    .then(async (id) => {
      sessionId = id;
      for (const x of early.get(id) ?? []) write(x.stream, x.data);
      if (exits.has(id)) resolveExit(exits.get(id) ?? null);
      if (o.tty && process.stdout.isTTY) {
        const resize = () =>
          void b.router
            .invoke('sessions.resize', { sessionId: id, cols: process.stdout.columns, rows: process.stdout.rows }, cli)
            .catch(() => undefined);
        resize();
        process.stdout.on('resize', resize);
        cleanup.push(() => process.stdout.off('resize', resize));
      }
      if (!o.interactive && o.closeUnusedStdin !== false) {
        // docker exec without -i: the process reads EOF, it does not wait on us.
        void b.router.invoke('sessions.close', { sessionId: id }, cli).catch(() => undefined);
      }
      if (o.interactive) {
        if (raw) {
          stdin.setRawMode(true);
          cleanup.push(() => stdin.setRawMode(false));
        }
        const scanner = o.detachKeys ? new DetachScanner() : null;
        let detached = false;
        const send = (d: Buffer): void => {
          if (d.length === 0) return;
          void b.router
            .invoke('sessions.write', { sessionId: id, data: d.toString('base64') }, cli)
            .catch(() => undefined);
        };
        const onData = (d: Buffer): void => {
          if (detached) return;
          if (!scanner) return send(d);
          const r = scanner.push(d);
          send(r.send);
          if (r.detach) {
            detached = true; // the process runs on; only our attachment ends
            resolveExit(0);
          }
        };
        const onEnd = () => {
          if (!detached) void b.router.invoke('sessions.close', { sessionId: id }, cli).catch(() => undefined);
        };
        stdin.on('data', onData);
        stdin.once('end', onEnd);
        stdin.resume();
        cleanup.push(() => {
          stdin.off('data', onData);
          stdin.off('end', onEnd);
          stdin.pause();
        });
      }
      return done;
    })
    .finally(() => cleanup.forEach((f) => f()));
}
