/**
 * `berth commit -c`: docker's Dockerfile-instruction changes to an image
 * config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME,
 * STOPSIGNAL), JSON-array or shell forms. Anything else is COMMIT_CHANGE_INVALID.
 */
import { BerthError } from '../../../preload/errors';
import type { ContainerConfig } from '../oci/oci-types';

function bad(change: string, why: string): BerthError {
  return new BerthError('COMMIT_CHANGE_INVALID', `--change "${change}": ${why}`, { change });
}

/** A JSON array of strings, or null when the text is not one. */
function jsonArray(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** KEY=VALUE pairs (values may be double-quoted) or the one-pair form "KEY VALUE". */
function pairs(rest: string, change: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  if (!/^[^\s=]+=/.test(rest)) {
    const m = /^(\S+)\s+(.*)$/.exec(rest);
    if (!m) throw bad(change, 'expected KEY=VALUE or KEY VALUE');
    return [[m[1]!, m[2]!]];
  }
  let last = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    if (rest.slice(last, m.index).trim() !== '') throw bad(change, 'expected KEY=VALUE pairs');
    out.push([m[1]!, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '')]);
    last = re.lastIndex;
  }
  if (rest.slice(last).trim() !== '') throw bad(change, 'expected KEY=VALUE pairs');
  return out;
}

export function applyChange(config: ContainerConfig, change: string): void {
  const m = /^\s*([A-Za-z]+)\s+([\s\S]*?)\s*$/.exec(change);
  if (!m) throw bad(change, 'expected INSTRUCTION ARGUMENTS');
  const op = m[1]!.toUpperCase();
  const rest = m[2]!;
  if (rest === '') throw bad(change, `${op} needs an argument`);
  switch (op) {
    case 'CMD':
    case 'ENTRYPOINT': {
      const args = jsonArray(rest) ?? ['/bin/sh', '-c', rest];
      if (op === 'CMD') config.Cmd = args;
      else config.Entrypoint = args;
      return;
    }
    case 'ENV': {
      const env = [...(config.Env ?? [])];
      for (const [k, v] of pairs(rest, change)) {
        const i = env.findIndex((e) => e.split('=')[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      config.Env = env;
      return;
    }
    case 'LABEL':
      config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(pairs(rest, change)) };
      return;
    case 'EXPOSE': {
      const ports = { ...(config.ExposedPorts ?? {}) };
      for (const p of rest.split(/\s+/)) {
        if (!/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(p)) throw bad(change, `bad port ${p}`);
        ports[p.includes('/') ? p : `${p}/tcp`] = {};
      }
      config.ExposedPorts = ports;
      return;
    }
    case 'USER':
      config.User = rest;
      return;
    case 'WORKDIR':
      if (!rest.startsWith('/')) throw bad(change, 'WORKDIR must be absolute');
      config.WorkingDir = rest;
      return;
    case 'VOLUME': {
      const vols = { ...(config.Volumes ?? {}) };
      for (const v of jsonArray(rest) ?? rest.split(/\s+/)) vols[v] = {};
      config.Volumes = vols;
      return;
    }
    case 'STOPSIGNAL':
      config.StopSignal = rest;
      return;
    default:
      throw bad(
        change,
        `${op} cannot be changed by commit (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL)`,
      );
  }
}
