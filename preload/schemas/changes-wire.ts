/**
 * A layer's change list on the wire: columns, not one object per change.
 *
 * The object form (`FileChange`: nine named fields per entry) made a
 * 100,000-file analysis 11.2 MB of JSON, mostly repeated key names and
 * repeated path prefixes, and validating it built and checked 100,000
 * objects at every hop. This form is one array (or one string) per field:
 *
 * - paths are front-coded: sorted change lists share long prefixes, so entry
 *   i is `path(i - 1).slice(0, keep[i]) + tail[i]` (UTF-16 code units; a cut
 *   never splits a surrogate pair; path(-1) is "");
 * - `types` and `changes` are strings of one letter per entry (TYPE_CODES,
 *   CHANGE_CODES): smaller than number arrays and checked with one regex;
 * - size, mode, uid and gid are number arrays;
 * - linknames travel only where non-empty: `linkAt` (increasing indices)
 *   beside `linkname`.
 *
 * The schema checks the shape cheaply (typeof loops over number arrays, one
 * regex per code string, equal lengths); `decodeChanges` re-checks what only
 * a replay can (a `keep` longer than the previous path, indices out of
 * order), so a form that did not come through a schema (the renderer trusts
 * main) still fails with CHANGES_MALFORMED, never with a wrong tree.
 *
 * Pure code, no Node or DOM API: main, the helper, the CLI and the renderer
 * share it.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { BerthError } from '../berth-error';

/** Bumped when a column's order or meaning changes: a decoder refuses a version it does not know. */
export const CHANGES_WIRE_VERSION = 1;

export type WireEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
export type WireChangeKind = 'added' | 'modified' | 'removed';

/** One change in object form (the contract's FileChange). */
export interface ChangeObject {
  path: string;
  type: WireEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  change: WireChangeKind;
}

export const TYPE_CODES: Readonly<Record<WireEntryType, string>> = {
  file: 'f',
  dir: 'd',
  symlink: 'l',
  hardlink: 'h',
  char: 'c',
  block: 'b',
  fifo: 'p',
};
export const CHANGE_CODES: Readonly<Record<WireChangeKind, string>> = { added: 'a', modified: 'm', removed: 'r' };

const TYPE_OF: Record<string, WireEntryType> = Object.fromEntries(
  Object.entries(TYPE_CODES).map(([k, v]) => [v, k as WireEntryType]),
);
const CHANGE_OF: Record<string, WireChangeKind> = Object.fromEntries(
  Object.entries(CHANGE_CODES).map(([k, v]) => [v, k as WireChangeKind]),
);
const TYPES_RE = /^[fdlhcbp]*$/;
const CHANGES_RE = /^[amr]*$/;

export interface PackedChangesT {
  v: typeof CHANGES_WIRE_VERSION;
  /** Number of entries; every column has this length (linkAt/linkname excepted). */
  n: number;
  keep: number[];
  tail: string[];
  types: string;
  changes: string;
  size: number[];
  mode: number[];
  uid: number[];
  gid: number[];
  linkAt: number[];
  linkname: string[];
}

// One pass each, no per-element zod schema: 100,000 entries cost a few loops.
const isUintArray = (x: unknown): x is number[] => {
  if (!Array.isArray(x)) return false;
  for (const v of x) if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return false;
  return true;
};
const isIntArray = (x: unknown): x is number[] => {
  if (!Array.isArray(x)) return false;
  for (const v of x) if (typeof v !== 'number' || !Number.isSafeInteger(v)) return false;
  return true;
};
const isSizeArray = (x: unknown): x is number[] => {
  if (!Array.isArray(x)) return false;
  for (const v of x) if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return false;
  return true;
};
const isStringArray = (x: unknown): x is string[] => {
  if (!Array.isArray(x)) return false;
  for (const v of x) if (typeof v !== 'string') return false;
  return true;
};

/** The first reason `x` is not a well-formed PackedChanges, or null. Shape only: see decodeChanges for the rest. */
export function packedChangesProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'not an object';
  const c = x as Partial<Record<keyof PackedChangesT, unknown>>;
  if (c.v !== CHANGES_WIRE_VERSION) return `unknown version ${JSON.stringify(c.v) ?? 'undefined'}`;
  const n = c.n;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return 'n is not a count';
  if (!isUintArray(c.keep)) return 'keep is not an array of non-negative integers';
  if (!isStringArray(c.tail)) return 'tail is not an array of strings';
  if (typeof c.types !== 'string' || !TYPES_RE.test(c.types)) return `types is not a string of ${'fdlhcbp'} codes`;
  if (typeof c.changes !== 'string' || !CHANGES_RE.test(c.changes)) return 'changes is not a string of amr codes';
  if (!isSizeArray(c.size)) return 'size is not an array of non-negative numbers';
  if (!isIntArray(c.mode)) return 'mode is not an array of integers';
  if (!isIntArray(c.uid)) return 'uid is not an array of integers';
  if (!isIntArray(c.gid)) return 'gid is not an array of integers';
  if (!isUintArray(c.linkAt)) return 'linkAt is not an array of indices';
  if (!isStringArray(c.linkname)) return 'linkname is not an array of strings';
  for (const k of ['keep', 'tail', 'types', 'changes', 'size', 'mode', 'uid', 'gid'] as const) {
    if ((c[k] as { length: number }).length !== n)
      return `${k} has ${(c[k] as { length: number }).length} entries, not ${n}`;
  }
  if (c.linkname.length !== c.linkAt.length) return 'linkAt and linkname differ in length';
  const extra = Object.keys(c).find((k) => !KEYS.has(k));
  if (extra !== undefined) return `unknown member ${JSON.stringify(extra.slice(0, 64))}`;
  return null;
}

