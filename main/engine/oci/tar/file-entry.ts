/** A regular file found on disk as a tar member (`berth cp` from the host, `berth commit`'s upper dir). */
import fs from 'node:fs';
import type { TarWriteEntry } from './writer';

export interface EntryBase {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

/**
 * The file's bytes, read when the writer gets to it; a second name of a file
 * already archived (same dev:ino, in `links`) becomes a hard link to the
 * first, as tar does.
 */
export function regularFileEntry(
  st: fs.Stats,
  abs: string,
  base: EntryBase,
  links: Map<string, string>,
): TarWriteEntry {
  const key = `${st.dev}:${st.ino}`;
  const first = st.nlink > 1 ? links.get(key) : undefined;
  if (first !== undefined) return { ...base, type: 'hardlink', linkname: first };
  if (st.nlink > 1) links.set(key, base.path);
  return {
    ...base,
    type: 'file',
    size: st.size,
    body: st.size === 0 ? '' : fs.createReadStream(abs, { start: 0, end: st.size - 1 }),
  };
}
