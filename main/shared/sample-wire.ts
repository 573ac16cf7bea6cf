/**
 * The per-tick stats sample as the helper sends it to its clients: columns,
 * not one object per container. With 100 containers the object form was
 * ~117 KB of JSON a second, mostly repeated key names, and a hundred objects
 * built and dropped per tick; this form is a flat number array plus the ids
 * and names (bench/stats-sampling). The client (main/helper/client/connection.ts)
 * turns it back into the contract's `resources.sample` payload, { at, rows },
 * before validating it like any other event, so nothing past the connection
 * sees the wire form.
 *
 * It lives in main/shared because both sides hold it: the helper's sampler
 * encodes (engine/resources/service.ts, from engine/cgroups/history.ts) and
 * the user-side connection decodes, which must not pull engine code in.
 */
import type { HistoryPointT, StatsRowT } from '../../preload/schemas/resources';

/**
 * A HistoryPoint's fields after t, in the order SampleRing.writePoint
 * (engine/cgroups/history.ts) writes them: the column order of the per-tick
 * event on the helper's wire.
 */
export const POINT_FIELDS = [
  'cpuPercent',
  'cpuPercentOfHost',
  'throttledPercent',
  'memoryBytes',
  'memoryLimit',
  'pids',
  'ioReadBps',
  'ioWriteBps',
  'netRxBps',
  'netTxBps',
  'psiCpuSomeAvg10',
  'psiCpuFullAvg10',
  'psiMemorySomeAvg10',
  'psiMemoryFullAvg10',
  'psiIoSomeAvg10',
  'psiIoFullAvg10',
] as const satisfies ReadonlyArray<Exclude<keyof HistoryPointT, 't'>>;

// Every field but t is a column: a field added to HistoryPoint must be added above.
type MissingField = Exclude<keyof HistoryPointT, 't' | (typeof POINT_FIELDS)[number]>;
const allFields: MissingField extends never ? true : MissingField = true;
void allFields;

/** Builds a point from t and POINT_FIELDS values at vals[offset ..]. */
export function pointFromValues(t: number, vals: ArrayLike<number | null>, offset: number): HistoryPointT {
  const p: Record<string, number | null> = { t };
  for (let f = 0; f < POINT_FIELDS.length; f++) p[POINT_FIELDS[f]!] = vals[offset + f] ?? null;
  return p as unknown as HistoryPointT;
}

/** What the encoder reads: per id, a ring that writes its newest point's POINT_FIELDS values (engine/cgroups/history.ts's History). */
export interface LatestPoints {
  ring(id: string): { writeLast(out: Array<number | null>, offset: number): boolean } | undefined;
}

/** Bumped when the column order or meaning changes: a client refuses a form it does not know. */
export const SAMPLE_COLUMNS_VERSION = 1;

export interface SampleColumns {
  v: typeof SAMPLE_COLUMNS_VERSION;
  at: number;
  ids: string[];
  names: string[];
  /** Row i's POINT_FIELDS values at [i × width, (i + 1) × width); its t is `at`. */
  width: number;
  values: Array<number | null>;
}

/** The newest point of each of `ids` (those with one) as columns. */
export function encodeSampleColumns(
  at: number,
  ids: readonly string[],
  nameOf: (id: string) => string | undefined,
  history: LatestPoints,
): SampleColumns {
  const width = POINT_FIELDS.length;
  const out: SampleColumns = { v: SAMPLE_COLUMNS_VERSION, at, ids: [], names: [], width, values: [] };
  for (const id of ids) {
    const name = nameOf(id);
    const ring = history.ring(id);
    if (name === undefined || !ring) continue;
    if (!ring.writeLast(out.values, out.ids.length * width)) continue;
    out.ids.push(id);
    out.names.push(name);
  }
  return out;
}

const isStringArray = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/**
 * Back to { at, rows }; null when `x` is not a well-formed SampleColumns of
 * this version (the caller drops it, as it drops any event that does not
 * validate). Values are checked by the event's schema afterwards.
 */
export function decodeSampleColumns(x: unknown): { at: number; rows: StatsRowT[] } | null {
  if (typeof x !== 'object' || x === null) return null;
  const c = x as Partial<Record<keyof SampleColumns, unknown>>;
  if (c.v !== SAMPLE_COLUMNS_VERSION || typeof c.at !== 'number' || c.width !== POINT_FIELDS.length) return null;
  if (!isStringArray(c.ids) || !isStringArray(c.names) || !Array.isArray(c.values)) return null;
  const width = POINT_FIELDS.length;
  if (c.names.length !== c.ids.length || c.values.length !== c.ids.length * width) return null;
  const values = c.values as unknown[];
  if (!values.every((v) => v === null || typeof v === 'number')) return null;
  const rows: StatsRowT[] = c.ids.map((id, i) => ({
    ...pointFromValues(c.at as number, values as Array<number | null>, i * width),
    id,
    name: (c.names as string[])[i]!,
  }));
  return { at: c.at, rows };
}
