/**
 * The per-tick stats sample as the helper sends it to its clients: columns,
 * not one object per container. With 100 containers the object form was
 * ~117 KB of JSON a second, mostly repeated key names, and a hundred objects
 * built and dropped per tick; this form is a flat number array plus the ids
 * and names (bench/stats-sampling). The client (main/helper/client/connection.ts)
 * turns it back into the contract's `resources.sample` payload, { at, rows },
 * before validating it like any other event, so nothing past the connection
 * sees the wire form.
 */
import type { StatsRowT } from '../../../preload/schemas/resources';
import { POINT_FIELDS, pointFromValues, type History } from '../cgroups/history';

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
  history: History,
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
