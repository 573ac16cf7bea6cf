/**
 * docker's mount flags as a containers.create request:
 *
 *   -v /host:/path[:ro]      a bind (the `volumes` list; `./x` and `../x` are
 *                            taken from the working directory, as compose does)
 *   -v NAME:/path[:ro,nocopy] a named volume (made on first use)
 *   -v /path                 an anonymous volume
 *   --mount type=volume|bind|tmpfs,source=…,target=…,readonly,volume-nocopy,
 *           tmpfs-size=64m,tmpfs-mode=1777
 *   --tmpfs /path[:size=64m,mode=1777,ro]
 *
 * Only the syntax is checked here (USAGE); names and targets are the
 * engine's to judge, so a bad volume name gets VOLUME_NAME_INVALID from
 * wherever the request comes.
 */
import path from 'node:path';
import { BerthError } from '../../preload/errors';
import { parseSize } from './units';

export interface BindVolume {
  source: string;
  destination: string;
  readOnly: boolean;
}

export type MountRequest =
  | { type: 'volume'; source: string; target: string; readOnly: boolean; noCopy: boolean }
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; readOnly: boolean; sizeBytes?: number; mode?: string };

const isHostPath = (s: string): boolean =>
  s.startsWith('/') || s === '.' || s.startsWith('./') || s.startsWith('../') || s === '..';

/** One -v value: a bind (host path) or a volume mount. */
export function parseVolumeFlag(v: string, cwd = process.cwd()): { bind: BindVolume } | { mount: MountRequest } {
  const usage = (): never => {
    throw new BerthError('USAGE', `invalid volume ${v}: use /host/path:/container/path[:ro], NAME:/path[:ro] or /path`);
  };
  const parts = v.split(':');
  if (parts.length === 1) {
    // -v /path: an anonymous volume.
    if (!v.startsWith('/')) usage();
    return { mount: { type: 'volume', source: '', target: v, readOnly: false, noCopy: false } };
  }
  if (parts.length > 3) usage();
  const [source = '', destination = '', mode] = parts;
  if (!source || !destination.startsWith('/')) usage();
  const opts = mode === undefined ? [] : mode.split(',');
  let readOnly = false;
  let noCopy = false;
  for (const o of opts) {
    if (o === 'ro') readOnly = true;
    else if (o === 'rw') readOnly = false;
    else if (o === 'nocopy') noCopy = true;
    else usage();
  }
  if (isHostPath(source)) {
    if (noCopy) usage();
    return { bind: { source: path.resolve(cwd, source), destination, readOnly } };
  }
  return { mount: { type: 'volume', source, target: destination, readOnly, noCopy } };
}

function bool(key: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BerthError('USAGE', `--mount ${key}: expected true or false, got ${value}`);
}

/** One --mount value (docker's CSV of key=value fields). */
export function parseMountFlag(v: string, cwd = process.cwd()): MountRequest {
  let type = 'volume';
  let source: string | undefined;
  let target: string | undefined;
  let readOnly = false;
  let noCopy = false;
  let sizeBytes: number | undefined;
  let mode: string | undefined;
  for (const field of v.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    const need = (): string => {
      if (value === undefined || value === '') throw new BerthError('USAGE', `--mount ${key} needs a value`);
      return value;
    };
    switch (key) {
      case 'type':
        type = need();
        break;
      case 'source':
      case 'src':
        source = value ?? '';
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = need();
        break;
      case 'readonly':
      case 'ro':
        readOnly = bool(key, value);
        break;
      case 'volume-nocopy':
        noCopy = bool(key, value);
        break;
      case 'tmpfs-size':
        sizeBytes = parseSize(need());
        break;
      case 'tmpfs-mode':
        mode = need();
        if (!/^[0-7]{3,4}$/.test(mode)) throw new BerthError('USAGE', `--mount tmpfs-mode: an octal mode, got ${mode}`);
        break;
      case 'bind-propagation':
        if (value !== 'rprivate') throw new BerthError('USAGE', '--mount bind-propagation: only rprivate is supported');
        break;
      default:
        throw new BerthError('USAGE', `--mount: unknown option ${key}`);
    }
  }
  if (!target) throw new BerthError('USAGE', `--mount ${v}: target= is required`);
  if (!target.startsWith('/')) throw new BerthError('USAGE', `--mount target must be an absolute path, got ${target}`);
  const only = (what: string, ok: boolean): void => {
    if (!ok) throw new BerthError('USAGE', `--mount: ${what} does not apply to type=${type}`);
  };
  switch (type) {
    case 'volume':
      only('tmpfs-size/tmpfs-mode', sizeBytes === undefined && mode === undefined);
      return { type, source: source ?? '', target, readOnly, noCopy };
    case 'bind':
      only('tmpfs-size/tmpfs-mode/volume-nocopy', sizeBytes === undefined && mode === undefined && !noCopy);
      if (!source) throw new BerthError('USAGE', '--mount type=bind needs source=');
      return { type, source: path.resolve(cwd, source), target, readOnly };
    case 'tmpfs':
      only('source', !source);
      only('volume-nocopy', !noCopy);
      return {
        type,
        target,
        readOnly,
        ...(sizeBytes !== undefined ? { sizeBytes } : {}),
        ...(mode !== undefined ? { mode } : {}),
      };
    default:
      throw new BerthError('USAGE', `--mount type must be volume, bind or tmpfs, got ${type}`);
  }
}

/** One --tmpfs value: PATH[:size=…,mode=…,ro]. */
export function parseTmpfsFlag(v: string): MountRequest {
  const colon = v.indexOf(':');
  const target = colon < 0 ? v : v.slice(0, colon);
  const fields = [`type=tmpfs`, `target=${target}`];
  for (const o of colon < 0 ? [] : v.slice(colon + 1).split(',')) {
    const [k, val] = o.split('=');
    if (k === 'size' && val) fields.push(`tmpfs-size=${val}`);
    else if (k === 'mode' && val) fields.push(`tmpfs-mode=${val}`);
    else if (k === 'ro' && val === undefined) fields.push('readonly');
    else if (k === 'rw' && val === undefined) continue;
    else throw new BerthError('USAGE', `--tmpfs ${v}: unknown option ${o} (size=, mode=, ro)`);
  }
  return parseMountFlag(fields.join(','));
}
