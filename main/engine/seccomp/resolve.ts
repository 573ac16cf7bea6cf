/**
 * Docker profile → the OCI `linux.seccomp` the monitor compiles. What Docker
 * decides per container is decided here, for one container's capability
 * bounding set, architecture and kernel:
 * - `archMap`: the entry of the native architecture gives `architectures`
 *   (native + sub-architectures); a plain `architectures` list is kept;
 * - a rule applies when every capability in `includes.caps` is in the
 *   bounding set, none in `excludes.caps` is, the native (Go) architecture
 *   is in `includes.arches` (when given) and not in `excludes.arches`, and
 *   the kernel is at least `includes.minKernel`;
 * - `name` becomes `names`; errno defaults stay with the monitor (EPERM).
 * Unknown syscall names are kept: the monitor skips those libseccomp does
 * not know (as runc does) and reports them.
 */
import { BerthError } from '../../../preload/errors';
import type { ArchNames } from './arch';
import { SeccompProfile, type SeccompProfileT } from './profile-schema';

export interface ResolvedRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo: number; op: string }[];
}

/** The monitor's input (native/monitor/src/seccomp_profile.h). */
export interface ResolvedProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: ResolvedRule[];
}

export interface ResolveContext {
  /** The container's capability bounding set (CAP_ names). */
  bounding: Iterable<string>;
  arch: ArchNames;
  /** uname release, e.g. "6.1.0-18-amd64". */
  kernel: string;
}

/** "CHOWN", "cap_chown" → "CAP_CHOWN". */
export function capName(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

function kernelAtLeast(release: string, min: string): boolean {
  const have = (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release) ?? []).slice(1).map((x) => Number(x ?? 0));
  const want = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const h = have[i] ?? 0;
    const w = want[i] ?? 0;
    if (h !== w) return h > w;
  }
  return true;
}

/** A zod issue path as a field name: syscalls[3].args[0].op */
function fieldName(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(profile)';
}

/** Parses and validates a profile's text; SECCOMP_PROFILE_INVALID names the field. */
export function parseProfile(text: string): SeccompProfileT {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BerthError('SECCOMP_PROFILE_INVALID', `seccomp profile: not JSON: ${(e as Error).message}`, {
      field: '(profile)',
    });
  }
  const r = SeccompProfile.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = fieldName(issue.path);
    throw new BerthError('SECCOMP_PROFILE_INVALID', `seccomp profile: ${field}: ${issue.message}`, { field });
  }
  return r.data;
}

export function resolveProfile(p: SeccompProfileT, ctx: ResolveContext): ResolvedProfile {
  const caps = new Set([...ctx.bounding].map(capName));
  let architectures = [...(p.architectures ?? [])];
  const mapped = p.archMap?.find((m) => m.architecture === ctx.arch.scmp);
  if (mapped) architectures = [mapped.architecture, ...(mapped.subArchitectures ?? [])];
  const syscalls: ResolvedRule[] = [];
  for (const s of p.syscalls ?? []) {
    const inc = s.includes;
    const exc = s.excludes;
    if (inc?.caps?.some((c) => !caps.has(capName(c)))) continue;
    if (exc?.caps?.some((c) => caps.has(capName(c)))) continue;
    if (inc?.arches?.length && !inc.arches.includes(ctx.arch.go)) continue;
    if (exc?.arches?.includes(ctx.arch.go)) continue;
    if (inc?.minKernel && !kernelAtLeast(ctx.kernel, inc.minKernel)) continue;
    const rule: ResolvedRule = { names: s.names ?? [s.name!], action: s.action };
    if (s.errnoRet != null) rule.errnoRet = s.errnoRet;
    if (s.args?.length)
      rule.args = s.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo, op: a.op }));
    syscalls.push(rule);
  }
  const out: ResolvedProfile = { defaultAction: p.defaultAction, architectures, syscalls };
  if (p.defaultErrnoRet != null) out.defaultErrnoRet = p.defaultErrnoRet;
  return out;
}
