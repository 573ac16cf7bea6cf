/**
 * `docker diff` from an overlay upper dir: what the container added (A),
 * changed (C) or deleted (D) against its image's layers. Overlayfs records
 * deletions as 0:0 character devices (whiteouts) and replaced directories
 * with trusted.overlay.opaque=y; anything else in the upper dir is new when
 * no lower layer has it, changed when one does (copied up).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FsChange {
  kind: 'A' | 'C' | 'D';
  path: string;
}

export type GetXattr = (file: string, name: string) => Buffer | null;

function inLower(lowerDirs: string[], rel: string): boolean {
  return lowerDirs.some((d) => fs.lstatSync(path.join(d, rel), { throwIfNoEntry: false }) !== undefined);
}

function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

export function overlayDiff(upperDir: string, lowerDirs: string[], getXattr: GetXattr): FsChange[] {
  const out: FsChange[] = [];
  const walk = (relDir: string, underNew: boolean): void => {
    const names = fs.readdirSync(path.join(upperDir, relDir)).sort();
    for (const name of names) {
      const rel = path.posix.join(relDir, name);
      const abs = path.join(upperDir, rel);
      const st = fs.lstatSync(abs);
      const shown = '/' + rel;
      if (isWhiteout(st)) {
        if (!underNew) out.push({ kind: 'D', path: shown });
        continue;
      }
      const existed = !underNew && inLower(lowerDirs, rel);
      out.push({ kind: existed ? 'C' : 'A', path: shown });
      if (st.isDirectory()) {
        // An opaque dir hides everything below it in the lower layers: what
        // they had there and the upper dir does not is deleted.
        const opaque = existed && getXattr(abs, 'trusted.overlay.opaque')?.toString() === 'y';
        if (opaque) {
          const upperNames = new Set(fs.readdirSync(abs));
          const hidden = new Set<string>();
          for (const d of lowerDirs) {
            const ld = path.join(d, rel);
            if (fs.lstatSync(ld, { throwIfNoEntry: false })?.isDirectory()) {
              for (const n of fs.readdirSync(ld)) if (!upperNames.has(n)) hidden.add(n);
            }
          }
          for (const n of [...hidden].sort()) out.push({ kind: 'D', path: '/' + path.posix.join(rel, n) });
        }
        walk(rel, underNew || !existed || opaque);
      }
    }
  };
  walk('', false);
  return out;
}
