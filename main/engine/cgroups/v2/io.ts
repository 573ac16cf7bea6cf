/**
 * v2 io controller (cgroup-v2.rst, "IO").
 *
 *   weight → io.weight "default N" (1..10000; needs the iocost/BFQ policy to
 *            act on a device) or, where only BFQ offers it, io.bfq.weight
 *            "default N" on BFQ's 1..1000 scale (10 + round((w-1)×990/9999))
 *   devices → io.max "MAJ:MIN rbps=N wbps=N riops=N wiops=N", "max" = no limit;
 *            keys left out of a write keep their value
 *   stats  ← io.stat "MAJ:MIN rbytes= wbytes= rios= wios= dbytes= dios="
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { ioWeightToBlkio } from '../convert';
import {
  type FileSource,
  type WriteTxn,
  directSource,
  exists,
  inTxn,
  num,
  parseDevice,
  parseNestedKeyed,
  readTrim,
  v2Limit,
} from '../fsutil';
import { type EffPart, type IoStats, eff, unsupported } from '../types';
import { SLOT, type SampleFile } from '../sample-layout';
import type { Controller } from '../controller';

export const FILES = { weight: 'io.weight', bfqWeight: 'io.bfq.weight', max: 'io.max', stat: 'io.stat' } as const;

const KEYS = [
  ['readBps', 'rbps'],
  ['writeBps', 'wbps'],
  ['readIops', 'riops'],
  ['writeIops', 'wiops'],
] as const;

/** First line of io.weight / io.bfq.weight: "default N" (or a bare N). */
export function parseWeight(raw: string | null): number | null {
  const first = (raw ?? '').split('\n')[0]?.trim().split(/\s+/) ?? [];
  const v = first[0] === 'default' ? first[1] : first[0];
  return v === undefined || v === '' ? null : num(v);
}

export function ioMaxLine(dev: string, kv: Map<string, string> | undefined): string {
  return `${dev} ${KEYS.map(([, k]) => `${k}=${kv?.get(k) ?? 'max'}`).join(' ')}`;
}

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const io = limits.io;
  if (!io) return;
  inTxn(tx, (tx) => {
    if (io.weight !== undefined) {
      const wf = path.join(dir, FILES.weight);
      const bf = path.join(dir, FILES.bfqWeight);
      if (exists(wf)) tx.write(wf, `default ${io.weight}`, `default ${parseWeight(readTrim(wf)) ?? 100}`);
      else if (exists(bf))
        tx.write(bf, `default ${ioWeightToBlkio(io.weight)}`, `default ${parseWeight(readTrim(bf)) ?? 100}`);
      else
        unsupported(
          'io.weight',
          'neither io.weight nor io.bfq.weight exists: the io controller is not enabled for this group',
        );
    }
    if (io.devices?.length) {
      const file = path.join(dir, FILES.max);
      const before = parseNestedKeyed(readTrim(file));
      for (const d of io.devices) {
        const dev = `${d.major}:${d.minor}`;
        const parts = KEYS.filter(([k]) => d[k] !== undefined).map(([k, key]) => `${key}=${d[k] ?? 'max'}`);
        if (parts.length === 0) continue;
        tx.write(file, `${dev} ${parts.join(' ')}`, ioMaxLine(dev, before.get(dev)));
      }
    }
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.io;
  const res: NonNullable<EffPart['io']> = { devices: [] };
  for (const f of [FILES.weight, FILES.bfqWeight]) {
    const p = path.join(dir, f);
    const raw = readTrim(p);
    if (raw === null) continue;
    const w = parseWeight(raw) ?? 100;
    res.weight =
      f === FILES.weight
        ? eff(w, p, raw, req?.weight)
        : eff(w, p, raw, req?.weight, "io.bfq.weight is on BFQ's 1..1000 scale");
    break;
  }
  const mf = path.join(dir, FILES.max);
  const rawMax = readTrim(mf);
  if (rawMax !== null) {
    const lines = new Map<string, string>();
    for (const l of rawMax.split('\n')) if (l.trim()) lines.set(l.trim().split(/\s+/)[0] ?? '', l.trim());
    const table = parseNestedKeyed(rawMax);
    const devs = new Set(table.keys());
    for (const d of req?.devices ?? []) devs.add(`${d.major}:${d.minor}`);
    for (const dev of [...devs].sort()) {
      const id = parseDevice(dev);
      if (!id) continue;
      const r = req?.devices?.find((x) => x.major === id.major && x.minor === id.minor);
      const kv = table.get(dev);
      const entry: NonNullable<EffPart['io']>['devices'][number] = { ...id };
      for (const [k, key] of KEYS) entry[k] = eff(v2Limit(kv?.get(key) ?? 'max'), mf, lines.get(dev) ?? '', r?.[k]);
      res.devices.push(entry);
    }
  }
  return { io: res };
}

export function stats(dir: string, src: FileSource = directSource): IoStats {
  const devices: IoStats['devices'] = [];
  for (const [dev, kv] of parseNestedKeyed(src.read(`${dir}/${FILES.stat}`))) {
    const id = parseDevice(dev);
    if (!id) continue;
    devices.push({
      ...id,
      rbytes: num(kv.get('rbytes') ?? null),
      wbytes: num(kv.get('wbytes') ?? null),
      rios: num(kv.get('rios') ?? null),
      wios: num(kv.get('wios') ?? null),
    });
  }
  return { devices };
}

/** What a sampling tick reads: bytes read and written, summed over the devices of io.stat. */
export function sampleFiles(dir: string): SampleFile[] {
  return [
    {
      path: `${dir}/${FILES.stat}`,
      kind: 'nested',
      keys: ['rbytes', 'wbytes'],
      slots: [SLOT.ioReadBytes, SLOT.ioWriteBytes],
    },
  ];
}

/** v1's blkio role. */
export const controller: Controller<{ io: IoStats }> = {
  key: 'blkio',
  name: 'io',
  files: FILES,
  apply,
  read,
  stats: (dir, ctx) => ({ io: stats(dir, ctx.src) }),
  sampleFiles,
};
