/**
 * Berth's subordinate ids: the `berth` entries of /etc/subuid and /etc/subgid
 * (subuid(5): "name:start:count" per line), as podman's `--userns=auto`
 * takes its ranges from the `containers` entries. When a file has no `berth`
 * entry the helper adds one (as dockerd does for `dockremap`): by default
 * 2^31 .. 2^31+2^30 (16384 containers of 65536 ids), clear of every other
 * entry in the file, or else just above the highest one.
 */
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const SUBID_NAME = 'berth';
export const DEFAULT_SUBID_START = 2 ** 31;
export const DEFAULT_SUBID_COUNT = 2 ** 30;
/** uid_map refuses a range that reaches (uid_t)-1. */
const ID_LIMIT = 2 ** 32 - 1;

export interface SubidEntry {
  name: string;
  start: number;
  count: number;
}

/** Entries of a subuid/subgid file; comments, blanks and malformed lines are skipped (as shadow's tools do). */
export function parseSubids(text: string): SubidEntry[] {
  const out: SubidEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([^:\s]+):(\d+):(\d+)$/.exec(line);
    if (!m) continue;
    const start = Number(m[2]);
    const count = Number(m[3]);
    if (count > 0 && start + count <= ID_LIMIT) out.push({ name: m[1]!, start, count });
  }
  return out;
}

const overlaps = (a: { start: number; count: number }, b: { start: number; count: number }): boolean =>
  a.start < b.start + b.count && b.start < a.start + a.count;

/** Where a new `berth` entry goes: the default range when it is free, else above every entry, aligned to `align`. */
export function chooseSubidRange(existing: readonly SubidEntry[], align: number): { start: number; count: number } {
  const wanted = { start: DEFAULT_SUBID_START, count: DEFAULT_SUBID_COUNT };
  if (!existing.some((e) => overlaps(e, wanted))) return wanted;
  const top = Math.max(...existing.map((e) => e.start + e.count));
  const start = Math.ceil(top / align) * align;
  const count = Math.min(DEFAULT_SUBID_COUNT, Math.floor((ID_LIMIT - start) / align) * align);
  if (count < align) {
    throw new BerthError(
      'USERNS_NO_SUBID_RANGE',
      `no room for a "${SUBID_NAME}" subordinate id range: existing entries reach ${top}`,
    );
  }
  return { start, count };
}

/**
 * The `berth` entries of one file, adding one when there is none. The
 * caller holds the allocation lock, so two helpers never both append.
 * The file keeps its mode and owner (written whole: temp + rename).
 */
export function ensureSubids(file: string, align: number, log?: (msg: string) => void): SubidEntry[] {
  let text = '';
  let st: fs.Stats | null = null;
  try {
    text = fs.readFileSync(file, 'utf8');
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const all = parseSubids(text);
  const mine = all.filter((e) => e.name === SUBID_NAME);
  if (mine.length > 0) return mine;
  const r = chooseSubidRange(all, align);
  const line = `${SUBID_NAME}:${r.start}:${r.count}\n`;
  replaceFile(file, (text === '' || text.endsWith('\n') ? text : text + '\n') + line, st);
  log?.(`user namespaces: added "${line.trim()}" to ${file}`);
  return [{ name: SUBID_NAME, ...r }];
}

/** Temp file with the old file's mode and owner (set before the rename: never readable by fewer), fsync, rename. */
function replaceFile(file: string, text: string, st: fs.Stats | null): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fchmodSync(fd, st ? st.mode & 0o7777 : 0o644);
    if (st) fs.fchownSync(fd, st.uid, st.gid);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // closed above
    }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
