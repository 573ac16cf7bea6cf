/**
 * Which namespaces are a pod's shared ones: those of its running holder
 * (net, ipc, uts, and pid when shared), by the graph's ids (`type:inode`), so
 * the namespace graph can draw each pod's as one group.
 */
import fs from 'node:fs';
import { holderAlive } from './holder';
import type { PodRecord } from './record';

export function podNamespaceIds(pods: readonly PodRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of pods) {
    if (!p.holder || !holderAlive(p.holder)) continue;
    for (const type of p.config.share) {
      try {
        out.set(`${type}:${fs.statSync(`/proc/${p.holder.pid}/ns/${type}`).ino}`, p.name);
      } catch {
        // the holder ended meanwhile
      }
    }
  }
  return out;
}