const KEYS = new Set<string>([
  'v',
  'n',
  'keep',
  'tail',
  'types',
  'changes',
  'size',
  'mode',
  'uid',
  'gid',
  'linkAt',
  'linkname',
]);

/** The contract's schema: checked at the receiving side like any result, by shape. */
export const PackedChanges = lazy(() =>
  z.custom<PackedChangesT>((x) => packedChangesProblem(x) === null, {
    error: (iss) => `malformed packed changes: ${packedChangesProblem(iss.input) ?? 'rejected'}`,
  }),
);

/** Length of the common prefix of a and b, never ending inside a surrogate pair. */
function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Do not keep a lone high surrogate whose low half differs.
  if (i > 0 && i < b.length) {
    const h = b.charCodeAt(i - 1);
    if (h >= 0xd800 && h <= 0xdbff) i--;
  }
  return i;
}

/** Columns of a change list (in its order; front coding works best sorted, as the engine sorts). */
export function encodeChanges(list: readonly ChangeObject[]): PackedChangesT {
  const n = list.length;
  const keep = new Array<number>(n);
  const tail = new Array<string>(n);
  const size = new Array<number>(n);
  const mode = new Array<number>(n);
  const uid = new Array<number>(n);
  const gid = new Array<number>(n);
  const linkAt: number[] = [];
  const linkname: string[] = [];
  let types = '';
  let changes = '';
  let prev = '';
  for (let i = 0; i < n; i++) {
    const c = list[i] as ChangeObject;
    const k = commonPrefix(prev, c.path);
    keep[i] = k;
    tail[i] = c.path.slice(k);
    prev = c.path;
    types += TYPE_CODES[c.type];
    changes += CHANGE_CODES[c.change];
    size[i] = c.size;
    mode[i] = c.mode;
    uid[i] = c.uid;
    gid[i] = c.gid;
    if (c.linkname !== '') {
      linkAt.push(i);
      linkname.push(c.linkname);
    }
  }
  return { v: CHANGES_WIRE_VERSION, n, keep, tail, types, changes, size, mode, uid, gid, linkAt, linkname };
}

function malformed(why: string, layer?: number): BerthError {
  const where = layer === undefined ? '' : ` (layer ${layer})`;
  return new BerthError(
    'CHANGES_MALFORMED',
    `malformed change list${where}: ${why}`,
    layer === undefined ? {} : { layer },
  );
}

/** Back to objects; CHANGES_MALFORMED (BerthError) when `x` is not a well-formed PackedChanges. */
export function decodeChanges(x: unknown, layer?: number): ChangeObject[] {
  const problem = packedChangesProblem(x);
  if (problem !== null) throw malformed(problem, layer);
  const c = x as PackedChangesT;
  const out = new Array<ChangeObject>(c.n);
  let prev = '';
  let link = 0;
  let nextLink = c.linkAt.length > 0 ? (c.linkAt[0] as number) : -1;
  for (let i = 0; i < c.n; i++) {
    const k = c.keep[i] as number;
    if (k > prev.length) throw malformed(`entry ${i} keeps ${k} characters of a ${prev.length}-character path`, layer);
    const path = k === 0 ? (c.tail[i] as string) : prev.slice(0, k) + (c.tail[i] as string);
    let linkname = '';
    if (i === nextLink) {
      linkname = c.linkname[link] as string;
      link++;
      const at = link < c.linkAt.length ? (c.linkAt[link] as number) : -1;
      if (at !== -1 && at <= i) throw malformed(`linkAt is not increasing at ${link}`, layer);
      nextLink = at;
    }
    out[i] = {
      path,
      type: TYPE_OF[c.types[i] as string] as WireEntryType,
      size: c.size[i] as number,
      mode: c.mode[i] as number,
      uid: c.uid[i] as number,
      gid: c.gid[i] as number,
      linkname,
      change: CHANGE_OF[c.changes[i] as string] as WireChangeKind,
    };
    prev = path;
  }
  if (link !== c.linkAt.length) throw malformed(`linkAt names entries beyond ${c.n}`, layer);
  return out;
}

// ── whole analyses ──────────────────────────────────────────────────────────

/** An analysis whose layers carry `changes` in form C. */
type WithChanges<A extends { layers: readonly object[] }, C> = Omit<A, 'layers'> & {
  layers: Array<Omit<A['layers'][number], 'changes'> & { changes: C }>;
};

/** An analysis with object change lists → the same with packed ones (what the analyze methods return). */
export function packAnalysis<A extends { layers: ReadonlyArray<{ changes: readonly ChangeObject[] }> }>(
  a: A,
): WithChanges<A, PackedChangesT> {
  return { ...a, layers: a.layers.map((l) => ({ ...l, changes: encodeChanges(l.changes) })) } as unknown as WithChanges<
    A,
    PackedChangesT
  >;
}

/** The reverse: every layer's changes decoded (CHANGES_MALFORMED naming the layer otherwise). */
export function unpackAnalysis<A extends { layers: ReadonlyArray<{ changes: unknown }> }>(
  a: A,
): WithChanges<A, ChangeObject[]> {
  return {
    ...a,
    layers: a.layers.map((l, i) => ({ ...l, changes: decodeChanges(l.changes, i) })),
  } as unknown as WithChanges<A, ChangeObject[]>;
}
