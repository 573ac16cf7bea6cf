/**
 * What every bench under bench/ states about its conditions. A ratio taken
 * under load flatters whoever slows down less, so:
 *   - the 1-minute load average is recorded before each round;
 *   - a verdict against a target is given only when every round ran below
 *     LOAD_LIMIT; otherwise it reads `not measured: load X`;
 *   - at least three rounds run, and each round's ratio is printed.
 * BERTH_BENCH_ROUNDS raises the number of rounds (never below 3).
 */
import fs from 'node:fs';

export const LOAD_LIMIT = 1.5;
export const ROUNDS = Math.max(3, Number(process.env.BERTH_BENCH_ROUNDS) || 3);

/** The 1-minute load average, from /proc/loadavg. */
export function load1(): number {
  return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export interface Target {
  /** What is compared, as printed: "berth / runc". */
  name: string;
  /** `max`: the ratio must be at most `value`; `min`: at least. */
  kind: 'max' | 'min';
  value: number;
}

export interface Round {
  /** 1-based. */
  index: number;
  /** Load average read just before the round started. */
  load: number;
  /** Ratio by target name (NaN when a peer was missing). */
  ratios: Record<string, number>;
}

/** Runs `measure` ROUNDS times, reading the load before each, and prints each round as it ends. */
export async function runRounds(
  tag: string,
  measure: (index: number) => Promise<Record<string, number>> | Record<string, number>,
  rounds = ROUNDS,
): Promise<Round[]> {
  const out: Round[] = [];
  for (let i = 1; i <= rounds; i++) {
    const load = load1();
    const ratios = await measure(i);
    const r: Round = { index: i, load, ratios };
    out.push(r);
    console.log(`[${tag}] ${roundLine(r)}`);
  }
  return out;
}

/** Figures named with a `%` are percentages; every other figure is a ratio (×). */
function unit(name: string): string {
  return name.includes('%') ? '%' : '×';
}

export function roundLine(r: Round): string {
  const parts = Object.entries(r.ratios).map(([k, v]) => `${k} ${fmt(v)}${unit(k)}`);
  return `round ${r.index} (load ${r.load.toFixed(2)}): ${parts.join(', ')}`;
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * One line per target: the median ratio over the rounds, each round's, and
 * the verdict — `met`/`missed` only when every round ran below LOAD_LIMIT.
 */
export function verdicts(rounds: Round[], targets: Target[]): string[] {
  const worstLoad = Math.max(...rounds.map((r) => r.load));
  return targets.map((t) => {
    const each = rounds.map((r) => r.ratios[t.name] ?? NaN);
    const med = median(each);
    const u = unit(t.name);
    const goal = `${t.kind === 'max' ? '≤' : '≥'} ${t.value}${u}`;
    const verdict =
      worstLoad >= LOAD_LIMIT
        ? `not measured: load ${worstLoad.toFixed(2)}`
        : Number.isNaN(med)
          ? 'not measured: no figure'
          : (t.kind === 'max' ? med <= t.value : med >= t.value)
            ? 'met'
            : 'missed';
    return `${t.name}: median ${fmt(med)}${u} over ${rounds.length} rounds (${each.map(fmt).join(', ')}); target ${goal}: ${verdict}`;
  });
}

function fmt(x: number): string {
  return Number.isNaN(x) ? 'n/a' : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
