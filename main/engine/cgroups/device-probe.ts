/**
 * Test support for the device-policy real tests: device nodes made in a
 * scratch dir (the host's /dev lacks some, e.g. mem and the disk) and a shell
 * that moves itself into a group (writes its pid to `procsFiles`) and then
 * tries each open and mknod, reporting ok or the errno it got.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The host's first block device from /proc/partitions. */
export function firstBlockDevice(): [number, number] {
  const line = fs
    .readFileSync('/proc/partitions', 'utf8')
    .split('\n')
    .slice(2)
    .find((l) => l.trim());
  const [maj, min] = (line ?? '7 0').trim().split(/\s+/).map(Number);
  return [maj!, min!];
}

/** A scratch dir with null, zero, mem, kmsg, loop-control and disk nodes; the caller removes it. */
export function scratchNodes(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-devprobe-'));
  const mk = (name: string, type: 'b' | 'c', maj: number, min: number) => {
    const r = spawnSync('mknod', [path.join(d, name), type, String(maj), String(min)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mknod ${name}: ${r.stderr}`);
  };
  mk('null', 'c', 1, 3);
  mk('zero', 'c', 1, 5);
  mk('mem', 'c', 1, 1);
  mk('kmsg', 'c', 1, 11);
  mk('loop-control', 'c', 10, 237);
  const [maj, min] = firstBlockDevice();
  mk('disk', 'b', maj, min);
  return d;
}

/**
 * In the groups of `procsFiles`: open each of `names` in `d` for reading, then
 * mknod a new disk and a new null node there. name → 'ok' | 'EPERM' | message.
 * (A subshell per open: a failed redirection ends only it. The message tells
 * EPERM, the device cgroup's answer, from a driver's own, e.g. ENXIO for /dev/mem.)
 */
export function probeIn(procsFiles: string[], d: string, names: string[]): Record<string, string> {
  for (const f of ['new-disk', 'new-null']) fs.rmSync(path.join(d, f), { force: true });
  const script = [
    ...procsFiles.map((f) => `echo $$ > ${f} || exit 99`),
    ...names.map((n) => `m=$( (exec 3<${d}/${n}) 2>&1 ) && echo ${n}=ok || echo "${n}=$m"`),
    `m=$(mknod ${d}/new-disk b ${firstBlockDevice().join(' ')} 2>&1) && echo mknod-disk=ok || echo "mknod-disk=$m"`,
    `m=$(mknod ${d}/new-null c 1 3 2>&1) && echo mknod-null=ok || echo "mknod-null=$m"`,
  ].join('\n');
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`probe exited ${r.status}: ${r.stderr}`);
  const out: Record<string, string> = {};
  for (const l of r.stdout.trim().split('\n')) {
    const eq = l.indexOf('=');
    const v = l.slice(eq + 1);
    out[l.slice(0, eq)] = v === 'ok' ? 'ok' : /Operation not permitted/.test(v) ? 'EPERM' : v;
  }
  return out;
}
