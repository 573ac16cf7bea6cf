/**
 * v1 blkio controller (Documentation/admin-guide/cgroup-v1/blkio-controller.rst).
 *
 *   io.weight (1..10000) → blkio.weight (CFQ, kernels < 5.0) or blkio.bfq.weight
 *     (BFQ with CONFIG_BFQ_GROUP_IOSCHED), both 10..1000:
 *     blkio = 10 + round((weight-1) × 990 / 9999); read back with runc's
 *     1 + (blkio-10) × 9999 / 990. Neither file → CGROUP_UNSUPPORTED.
 *   per-device throttles → blkio.throttle.{read,write}_{bps,iops}_device, one
 *     "MAJ:MIN VALUE" per write; VALUE 0 removes the rule (null in Limits).
 *
 * Stats come from blkio.throttle.io_service_bytes_recursive and
 * io_serviced_recursive: blk-throttle accounts every bio whatever the IO
 * scheduler, so these work on the CFQ-less (blk-mq) kernels where the
 * scheduler-specific blkio.io_* files are gone.
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { blkioToIoWeight, ioWeightToBlkio } from '../convert';
import { type FileSource, type WriteTxn, directSource, exists, inTxn, num, readTrim } from '../fsutil';
import { type EffPart, type IoStats, eff, unsupported } from '../types';
import { SLOT, type SampleFile } from '../sample-layout';
import type { Controller } from '../controller';

export const FILES = {
  weight: 'blkio.weight',
  bfqWeight: 'blkio.bfq.weight',
  readBps: 'blkio.throttle.read_bps_device',
  writeBps: 'blkio.throttle.write_bps_device',
  readIops: 'blkio.throttle.read_iops_device',
  writeIops: 'blkio.throttle.write_iops_device',
  serviceBytes: 'blkio.throttle.io_service_bytes_recursive',
  serviced: 'blkio.throttle.io_serviced_recursive',
} as const;

const THROTTLES = ['readBps', 'writeBps', 'readIops', 'writeIops'] as const;
type ThrottleKey = (typeof THROTTLES)[number];

export const NO_WEIGHT_REASON =
  'neither blkio.weight (CFQ, removed in Linux 5.0) nor blkio.bfq.weight (BFQ group scheduling) exists on this host, so v1 has no proportional IO weight here';

export function weightFile(dir: string): string | null {
  for (const f of [FILES.weight, FILES.bfqWeight]) {
    const p = path.join(dir, f);
    if (exists(p)) return p;
  }
  return null;
}

/** "MAJ:MIN VALUE" lines of a throttle file. */
export function parseThrottle(text: string | null): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [dev, v] = line.trim().split(/\s+/);
    if (dev && v && /^\d+:\d+$/.test(dev)) m.set(dev, num(v));
  }
  return m;
}

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const io = limits.io;
  if (!io) return;
  inTxn(tx, (tx) => {
    if (io.weight !== undefined) {
      const wf = weightFile(dir);
      if (!wf) unsupported('io.weight', NO_WEIGHT_REASON);
      tx.write(wf, String(ioWeightToBlkio(io.weight)));
    }
    for (const d of io.devices ?? []) {
      const dev = `${d.major}:${d.minor}`;
      for (const k of THROTTLES) {
        const v = d[k];
        if (v === undefined) continue;
        const file = path.join(dir, FILES[k]);
        const prev = parseThrottle(readTrim(file)).get(dev) ?? 0;
        tx.write(file, `${dev} ${v ?? 0}`, `${dev} ${prev}`);
      }
    }
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.io;
  const out: NonNullable<EffPart['io']> = { devices: [] };
  const unsup: NonNullable<EffPart['unsupported']> = [];
  const wf = weightFile(dir);
  if (wf) {
    const raw = readTrim(wf) ?? '';
    // "N", or "default N" followed by per-device lines (BFQ).
    const first = (raw.split('\n')[0] ?? '').trim().split(/\s+/);
    const w = num((first[0] === 'default' ? first[1] : first[0]) ?? null, 0);
    out.weight = eff(
      w ? blkioToIoWeight(w) : 100,
      wf,
      raw,
      req?.weight,
      `${path.basename(wf)} ${raw} (10..1000) ↔ io.weight 1 + (blkio-10)×9999/990`,
    );
  } else {
    unsup.push({ limit: 'io.weight', reason: NO_WEIGHT_REASON });
  }
  const tables = Object.fromEntries(
    THROTTLES.map((k) => [k, parseThrottle(readTrim(path.join(dir, FILES[k])))]),
  ) as Record<ThrottleKey, Map<string, number>>;
  const devs = new Set<string>();
  for (const k of THROTTLES) for (const dev of tables[k].keys()) devs.add(dev);
  for (const d of req?.devices ?? []) devs.add(`${d.major}:${d.minor}`);
  for (const dev of [...devs].sort()) {
    const [major, minor] = dev.split(':').map(Number) as [number, number];
    const r = req?.devices?.find((x) => x.major === major && x.minor === minor);
    const entry: NonNullable<EffPart['io']>['devices'][number] = { major, minor };
    for (const k of THROTTLES) {
      const v = tables[k].get(dev);
      entry[k] = eff(v ? v : null, path.join(dir, FILES[k]), v ? `${dev} ${v}` : '', r?.[k]);
    }
    out.devices.push(entry);
  }
  return { io: out, unsupported: unsup };
}

/** "MAJ:MIN Read N" … "Total N" lines → per-device numbers. */
function parseRwstat(text: string | null): Map<string, { read: number; write: number }> {
  const m = new Map<string, { read: number; write: number }>();
  for (const line of (text ?? '').split('\n')) {
    const [dev, op, v] = line.trim().split(/\s+/);
    if (!dev || !op || v === undefined || !/^\d+:\d+$/.test(dev)) continue;
    let e = m.get(dev);
    if (!e) m.set(dev, (e = { read: 0, write: 0 }));
    if (op === 'Read') e.read = num(v);
    else if (op === 'Write') e.write = num(v);
  }
  return m;
}

export function stats(dir: string, src: FileSource = directSource): IoStats {
  const bytes = parseRwstat(src.read(`${dir}/${FILES.serviceBytes}`));
  const ios = parseRwstat(src.read(`${dir}/${FILES.serviced}`));
  const devs = new Set([...bytes.keys(), ...ios.keys()]);
  const devices: IoStats['devices'] = [];
  for (const dev of devs) {
    const [major, minor] = dev.split(':').map(Number) as [number, number];
    const b = bytes.get(dev);
    const o = ios.get(dev);
    devices.push({
      major,
      minor,
      rbytes: b?.read ?? 0,
      wbytes: b?.write ?? 0,
      rios: o?.read ?? 0,
      wios: o?.write ?? 0,
    });
  }
  return { devices };
}

/** What a sampling tick reads: bytes read and written, summed over devices. */
export function sampleFiles(dir: string): SampleFile[] {
  return [{ path: `${dir}/${FILES.serviceBytes}`, kind: 'rwstat', slots: [SLOT.ioReadBytes, SLOT.ioWriteBytes] }];
}

export const controller: Controller<{ io: IoStats }> = {
  key: 'blkio',
  name: 'blkio',
  files: FILES,
  apply,
  read,
  stats: (dir, ctx) => ({ io: stats(dir, ctx.src) }),
  sampleFiles,
};
