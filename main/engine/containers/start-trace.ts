/**
 * The start trace (bench only): CLOCK_MONOTONIC marks along one container's
 * create → start → exit in the helper, written to `<dir>/<id>.trace` just
 * after `die` is announced (off the measured path). The monitor writes its
 * own marks to `<runDir>/trace.txt` once its state.json says exited
 * (native/monitor/src/trace.h); the reader merges the two by time.
 *
 * Armed only by the helper itself (main/helper/main.ts), only when root
 * started it directly: `BERTH_START_TRACE=<dir>` (pkexec scrubs the
 * environment). Unarmed, every mark is one comparison with null and the
 * monitor is not asked to trace. process.hrtime() is CLOCK_MONOTONIC on
 * Linux, the monitor's clock (native/monitor/src/trace.h), so the client's
 * marks line up with these.
 */
import fs from 'node:fs';
import path from 'node:path';

let dir: string | null = null;

/** Arms tracing into `d` (created 0700); returns it, or null when unset. */
export function armStartTrace(d: string | undefined): string | null {
  if (!d) return null;
  fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  dir = d;
  return dir;
}

/** Marks of one container's run: `[ns, name]`, as the monitor's file has them. */
export class StartTrace {
  readonly marks: Array<[bigint, string]> = [];
  mark(name: string): void {
    this.marks.push([process.hrtime.bigint(), name]);
  }
}

const traces = new Map<string, StartTrace>();

/** The trace of container `id`'s current run, begun on first use; null when unarmed. */
export function traceOf(id: string): StartTrace | null {
  if (dir === null) return null;
  let t = traces.get(id);
  if (!t) traces.set(id, (t = new StartTrace()));
  return t;
}

/** Shorthand: a mark on `id`'s trace when armed. */
export function mark(id: string, name: string): void {
  if (dir !== null) traceOf(id)!.mark(name);
}

/** True when the monitor should be asked to trace (spec.json "trace"). */
export function tracing(): boolean {
  return dir !== null;
}

/** Writes the helper's marks of `id` as `<ns> <name>` lines, and forgets them. */
export function saveTrace(id: string): void {
  const t = dir === null ? undefined : traces.get(id);
  if (!t || dir === null) return;
  traces.delete(id);
  const text = t.marks.map(([ns, name]) => `${ns} ${name}\n`).join('');
  fs.writeFileSync(path.join(dir, `${id}.trace`), text, { mode: 0o600 });
}

/** Parses a trace file: marks in time order. */
export function parseTrace(text: string): Array<{ ns: bigint; name: string }> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ ns: BigInt(l.slice(0, l.indexOf(' '))), name: l.slice(l.indexOf(' ') + 1) }));
}
