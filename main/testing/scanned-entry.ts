/** A layer entry as the scanner reports it, for the layers tests: a 0644 root-owned file unless told. */
import type { ScannedEntry } from '../engine/layers/layer-scan';

export function scannedEntry(path: string, over: Partial<ScannedEntry> = {}): ScannedEntry {
  return {
    path,
    type: 'file',
    size: 0,
    mode: 0o644,
    uid: 0,
    gid: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    ...over,
  };
}
