/**
 * v1 net_prio (Documentation/admin-guide/cgroup-v1/net_prio.rst):
 * net_prio.ifpriomap takes "IFACE PRIO", one per write, and lists every
 * interface with its priority.
 *
 * Caveat: the kernel resolves IFACE in the network namespace of the process
 * that writes (and lists the reader's interfaces). From the helper (host netns)
 * only host interface names work; priorities for a container's own eth0 must be
 * written from inside its netns (setns), which Berth does not do yet.
 * Mounted together with net_cls by ensureNetClsPrio() (./net-cls.ts).
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { type WriteTxn, inTxn, num, readTrim } from '../fsutil';
import { type EffPart, eff } from '../types';
import type { Controller } from '../controller';

export const FILES = { ifpriomap: 'net_prio.ifpriomap', prioidx: 'net_prio.prioidx' } as const;

export function parseIfpriomap(text: string | null): Array<{ iface: string; priority: number }> {
  const out: Array<{ iface: string; priority: number }> = [];
  for (const line of (text ?? '').split('\n')) {
    const [iface, prio] = line.trim().split(/\s+/);
    if (iface && prio !== undefined) out.push({ iface, priority: num(prio) });
  }
  return out;
}

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const p = limits.netPrio;
  if (!p) return;
  inTxn(tx, (tx) => {
    const file = path.join(dir, FILES.ifpriomap);
    const before = parseIfpriomap(readTrim(file));
    for (const { iface, priority } of p.ifPriorities) {
      const prev = before.find((e) => e.iface === iface)?.priority ?? 0;
      tx.write(file, `${iface} ${priority}`, `${iface} ${prev}`);
    }
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const file = path.join(dir, FILES.ifpriomap);
  const raw = readTrim(file);
  if (raw === null) return {};
  return {
    netPrio: {
      ifPriorities: eff(
        parseIfpriomap(raw),
        file,
        raw,
        requested?.netPrio?.ifPriorities,
        "interfaces of the helper's network namespace (the kernel resolves names in the reader's netns)",
      ),
    },
  };
}

export const controller: Controller = {
  key: 'net_prio',
  name: 'net_prio',
  files: FILES,
  mountOnDemand: true,
  apply,
  read,
};
