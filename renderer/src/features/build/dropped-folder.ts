/**
 * A folder dropped on the Build page, read through the File and Directory
 * Entries API (`DataTransferItem.webkitGetAsEntry`), which Chromium and
 * Electron give for drops: its files with paths relative to the folder, as
 * the folder input gives them. Web mode packs them into the context tar;
 * the desktop app, which builds from the folder's path, reads its
 * Containerfile from them into the editor.
 */
import type { ContextFile } from './context-tar';

/** The parts of FileSystemEntry this reads (also what tests script). */
export interface DroppedEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: DroppedEntry[]) => void, fail: (e: unknown) => void): void };
}

/** Every entry of a directory: readEntries answers in batches (100 in Chromium) until an empty one. */
async function children(dir: DroppedEntry): Promise<DroppedEntry[]> {
  const reader = dir.createReader?.();
  if (!reader) return [];
  const out: DroppedEntry[] = [];
  for (;;) {
    const batch = await new Promise<DroppedEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

/** The files under `dir`, paths relative to it; symlinks come as what they point at (the browser's view). */
export async function filesOfEntry(dir: DroppedEntry): Promise<ContextFile[]> {
  const out: ContextFile[] = [];
  const walk = async (e: DroppedEntry, prefix: string): Promise<void> => {
    for (const c of await children(e)) {
      const p = prefix ? `${prefix}/${c.name}` : c.name;
      if (c.isDirectory) await walk(c, p);
      else if (c.isFile && c.file) {
        const read = c.file.bind(c);
        const f = await new Promise<File>((ok, fail) => read(ok, fail));
        out.push({ path: p, file: f, mtime: Math.floor(f.lastModified / 1000) });
      }
    }
  };
  await walk(dir, '');
  return out;
}

/** The first dropped item as a directory entry, or null (a file, or a browser without entries). */
export function droppedDirectory(items: DataTransferItemList | undefined): DroppedEntry | null {
  const item = items?.[0];
  const entry = item?.webkitGetAsEntry?.() as DroppedEntry | null | undefined;
  return entry?.isDirectory ? entry : null;
}
