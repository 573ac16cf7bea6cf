import { describe, expect, it } from 'vitest';
import {
  blkioToIoWeight,
  cpusToQuota,
  ioWeightToBlkio,
  sharesForWeight,
  sharesToWeight,
  weightToShares,
} from './convert';

describe('cpu.shares ↔ cpu.weight (runc/crun linear map)', () => {
  it('matches runc ConvertCPUSharesToCgroupV2Value at its reference points', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262144)).toBe(10000);
  });
  it('weightToShares is its exact inverse over the whole 1..10000 range', () => {
    for (let w = 1; w <= 10_000; w++) expect(sharesToWeight(weightToShares(w))).toBe(w);
    expect(weightToShares(1)).toBe(2);
    expect(weightToShares(100)).toBe(2598);
    expect(weightToShares(512)).toBe(13399);
    expect(weightToShares(10_000)).toBe(262144);
  });
});

describe('cpu.shares → weight → shares is stable through Berth (sharesForWeight)', () => {
  it('keeps shares in force that read as the requested weight: 1024 → 39 → 1024, not 999', () => {
    expect(weightToShares(39)).toBe(999);
    expect(sharesForWeight(39, 1024)).toBe(1024);
    const unstable: number[] = [];
    for (let s = 2; s <= 262_144; s++) if (sharesForWeight(sharesToWeight(s), s) !== s) unstable.push(s);
    expect(unstable).toEqual([]);
  });
  it('gives back earlier shares that read as the weight (undo), else the exact inverse', () => {
    // 1024 → weight 100 (2598) → undo to weight 39: the group's 1024 again.
    expect(sharesForWeight(100, 1024)).toBe(2598);
    expect(sharesForWeight(39, 2598, [1024])).toBe(1024);
    expect(sharesForWeight(39, 2598, [5000])).toBe(999);
    expect(sharesForWeight(39, null)).toBe(999);
    for (let w = 1; w <= 10_000; w += 13) expect(sharesToWeight(sharesForWeight(w, 2, [1024, 262_144]))).toBe(w);
  });
});

describe('blkio.weight ↔ io.weight', () => {
  it('runc ConvertBlkIOToIOWeightValue, and a nearest inverse', () => {
    expect(blkioToIoWeight(10)).toBe(1);
    expect(blkioToIoWeight(500)).toBe(4950);
    expect(blkioToIoWeight(1000)).toBe(10000);
    expect(ioWeightToBlkio(1)).toBe(10);
    expect(ioWeightToBlkio(100)).toBe(20);
    expect(ioWeightToBlkio(10_000)).toBe(1000);
    for (let w = 1; w <= 10_000; w += 7)
      expect(Math.abs(blkioToIoWeight(ioWeightToBlkio(w)) - w)).toBeLessThanOrEqual(11);
  });
});

describe('cpus → quota', () => {
  it('N × period, at least 1 ms', () => {
    expect(cpusToQuota(0.5)).toBe(50000);
    expect(cpusToQuota(2, 50000)).toBe(100000);
    expect(cpusToQuota(0.001)).toBe(1000);
  });
});
