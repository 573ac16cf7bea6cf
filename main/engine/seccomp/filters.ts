/**
 * Compiled seccomp filters, one per distinct (resolved profile, compiler):
 * the profile is resolved for the container's bounding set, architecture and
 * kernel (resolve.ts), hashed, and compiled once by `berth-monitor
 * seccomp-compile` (libseccomp) into `<dataRoot>/seccomp/<key>.bpf`. The spec
 * names that file; the monitor reads it before clone and installs it with
 * seccomp(2) just before execve. A start with a known profile costs a map
 * lookup and a stat; the first start of a new one costs a compile (~10 ms),
 * and the files outlive the helper.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import type { SecurityOptionsT } from '../../../preload/schemas/containers';
import { monitorPath } from '../../../native/monitor';
import { archNames, type ArchNames } from './arch';
import { DEFAULT_SECCOMP_PROFILE } from './default-profile';
import { parseProfile, resolveProfile, type ResolvedProfile } from './resolve';

export interface CompiledFilter {
  /** sha256 of the resolved profile and the compiler: the file's name. */
  key: string;
  path: string;
  instructions: number;
  /** Syscall names libseccomp does not know, left out of the filter. */
  skipped: string[];
}

export type SeccompSecurity = Pick<SecurityOptionsT, 'privileged' | 'seccomp'>;

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** The cache key: what the monitor compiles and which compiler compiles it. */
export function filterKey(resolved: ResolvedProfile, compilerId: string): string {
  return sha256(`${compilerId}\n${JSON.stringify(resolved)}`);
}

export interface SeccompFiltersOptions {
  monitor?: () => string;
  arch?: ArchNames;
  kernel?: string;
}

export class SeccompFilters {
  private readonly memo = new Map<string, Promise<CompiledFilter>>();
  private readonly monitor: () => string;
  private readonly arch: ArchNames;
  private readonly kernel: string;
  private compilerIdCache: string | null = null;

  constructor(
    readonly dir: string,
    o: SeccompFiltersOptions = {},
  ) {
    this.monitor = o.monitor ?? monitorPath;
    this.arch = o.arch ?? archNames();
    this.kernel = o.kernel ?? os.release();
  }

  /** The filter for a container, or null when it runs without one (unconfined, privileged). */
  forContainer(security: SeccompSecurity, bounding: readonly string[]): Promise<CompiledFilter | null> {
    if (security.privileged || security.seccomp === 'unconfined') return Promise.resolve(null);
    const text = security.seccomp === 'default' ? null : security.seccomp.profile;
    const memoKey = `${text === null ? 'default' : sha256(text)}|${[...bounding].sort().join(',')}`;
    const hit = this.memo.get(memoKey);
    if (hit) {
      return hit.then((f) => {
        if (fs.existsSync(f.path)) return f;
        this.memo.delete(memoKey); // the cache dir was cleaned meanwhile
        return this.forContainer(security, bounding);
      });
    }
    const p = this.build(text, bounding);
    this.memo.set(memoKey, p);
    p.catch(() => this.memo.delete(memoKey));
    return p;
  }

  private async build(text: string | null, bounding: readonly string[]): Promise<CompiledFilter> {
    const profile = text === null ? DEFAULT_SECCOMP_PROFILE : parseProfile(text);
    const resolved = resolveProfile(profile, { bounding, arch: this.arch, kernel: this.kernel });
    const key = filterKey(resolved, this.compilerId());
    const file = path.join(this.dir, `${key}.bpf`);
    const meta = path.join(this.dir, `${key}.json`);
    try {
      const m = JSON.parse(fs.readFileSync(meta, 'utf8')) as { skipped: string[] };
      const size = fs.statSync(file).size;
      return { key, path: file, instructions: size / 8, skipped: m.skipped };
    } catch {
      // not compiled yet (or half-written by a crash): compile
    }
    const { bpf, skipped } = await this.compile(resolved);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeAtomic(meta, JSON.stringify({ skipped }));
    writeAtomic(file, bpf); // written last: its presence with the meta means complete
    return { key, path: file, instructions: bpf.length / 8, skipped };
  }

  /** Identifies the compiler (the monitor binary, with libseccomp linked in). */
  private compilerId(): string {
    if (this.compilerIdCache === null) {
      const st = fs.statSync(this.monitor());
      this.compilerIdCache = `berth-monitor ${st.size} ${st.mtimeMs}`;
    }
    return this.compilerIdCache;
  }

  private compile(resolved: ResolvedProfile): Promise<{ bpf: Buffer; skipped: string[] }> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.monitor(), ['seccomp-compile'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => undefined);
      child.once('error', reject);
      child.once('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (code !== 0) {
          const message = stderr.replace(/^berth-monitor seccomp-compile: /, '') || `exit ${String(code)}`;
          reject(new BerthError(code === 2 ? 'SECCOMP_PROFILE_INVALID' : 'SECCOMP_COMPILE_FAILED', message));
          return;
        }
        const bpf = Buffer.concat(out);
        const skipped = skippedNames(stderr);
        if (bpf.length === 0 || bpf.length % 8 !== 0) {
          reject(new BerthError('SECCOMP_COMPILE_FAILED', `seccomp-compile wrote ${bpf.length} bytes`));
          return;
        }
        resolve({ bpf, skipped });
      });
      child.stdin.end(JSON.stringify(resolved));
    });
  }
}

/** The compile's report on stderr: {"instructions":N,"skipped":[…]}. */
function skippedNames(stderr: string): string[] {
  try {
    const r = JSON.parse(stderr) as { skipped?: unknown };
    return Array.isArray(r.skipped) ? r.skipped.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
