/**
 * `RUN --mount=…` (buildkit's instructions/commands_runmount.go vocabulary):
 * the spec's grammar, and the host side of each mount for one step:
 *
 *   type=cache  a directory under `<build-cache>/mounts/<sha256(id)>/data`, kept
 *               across builds (id defaults to the target), counted and pruned
 *               with the build cache (cache.ts);
 *   type=bind   a path of the context (default) or of a stage / image
 *               (`from=`), read-only unless `rw`; an `rw` bind's writes land
 *               in a throw-away overlay upper dir, as buildkit discards them;
 *   type=tmpfs  a tmpfs.
 *
 * Each is a mount of the step's container, never a copy into its rootfs, so
 * what is under a mount is not in the step's upper dir and never in its layer
 * (the empty mount points the runtime made are left out: run-step.ts).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';

export type RunMountSpec =
  | { type: 'bind'; target: string; source: string; from: string | null; rw: boolean }
  | {
      type: 'cache';
      target: string;
      id: string;
      sharing: 'shared' | 'private' | 'locked';
      mode: number;
      uid: number;
      gid: number;
      readOnly: boolean;
    }
  | { type: 'tmpfs'; target: string; sizeBytes?: number };

/** What the step's container mounts: host paths, never copies. */
export type StepMount =
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; sizeBytes?: number };

function bad(line: number, msg: string): BerthError {
  return new BerthError('BUILD_SYNTAX', `line ${line}: --mount: ${msg}`, { line });
}

function bool(v: string | undefined, line: number, key: string): boolean {
  if (v === undefined || v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw bad(line, `${key}=${v}: true or false`);
}

function size(v: string, line: number): number {
  const m = /^(\d+)([kmg]?)b?$/i.exec(v);
  if (!m) throw bad(line, `size=${v}: a size like 64m`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Number(m[1]) * (mult[(m[2] as string).toLowerCase()] as number);
}

/** One `--mount=` value; a relative target is taken from the step's workdir, as buildkit does. */
export function parseRunMount(spec: string, line: number, workdir: string): RunMountSpec {
  const kv = new Map<string, string | undefined>();
  for (const field of spec.split(',')) {
    if (field === '') continue;
    const i = field.indexOf('=');
    const k = (i < 0 ? field : field.slice(0, i)).toLowerCase();
    if (kv.has(k)) throw bad(line, `${k} is given twice`);
    kv.set(k, i < 0 ? undefined : field.slice(i + 1));
  }
  const take = (...names: string[]): string | undefined => {
    for (const n of names)
      if (kv.has(n)) {
        const v = kv.get(n);
        kv.delete(n);
        return v ?? '';
      }
    return undefined;
  };
  const type = take('type') ?? 'bind';
  if (type === 'secret' || type === 'ssh') {
    throw new BerthError('BUILD_UNSUPPORTED', `line ${line}: --mount=type=${type} is not supported by this engine`, {
      line,
      feature: `mount type ${type}`,
    });
  }
  if (type !== 'bind' && type !== 'cache' && type !== 'tmpfs') throw bad(line, `type=${type}: bind, cache or tmpfs`);
  const rawTarget = take('target', 'dst', 'destination');
  if (!rawTarget) throw bad(line, `type=${type} needs target=PATH`);
  const target = path.posix.resolve(workdir || '/', rawTarget);
  if (target === '/') throw bad(line, 'the target cannot be /');
  let out: RunMountSpec;
  if (type === 'tmpfs') {
    const sz = take('size', 'tmpfs-size');
    out = { type, target, ...(sz !== undefined ? { sizeBytes: size(sz, line) } : {}) };
  } else if (type === 'bind') {
    const ro = take('readonly', 'ro');
    const rw = take('readwrite', 'rw');
    out = {
      type,
      target,
      source: take('source', 'src') ?? '/',
      from: take('from') ?? null,
      rw: rw !== undefined ? bool(rw, line, 'rw') : ro !== undefined ? !bool(ro, line, 'ro') : false,
    };
  } else {
    const sharing = take('sharing') ?? 'shared';
    if (sharing !== 'shared' && sharing !== 'private' && sharing !== 'locked')
      throw bad(line, `sharing=${sharing}: shared, private or locked`);
    if (kv.has('from') || kv.has('source') || kv.has('src'))
      throw new BerthError('BUILD_UNSUPPORTED', `line ${line}: a cache mount seeded from a stage is not supported`, {
        line,
        feature: 'cache mount from=',
      });
    const mode = take('mode');
    const uid = take('uid');
    const gid = take('gid');
    const ro = take('readonly', 'ro');
    const id = take('id') || target;
    if (mode !== undefined && !/^[0-7]{3,4}$/.test(mode)) throw bad(line, `mode=${mode}: an octal mode`);
    for (const [k, v] of [
      ['uid', uid],
      ['gid', gid],
    ] as const)
      if (v !== undefined && !/^\d{1,10}$/.test(v)) throw bad(line, `${k}=${v}: a number`);
    out = {
      type,
      target,
      id,
      sharing,
      mode: mode !== undefined ? parseInt(mode, 8) : 0o755,
      uid: uid !== undefined ? Number(uid) : 0,
      gid: gid !== undefined ? Number(gid) : 0,
      readOnly: ro !== undefined ? bool(ro, line, 'ro') : false,
    };
  }
  if (kv.size > 0) throw bad(line, `unknown option ${[...kv.keys()].join(', ')} for type=${type}`);
  return out;
}

/** A cache mount's host directory, made with the spec's owner and mode the first time. */
export function cacheMountDir(mountsRoot: string, m: Extract<RunMountSpec, { type: 'cache' }>): string {
  const dir = path.join(mountsRoot, crypto.createHash('sha256').update(m.id).digest('hex'));
  const data = path.join(dir, 'data');
  if (!fs.existsSync(data)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'id'), m.id, { mode: 0o600 });
    const tmp = `${data}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    fs.mkdirSync(tmp, { mode: m.mode });
    fs.chmodSync(tmp, m.mode);
    fs.chownSync(tmp, m.uid, m.gid);
    fs.renameSync(tmp, data);
  }
  return data;
}

/**
 * The merged view of `lowerDirs` (topmost first) as a real directory: an
 * overlay with a throw-away upper dir, mounted by the helper under `scratch`
 * and gone with `release()`. A stage's tree is in several layer dirs, so a
 * bind of it needs the overlay; `rw` binds write into the upper, discarded.
 */
export function overlayView(lowerDirs: readonly string[], scratch: string): { dir: string; release(): void } {
  fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
  const base = fs.mkdtempSync(path.join(scratch, 'ov-'));
  const [upper, work, merged, empty] = ['upper', 'work', 'merged', 'empty'].map((n) => path.join(base, n)) as [
    string,
    string,
    string,
    string,
  ];
  for (const d of [upper, work, merged, empty]) fs.mkdirSync(d, { mode: 0o755 });
  const lowers = lowerDirs.length > 0 ? lowerDirs : [empty];
  const r = spawnSync(
    'mount',
    ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${work}`, merged],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    fs.rmSync(base, { recursive: true, force: true });
    throw new Error(`mount overlay for a RUN --mount: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  return {
    dir: merged,
    release(): void {
      spawnSync('umount', ['-l', merged]);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
