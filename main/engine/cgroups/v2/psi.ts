/**
 * Pressure stall information per group (Documentation/accounting/psi.rst):
 * cpu.pressure, memory.pressure, io.pressure, each
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * (totals in µs; cpu "full" since 5.13). Core v2 files: present in every v2
 * group when the kernel has CONFIG_PSI and psi is not disabled, including the
 * unified group of a hybrid host.
 */
import type { PsiStats } from '../../../../preload/schemas/resources';
import { type FileSource, directSource } from '../fsutil';
import type { PressureStats } from '../types';
import { SLOT, type SampleFile, psiFile } from '../sample-layout';
import type { Controller } from '../controller';

export const FILES = { cpu: 'cpu.pressure', memory: 'memory.pressure', io: 'io.pressure' } as const;

/** One "some|full avg10=… avg60=… avg300=… total=…" line → its four numbers (split, no regex: sampled often). */
function line(l: string): [number, number, number, number] | null {
  const f = l.split(' ');
  if (f.length < 5) return null;
  const v = (i: number) => {
    const s = f[i] ?? '';
    return Number(s.slice(s.indexOf('=') + 1));
  };
  return [v(1), v(2), v(3), v(4)];
}

export function parsePsi(text: string | null): PsiStats | undefined {
  if (!text) return undefined;
  let out: PsiStats | undefined;
  for (const l of text.split('\n')) {
    if (l.startsWith('some ')) {
      const x = line(l);
      if (x) out = { ...out, someAvg10: x[0], someAvg60: x[1], someAvg300: x[2], someTotal: x[3] };
    } else if (l.startsWith('full ') && out) {
      const x = line(l);
      if (x) Object.assign(out, { fullAvg10: x[0], fullAvg60: x[1], fullAvg300: x[2], fullTotal: x[3] });
    }
  }
  return out;
}

export function stats(dir: string, src: FileSource = directSource): PressureStats | undefined {
  const out: PressureStats = {};
  for (const k of ['cpu', 'memory', 'io'] as const) {
    const p = parsePsi(src.read(`${dir}/${FILES[k]}`));
    if (p) out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
}

/** What a sampling tick reads: the some/full avg10 of each pressure file. */
export function sampleFiles(dir: string): SampleFile[] {
  return [
    psiFile(`${dir}/${FILES.cpu}`, SLOT.psiCpuSome, SLOT.psiCpuFull),
    psiFile(`${dir}/${FILES.memory}`, SLOT.psiMemorySome, SLOT.psiMemoryFull),
    psiFile(`${dir}/${FILES.io}`, SLOT.psiIoSome, SLOT.psiIoFull),
  ];
}

/** Core files of every unified group (hybrid hosts too). */
export const controller: Controller<{ pressure?: PressureStats }> = {
  key: 'pressure',
  name: 'psi',
  core: true,
  files: FILES,
  stats(dir, ctx) {
    const pressure = stats(dir, ctx.src);
    return pressure ? { pressure } : {};
  },
  sampleFiles,
};
