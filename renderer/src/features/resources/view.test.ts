import { describe, expect, it } from 'vitest';
import type { EffectiveLimits } from '../../../../preload/schemas/resources';
import { limitLines, sparkPath, timeTicks, valueTicks } from './chart-math';
import { byteInputText, formatBytes, MiB, naturalUnit, parseByteInput } from '../../ui/units';
import { niceBytesCeil, niceCeil } from './format';
import { containerResourcesHref, parseResourcesHash } from './route';
import { heldWindowEnd } from './series';

describe('format', () => {
  it('bytes in IEC units, null as the kernel max', () => {
    expect(formatBytes(100663296)).toBe('96 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(null)).toBe('max');
  });

  it('byte inputs: text in a unit ↔ bytes', () => {
    expect(parseByteInput('96', 'MiB')).toBe(100663296);
    expect(parseByteInput('1', 'KiB')).toBe(1024);
    expect(parseByteInput('', 'MiB')).toBeNull();
    expect(parseByteInput('lots', 'MiB')).toBeNaN();
    expect(byteInputText(100663296, 'MiB')).toBe('96');
    expect(byteInputText(null, 'MiB')).toBe('');
    expect(naturalUnit(3 * MiB)).toBe('MiB');
    expect(naturalUnit(1000)).toBe('B');
  });

  it('axis maxima divide into whole quarter ticks', () => {
    expect(niceCeil(100)).toBe(100);
    expect(niceCeil(101)).toBe(200);
    expect(niceCeil(3)).toBe(4);
    expect(niceBytesCeil(96 * MiB)).toBe(96 * MiB);
    expect(niceBytesCeil(100 * MiB)).toBe(128 * MiB);
    for (const v of [niceBytesCeil(70 * MiB), niceBytesCeil(5000)]) {
      expect(Number.isInteger(v / 4)).toBe(true);
    }
  });
});

describe('chart helpers', () => {
  it('time ticks sit on round times and do not move between redraws', () => {
    const t = Date.UTC(2026, 0, 1, 12, 0, 7);
    expect(timeTicks([t - 60_000, t]).map((x) => new Date(x).getUTCSeconds())).toEqual([15, 30, 45, 0]);
    expect(timeTicks([t - 299_000, t + 1000])).toEqual(timeTicks([t - 300_000, t]));
    expect(valueTicks(96)).toEqual([0, 24, 48, 72, 96]);
  });

  it('a window end held to whole steps', () => {
    expect(heldWindowEnd(12_345, 5000)).toBe(10_000);
    expect(heldWindowEnd(12_345, 0)).toBe(12_000);
  });

  it('sparkline path: fixed domain, breaks at gaps, clamps to yMax', () => {
    const rows = [
      { t: 0, cpu: 0 },
      { t: 50, cpu: 50 },
      { t: 60, cpu: null },
      { t: 100, cpu: 200 },
    ];
    expect(sparkPath(rows, 'cpu', [0, 100], 100, 100, 10)).toBe('M0.0 10.0L50.0 5.0M100.0 0.0');
  });

  it('limit lines come from the read-back, or from the request when not running', () => {
    const eff = {
      driver: 'v2',
      groups: {},
      memory: { max: { value: 96 * MiB, file: 'memory.max', raw: '100663296' } },
      cpu: {
        quotaUs: { value: 50_000, file: 'cpu.max', raw: '50000 100000' },
        periodUs: { value: 100_000, file: 'cpu.max', raw: '50000 100000' },
      },
      pids: { max: { value: null, file: 'pids.max', raw: 'max' } },
      unsupported: [],
    } satisfies EffectiveLimits;
    expect(limitLines(eff)).toEqual({
      cpuQuotaPercent: 50,
      memoryMax: 96 * MiB,
      memoryHigh: null,
      pidsMax: null,
      source: 'kernel',
    });
    expect(limitLines(null, { memory: { max: 16 * MiB }, cpu: { cpus: 1.5 }, pids: { max: 10 } })).toEqual({
      cpuQuotaPercent: 150,
      memoryMax: 16 * MiB,
      memoryHigh: null,
      pidsMax: 10,
      source: 'requested',
    });
  });
});

describe('route', () => {
  it('the path form and the query form name the same container', () => {
    expect(parseResourcesHash('#/resources')).toEqual({ view: 'overview' });
    expect(parseResourcesHash('#/resources/abc123')).toEqual({ view: 'container', id: 'abc123' });
    expect(parseResourcesHash('#/resources?id=abc123')).toEqual({ view: 'container', id: 'abc123' });
    expect(parseResourcesHash('#/system')).toBeNull();
    expect(parseResourcesHash(containerResourcesHref('web-1'))).toEqual({ view: 'container', id: 'web-1' });
  });
});
