/**
 * Unit conversions between the v2 units Berth speaks (Limits) and v1 files.
 * Sources are cited next to each formula; README.md has the table.
 */
import { execFileSync } from 'node:child_process';

export const CPU_SHARES_MIN = 2;
export const CPU_SHARES_MAX = 262_144;
export const DEFAULT_PERIOD_US = 100_000;

/**
 * cpu.shares → cpu.weight, runc's linear map of [2..262144] onto [1..10000]:
 *   weight = 1 + ((shares - 2) * 9999) / 262142        (integer division)
 * opencontainers/runc libcontainer/cgroups/utils.go ConvertCPUSharesToCgroupV2Value
 * (crun uses the same in src/libcrun/cgroup-utils.c). Newer runc/crun (runc PR #4785,
 * crun issue #1721, after kubernetes#131216) switched to a quadratic map that sends
 * the v1 default 1024 to the v2 default 100; Berth keeps the linear one, which the
 * kernel-truth table documents.
 */
export function sharesToWeight(shares: number): number {
  const s = Math.min(Math.max(Math.trunc(shares), CPU_SHARES_MIN), CPU_SHARES_MAX);
  return 1 + Math.floor(((s - 2) * 9999) / 262142);
}

/**
 * cpu.weight → cpu.shares, the inverse of sharesToWeight chosen so that it
 * round-trips exactly (sharesToWeight(weightToShares(w)) === w for every w in
 * 1..10000; proven by a test over the whole range):
 *   shares = 2 + ceil(((weight - 1) * 262142) / 9999)
 * e.g. weight 100 → 2598, 512 → 13399, 10000 → 262144.
 */
export function weightToShares(weight: number): number {
  const w = Math.min(Math.max(Math.trunc(weight), 1), 10_000);
  return 2 + Math.ceil(((w - 1) * 262142) / 9999);
}

/**
 * The shares to write for a requested weight, so that the round trip through
 * Berth is stable although the map is lossy (262143 shares onto 10000
 * weights: the v1 default 1024 reads as weight 39, whose own shares are 999):
 *   - shares already in force that read as this weight are kept (saving the
 *     editor's form unchanged leaves 1024 at 1024);
 *   - else shares this group had before Berth changed them, if they read as
 *     this weight (undoing 1024 → weight 100 gives 1024 back, not 999);
 *   - else weightToShares(weight).
 * So shares → weight → shares is the identity for every shares value a group
 * held, and weight → shares → weight for every weight (weightToShares).
 */
export function sharesForWeight(weight: number, current: number | null, earlier: readonly number[] = []): number {
  for (const s of current === null ? earlier : [current, ...earlier])
    if (s >= CPU_SHARES_MIN && s <= CPU_SHARES_MAX && sharesToWeight(s) === weight) return s;
  return weightToShares(weight);
}

/**
 * blkio.weight (10..1000) → io.weight (1..10000), runc's
 *   ConvertBlkIOToIOWeightValue: 1 + ((blkio - 10) * 9999) / 990
 */
export function blkioToIoWeight(blkio: number): number {
  const b = Math.min(Math.max(Math.trunc(blkio), 10), 1000);
  return 1 + Math.floor(((b - 10) * 9999) / 990);
}

/**
 * io.weight (1..10000) → blkio.weight (10..1000): the inverse of the above,
 * rounded to nearest (990 v1 steps cannot hold 9999 v2 steps, so the read-back
 * weight may differ from the request by up to 5). weight 100 → 20, 500 → 59.
 */
export function ioWeightToBlkio(weight: number): number {
  const w = Math.min(Math.max(Math.trunc(weight), 1), 10_000);
  return 10 + Math.round(((w - 1) * 990) / 9999);
}

/** cpus: N → quota = N × period (µs), at least the kernel's 1 ms minimum. */
export function cpusToQuota(cpus: number, periodUs = DEFAULT_PERIOD_US): number {
  return Math.max(1000, Math.round(cpus * periodUs));
}

let clkTck: number | null = null;

/**
 * sysconf(_SC_CLK_TCK): USER_HZ, the unit of cpuacct.stat. Read once with
 * `getconf CLK_TCK` (Node has no sysconf); 100 when that fails, which is what
 * every mainstream architecture uses.
 */
export function userHz(): number {
  if (clkTck !== null) return clkTck;
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
    clkTck = Number.isInteger(v) && v > 0 ? v : 100;
  } catch {
    clkTck = 100;
  }
  return clkTck;
}

/** For tests: pin USER_HZ without spawning getconf. */
export function setUserHz(hz: number | null): void {
  clkTck = hz;
}
