/**
 * `berth layers --ci`: dive's CI gate (wagoodman/dive runtime/ci), with its
 * three rules, their names, defaults and messages, so a pipeline that ran
 * `CI=true dive IMAGE` reads the same here:
 *
 *   lowestEfficiency          fail when efficiency < R            (default 0.9)
 *   highestWastedBytes        fail when wasted bytes > SIZE       (default disabled)
 *   highestUserWastedPercent  fail when wasted / user bytes > R   (default 0.1)
 *
 * Thresholds come from a `.dive-ci` file (YAML, `rules:` with those keys;
 * `--ci-config FILE`, else `.dive-ci` in the working directory when there
 * is one), then from flags (`--lowest-efficiency`, `--highest-wasted-bytes`,
 * `--highest-user-wasted-percent`, or dive's own camelCase spellings), which
 * win. "disabled" (or an empty value) skips a rule. Sizes read as dive's
 * do: 20MB is 20,000,000 bytes, 20MiB is 20 × 2^20, a bare number bytes.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { BerthError } from '../../preload/errors';

export const RULES = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent'] as const;
export type RuleName = (typeof RULES)[number];

/** The rule's flag (kebab case) and dive's own (camel case). */
export const RULE_FLAGS: Readonly<Record<RuleName, readonly [string, string]>> = {
  lowestEfficiency: ['lowest-efficiency', 'lowestEfficiency'],
  highestWastedBytes: ['highest-wasted-bytes', 'highestWastedBytes'],
  highestUserWastedPercent: ['highest-user-wasted-percent', 'highestUserWastedPercent'],
};

/** dive's defaults (runtime/ci/config.go). */
export const DEFAULT_RULES: Readonly<Record<RuleName, string>> = {
  lowestEfficiency: '0.9',
  highestWastedBytes: 'disabled',
  highestUserWastedPercent: '0.1',
};

/** A threshold per rule, or null when the rule is disabled. */
export type Thresholds = Record<RuleName, number | null>;

export interface CiFacts {
  efficiency: number;
  wastedBytes: number;
  wastedUserPercent: number;
}

export interface RuleResult {
  rule: RuleName;
  status: 'PASS' | 'FAIL' | 'SKIP';
  message?: string;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** humanize.ParseBytes as dive uses it: SI for kB/MB/GB, IEC for KiB/MiB/GiB. */
export function parseDiveBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new BerthError('USAGE', `invalid size for highestWastedBytes: ${text}`);
  return Math.round(Number(m[1]) * unit);
}

function parseRatio(rule: RuleName, text: string): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) {
    throw new BerthError('USAGE', `invalid ratio for ${rule}: ${text} (a number such as 0.9)`);
  }
  return v;
}

function threshold(rule: RuleName, text: string): number | null {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'disabled') return null;
  return rule === 'highestWastedBytes' ? parseDiveBytes(t) : parseRatio(rule, t);
}

/** The `rules:` of a `.dive-ci` file, as strings (numbers and sizes alike). */
export function readDiveCiFile(text: string, file: string): Partial<Record<RuleName, string>> {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new BerthError('USAGE', `${file}: not YAML (${err instanceof Error ? err.message : String(err)})`);
  }
  if (doc === null || doc === undefined) return {};
  const rules = (doc as { rules?: unknown }).rules;
  if (typeof doc !== 'object' || (rules !== undefined && (typeof rules !== 'object' || rules === null))) {
    throw new BerthError('USAGE', `${file}: expected a "rules:" mapping`);
  }
  const out: Partial<Record<RuleName, string>> = {};
  for (const [k, v] of Object.entries((rules ?? {}) as Record<string, unknown>)) {
    if (!(RULES as readonly string[]).includes(k)) {
      throw new BerthError('USAGE', `${file}: unknown rule ${k} (known: ${RULES.join(', ')})`);
    }
    if (typeof v !== 'string' && typeof v !== 'number' && v !== null) {
      throw new BerthError('USAGE', `${file}: ${k} must be a number, a size or "disabled"`);
    }
    out[k as RuleName] = v === null ? 'disabled' : String(v);
  }
  return out;
}

/** dive's defaults, overridden by the file's rules, overridden by flags. */
export function resolveThresholds(
  fromFile: Partial<Record<RuleName, string>>,
  fromFlags: Partial<Record<RuleName, string>>,
): Thresholds {
  const out = {} as Thresholds;
  for (const r of RULES) out[r] = threshold(r, fromFlags[r] ?? fromFile[r] ?? DEFAULT_RULES[r]);
  return out;
}

/** The file to read: `--ci-config FILE` (must exist), else `.dive-ci` in `cwd` if there is one. */
export function loadDiveCiFile(configFlag: string | undefined, cwd: string): Partial<Record<RuleName, string>> {
  const file = configFlag ?? `${cwd}/.dive-ci`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (configFlag === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BerthError('USAGE', `cannot read ${file}: ${(err as Error).message}`);
  }
  return readDiveCiFile(text, file);
}

export function evaluateRules(facts: CiFacts, t: Thresholds): RuleResult[] {
  const skip = (rule: RuleName): RuleResult => ({ rule, status: 'SKIP', message: 'rule disabled' });
  const out: RuleResult[] = [];
  const eff = t.lowestEfficiency;
  if (eff === null) out.push(skip('lowestEfficiency'));
  else if (facts.efficiency < eff) {
    out.push({
      rule: 'lowestEfficiency',
      status: 'FAIL',
      message: `image efficiency is too low (efficiency=${facts.efficiency} < threshold=${eff})`,
    });
  } else out.push({ rule: 'lowestEfficiency', status: 'PASS' });
  const wasted = t.highestWastedBytes;
  if (wasted === null) out.push(skip('highestWastedBytes'));
  else if (facts.wastedBytes > wasted) {
    out.push({
      rule: 'highestWastedBytes',
      status: 'FAIL',
      message: `too many bytes wasted (wasted-bytes=${facts.wastedBytes} > threshold=${wasted})`,
    });
  } else out.push({ rule: 'highestWastedBytes', status: 'PASS' });
  const user = t.highestUserWastedPercent;
  if (user === null) out.push(skip('highestUserWastedPercent'));
  else if (facts.wastedUserPercent > user) {
    out.push({
      rule: 'highestUserWastedPercent',
      status: 'FAIL',
      message: `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${facts.wastedUserPercent} > threshold=${user})`,
    });
  } else out.push({ rule: 'highestUserWastedPercent', status: 'PASS' });
  return out;
}

/** dive's report: one line per rule, then the verdict. */
export function formatCiReport(results: readonly RuleResult[]): string {
  const lines = ['  Results:'];
  for (const r of results) lines.push(`    ${r.status}: ${r.rule}${r.message ? `: ${r.message}` : ''}`);
  const n = (s: RuleResult['status']): number => results.filter((r) => r.status === s).length;
  const verdict = n('FAIL') > 0 ? 'FAIL' : 'PASS';
  lines.push(
    `  Result:${verdict} [Total:${results.length}] [Passed:${n('PASS')}] [Failed:${n('FAIL')}] [Warn:0] [Skipped:${n('SKIP')}]`,
  );
  return lines.join('\n') + '\n';
}

export const ciFailed = (results: readonly RuleResult[]): boolean => results.some((r) => r.status === 'FAIL');
