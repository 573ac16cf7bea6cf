/**
 * Raw (merged, interpolated) compose data → ComposeProject. Pure apart from
 * `readFile`, which the loader passes in for env_file (read as the user).
 * Wrong types are COMPOSE_INVALID errors naming the key path; keys Berth
 * does not implement are warnings naming the key path ("services.web.cap_add
 * is not supported; ignored"); `x-` extension keys are the spec's own escape
 * hatch and are skipped without a word.
 */
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import type { Limits } from '../../../preload/schemas/resources';
import { parseEnvFile, type Vars } from './interpolate';
import type {
  ComposeProject,
  ComposeService,
  DependsCondition,
  HealthCheck,
  NetworkDef,
  ServiceMount,
  ServiceNetwork,
  VolumeDef,
} from './model';
import { orderServices } from './order';
import { shellWords } from './shell-words';

export interface NormalizeInput {
  raw: Record<string, unknown>;
  projectName: string;
  workingDir: string;
  configFiles: string[];
  /** Variables for `environment: [KEY]` and bare env_file keys (the shell's, then .env). */
  vars: Vars;
  readFile(file: string): string;
  homeDir?: string;
}

type Obj = Record<string, unknown>;

const bad = (where: string, what: string): never => {
  throw new BerthError('COMPOSE_INVALID', `${where} ${what}`);
};
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const obj = (v: unknown, where: string): Obj => (isObj(v) ? v : bad(where, 'must be a mapping'));
const str = (v: unknown, where: string): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : bad(where, 'must be a string');
const strList = (v: unknown, where: string): string[] =>
  Array.isArray(v) ? v.map((x, i) => str(x, `${where}[${i}]`)) : bad(where, 'must be a list of strings');
const bool = (v: unknown, where: string): boolean =>
  typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : bad(where, 'must be true or false');
const int = (v: unknown, where: string, min = 0): number => {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= min ? n : bad(where, `must be an integer >= ${min}`);
};

/** Warns about keys outside `known` (x- extensions excepted). */
function checkKeys(o: Obj, known: readonly string[], where: string, warnings: string[]): void {
  for (const k of Object.keys(o))
    if (!known.includes(k) && !k.startsWith('x-')) warnings.push(`${where}.${k} is not supported; ignored`);
}

/** Go durations as compose writes them: 1m30s, 10s, 500ms, 2h; a bare number is seconds. */
export function parseDuration(v: unknown, where: string): number {
  if (typeof v === 'number' && v >= 0) return v * 1000;
  const s = str(v, where).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  let rest = s;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!m) return bad(where, `must be a duration like 10s or 1m30s (got "${s}")`);
    total += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Compose byte values: 512, "512m", "1gb", "1.5g", "64k". */
export function parseBytes(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(str(v, where).trim());
  if (!m) return bad(where, `must be a size like 512m or 1gb (got "${String(v)}")`);
  const mult: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(Number(m[1]) * mult[m[2]!.toLowerCase()]!);
}

/** `environment` / `labels` / build `args`: a mapping or a KEY=VALUE list. Bare keys come from `vars` (absent: dropped). */
function keyValues(v: unknown, where: string, vars: Vars | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      const s = str(x, `${where}[${i}]`);
      const eq = s.indexOf('=');
      if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
      else if (vars) {
        const val = vars[s];
        if (val !== undefined) out[s] = val;
      } else out[s] = '';
    });
    return out;
  }
  for (const [k, x] of Object.entries(obj(v, where))) {
    if (x === null || x === undefined) {
      const val = vars ? vars[k] : '';
      if (val !== undefined) out[k] = val;
    } else out[k] = str(x, `${where}.${k}`);
  }
  return out;
}

function commandOf(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return shellWords(v, where);
  return strList(v, where);
}

const SERVICE_KEYS = [
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'volumes',
  'networks',
  'network_mode',
  'depends_on',
  'restart',
  'deploy',
  'healthcheck',
  'user',
  'working_dir',
  'labels',
  'hostname',
  'container_name',
] as const;

export function normalize(input: NormalizeInput): ComposeProject {
  const warnings: string[] = [];
  const { raw, projectName: project, workingDir } = input;
  checkKeys(raw, ['name', 'services', 'networks', 'volumes', 'version'], '', warnings);
  // checkKeys writes ".key" at the top level: tidy those.
  for (let i = 0; i < warnings.length; i++) warnings[i] = warnings[i]!.replace(/^\./, '');
  if (raw['version'] !== undefined) warnings.push('version is obsolete; ignored');

  const networks: Record<string, NetworkDef> = {};
  const rawNets = raw['networks'] === undefined || raw['networks'] === null ? {} : obj(raw['networks'], 'networks');
  for (const [key, v] of Object.entries(rawNets)) networks[key] = networkDef(project, key, v, warnings);
  const volumes: Record<string, VolumeDef> = {};
  const rawVols = raw['volumes'] === undefined || raw['volumes'] === null ? {} : obj(raw['volumes'], 'volumes');
  for (const [key, v] of Object.entries(rawVols)) volumes[key] = volumeDef(project, key, v, warnings);

  const rawServices = raw['services'] === undefined || raw['services'] === null ? {} : obj(raw['services'], 'services');
  const names = Object.keys(rawServices);
  if (names.length === 0) throw new BerthError('COMPOSE_NO_SERVICES', 'the project defines no services');
  const services: ComposeService[] = [];
  for (const name of names) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name))
      bad(`services.${name}`, 'is not a valid service name ([a-zA-Z0-9._-], starting with a letter or digit)');
    services.push(service(input, name, obj(rawServices[name], `services.${name}`), networks, volumes, warnings));
  }
  for (const s of services)
    for (const d of s.dependsOn)
      if (!names.includes(d.service))
        throw new BerthError(
          'COMPOSE_UNKNOWN_SERVICE',
          `services.${s.name}.depends_on names ${d.service}, which is not a service of this project`,
        );
  // The implicit default network exists only if someone uses it.
  if (!networks['default'] && services.some((s) => s.networks.some((n) => n.key === 'default')))
    networks['default'] = { name: `${project}_default`, external: false, internal: false, labels: {} };
  return {
    name: project,
    workingDir,
    configFiles: input.configFiles,
    services: orderServices(services),
    networks,
    volumes,
    warnings,
  };
}

function networkDef(project: string, key: string, v: unknown, warnings: string[]): NetworkDef {
  const where = `networks.${key}`;
  const o = v === null || v === undefined ? {} : obj(v, where);
  checkKeys(o, ['name', 'external', 'driver', 'internal', 'labels', 'ipam'], where, warnings);
  const external = o['external'] === undefined ? false : bool(o['external'], `${where}.external`);
  const name = o['name'] !== undefined ? str(o['name'], `${where}.name`) : external ? key : `${project}_${key}`;
  if (o['driver'] !== undefined && str(o['driver'], `${where}.driver`) !== 'bridge')
    bad(`${where}.driver`, `"${String(o['driver'])}": only the bridge driver is supported`);
  const def: NetworkDef = {
    name,
    external,
    internal: o['internal'] === undefined ? false : bool(o['internal'], `${where}.internal`),
    labels: keyValues(o['labels'], `${where}.labels`, null),
  };
  if (o['ipam'] !== undefined) {
    const ipam = obj(o['ipam'], `${where}.ipam`);
    checkKeys(ipam, ['config', 'driver'], `${where}.ipam`, warnings);
    const cfg = ipam['config'] === undefined ? [] : (ipam['config'] as unknown);
    if (!Array.isArray(cfg)) bad(`${where}.ipam.config`, 'must be a list');
    (cfg as unknown[]).forEach((c, i) => {
      const w = `${where}.ipam.config[${i}]`;
      const co = obj(c, w);
      checkKeys(co, ['subnet', 'gateway'], w, warnings);
      if (i > 0) return warnings.push(`${w} is not supported (one subnet per network); ignored`);
      if (co['subnet'] !== undefined) def.subnet = str(co['subnet'], `${w}.subnet`);
      if (co['gateway'] !== undefined) def.gateway = str(co['gateway'], `${w}.gateway`);
    });
  }
  return def;
}

function volumeDef(project: string, key: string, v: unknown, warnings: string[]): VolumeDef {
  const where = `volumes.${key}`;
  const o = v === null || v === undefined ? {} : obj(v, where);
  checkKeys(o, ['name', 'external', 'driver', 'labels'], where, warnings);
  const external = o['external'] === undefined ? false : bool(o['external'], `${where}.external`);
  if (o['driver'] !== undefined && str(o['driver'], `${where}.driver`) !== 'local')
    bad(`${where}.driver`, `"${String(o['driver'])}": only the local driver is supported`);
  return {
    name: o['name'] !== undefined ? str(o['name'], `${where}.name`) : external ? key : `${project}_${key}`,
    external,
    labels: keyValues(o['labels'], `${where}.labels`, null),
  };
}

function service(
  input: NormalizeInput,
  name: string,
  o: Obj,
  networks: Record<string, NetworkDef>,
  volumes: Record<string, VolumeDef>,
  warnings: string[],
): ComposeService {
  const where = `services.${name}`;
  checkKeys(o, SERVICE_KEYS, where, warnings);
  const resolve = (p: string): string => {
    if (p === '~' || p.startsWith('~/')) return path.join(input.homeDir ?? '/', p.slice(1));
    return path.resolve(input.workingDir, p);
  };
  const s: ComposeService = {
    name,
    environment: {},
    ports: [],
    mounts: [],
    networks: [],
    dependsOn: [],
    restart: { name: 'no', maxRetries: 0 },
    resources: {},
    labels: keyValues(o['labels'], `${where}.labels`, null),
  };
  if (o['image'] !== undefined) s.image = str(o['image'], `${where}.image`);
  if (o['build'] !== undefined) s.build = build(o['build'], `${where}.build`, resolve, input.vars, warnings);
  if (!s.image && !s.build) bad(where, 'needs an image or a build');
  const cmd = commandOf(o['command'], `${where}.command`);
  if (cmd) s.command = cmd;
  const ep = commandOf(o['entrypoint'], `${where}.entrypoint`);
  if (ep) s.entrypoint = ep;

  // env_file first (in order), then environment over it.
  if (o['env_file'] !== undefined) {
    const files = typeof o['env_file'] === 'string' ? [o['env_file']] : o['env_file'];
    if (!Array.isArray(files)) bad(`${where}.env_file`, 'must be a path or a list');
    (files as unknown[]).forEach((f, i) => {
      const w = `${where}.env_file[${i}]`;
      let file: string;
      let required = true;
      if (isObj(f)) {
        checkKeys(f, ['path', 'required'], w, warnings);
        file = str(f['path'], `${w}.path`);
        if (f['required'] !== undefined) required = bool(f['required'], `${w}.required`);
      } else file = str(f, w);
      let text: string;
      try {
        text = input.readFile(resolve(file));
      } catch (err) {
        if (!required) return;
        throw new BerthError('COMPOSE_FILE_NOT_FOUND', `${w}: cannot read ${resolve(file)}: ${(err as Error).message}`);
      }
      for (const [k, v] of parseEnvFile(text, resolve(file))) {
        const val = v ?? input.vars[k];
        if (val !== undefined) s.environment[k] = val;
      }
    });
  }
  Object.assign(s.environment, keyValues(o['environment'], `${where}.environment`, input.vars));

  if (o['ports'] !== undefined) {
    const list = o['ports'];
    if (!Array.isArray(list)) bad(`${where}.ports`, 'must be a list');
    (list as unknown[]).forEach((p, i) => s.ports.push(...ports(p, `${where}.ports[${i}]`, warnings)));
  }
  if (o['volumes'] !== undefined) {
    const list = o['volumes'];
    if (!Array.isArray(list)) bad(`${where}.volumes`, 'must be a list');
    (list as unknown[]).forEach((v, i) =>
      s.mounts.push(mount(v, `${where}.volumes[${i}]`, resolve, volumes, warnings)),
    );
  }
  if (o['network_mode'] !== undefined) {
    const m = str(o['network_mode'], `${where}.network_mode`);
    if (m !== 'host' && m !== 'none' && m !== 'bridge')
      bad(`${where}.network_mode`, `"${m}": host, none and bridge are supported`);
    s.networkMode = m as 'host' | 'none' | 'bridge';
    if (o['networks'] !== undefined) bad(`${where}.networks`, 'cannot be combined with network_mode');
  } else s.networks = serviceNetworks(o['networks'], `${where}.networks`, networks, warnings);

  if (o['depends_on'] !== undefined) s.dependsOn = dependsOn(o['depends_on'], `${where}.depends_on`, warnings);
  if (o['restart'] !== undefined) {
    const r = str(o['restart'], `${where}.restart`);
    const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(r);
    if (!m || (m[2] !== undefined && m[1] !== 'on-failure'))
      bad(`${where}.restart`, `"${r}": no, always, on-failure[:N] or unless-stopped`);
    s.restart = { name: m![1] as ComposeService['restart']['name'], maxRetries: m![2] ? Number(m![2]) : 0 };
  }
  if (o['deploy'] !== undefined) s.resources = deploy(o['deploy'], `${where}.deploy`, warnings);
  if (o['healthcheck'] !== undefined) {
    const h = healthcheck(o['healthcheck'], `${where}.healthcheck`, warnings);
    if (h) s.healthcheck = h;
  }
  if (o['user'] !== undefined) s.user = str(o['user'], `${where}.user`);
  if (o['working_dir'] !== undefined) {
    s.workingDir = str(o['working_dir'], `${where}.working_dir`);
    if (!s.workingDir.startsWith('/')) bad(`${where}.working_dir`, 'must be an absolute path');
  }
  if (o['hostname'] !== undefined) s.hostname = str(o['hostname'], `${where}.hostname`);
  if (o['container_name'] !== undefined) s.containerName = str(o['container_name'], `${where}.container_name`);
  return s;
}

function build(
  v: unknown,
  where: string,
  resolve: (p: string) => string,
  vars: Vars,
  warnings: string[],
): NonNullable<ComposeService['build']> {
  if (typeof v === 'string') return { context: resolve(v), args: {} };
  const o = obj(v, where);
  checkKeys(o, ['context', 'dockerfile', 'args', 'target'], where, warnings);
  const b: NonNullable<ComposeService['build']> = {
    context: resolve(o['context'] === undefined ? '.' : str(o['context'], `${where}.context`)),
    args: keyValues(o['args'], `${where}.args`, vars),
  };
  if (o['dockerfile'] !== undefined)
    b.dockerfile = path.resolve(b.context, str(o['dockerfile'], `${where}.dockerfile`));
  if (o['target'] !== undefined) b.target = str(o['target'], `${where}.target`);
  return b;
}

function port(v: string, where: string): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : bad(where, `"${v}" is not a port (1-65535)`);
}

function portRange(v: string, where: string): number[] {
  const [a, b] = v.split('-');
  const lo = port(a!, where);
  const hi = b === undefined ? lo : port(b, where);
  if (hi < lo) bad(where, `"${v}" is not an ascending range`);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function ports(v: unknown, where: string, warnings: string[]): ComposeService['ports'] {
  let host: string | undefined;
  let container: string;
  let protocol = 'tcp';
  let hostIp: string | undefined;
  if (isObj(v)) {
    checkKeys(v, ['target', 'published', 'protocol', 'host_ip', 'mode'], where, warnings);
    container = str(v['target'], `${where}.target`);
    if (v['published'] !== undefined) host = str(v['published'], `${where}.published`);
    if (v['protocol'] !== undefined) protocol = str(v['protocol'], `${where}.protocol`);
    if (v['host_ip'] !== undefined) hostIp = str(v['host_ip'], `${where}.host_ip`);
  } else {
    const s = str(v, where);
    const slash = s.lastIndexOf('/');
    const spec = slash >= 0 ? s.slice(0, slash) : s;
    if (slash >= 0) protocol = s.slice(slash + 1);
    const parts = spec.split(':');
    if (parts.length > 3) bad(where, `"${s}": HOST_IP:HOST:CONTAINER at most`);
    container = parts.at(-1)!;
    if (parts.length >= 2) host = parts.at(-2)!;
    if (parts.length === 3) hostIp = parts[0]!;
  }
  if (protocol !== 'tcp' && protocol !== 'udp') bad(where, `protocol "${protocol}": tcp or udp`);
  if (hostIp !== undefined && hostIp !== '' && hostIp !== '0.0.0.0')
    warnings.push(`${where} host_ip ${hostIp} is not supported (ports publish on every address); ignored`);
  if (host === undefined || host === '') {
    warnings.push(`${where} has no published port; Berth publishes fixed host ports only, so it is not published`);
    return [];
  }
  const cs = portRange(container, where);
  const hs = portRange(host, where);
  if (cs.length !== hs.length) bad(where, 'host and container ranges differ in length');
  return cs.map((c, i) => ({ hostPort: hs[i]!, containerPort: c, protocol: protocol as 'tcp' | 'udp' }));
}

function mount(
  v: unknown,
  where: string,
  resolve: (p: string) => string,
  volumes: Record<string, VolumeDef>,
  warnings: string[],
): ServiceMount {
  const named = (source: string): string => {
    if (!volumes[source])
      throw new BerthError(
        'COMPOSE_UNKNOWN_VOLUME',
        `${where} refers to volume ${source}, which is not declared under the top-level volumes`,
      );
    return volumes[source]!.name;
  };
  const target = (t: string, w: string): string => (t.startsWith('/') ? t : bad(w, `"${t}" must be an absolute path`));
  if (isObj(v)) {
    checkKeys(v, ['type', 'source', 'target', 'read_only', 'volume', 'bind', 'tmpfs'], where, warnings);
    const type = str(v['type'], `${where}.type`);
    const tgt = target(str(v['target'], `${where}.target`), `${where}.target`);
    const ro = v['read_only'] === undefined ? false : bool(v['read_only'], `${where}.read_only`);
    if (type === 'bind') {
      if (v['bind'] !== undefined)
        checkKeys(obj(v['bind'], `${where}.bind`), ['create_host_path'], `${where}.bind`, warnings);
      return { type, source: resolve(str(v['source'], `${where}.source`)), target: tgt, readOnly: ro };
    }
    if (type === 'volume') {
      let noCopy = false;
      if (v['volume'] !== undefined) {
        const vo = obj(v['volume'], `${where}.volume`);
        checkKeys(vo, ['nocopy'], `${where}.volume`, warnings);
        if (vo['nocopy'] !== undefined) noCopy = bool(vo['nocopy'], `${where}.volume.nocopy`);
      }
      const src = v['source'] === undefined ? '' : named(str(v['source'], `${where}.source`));
      return { type, source: src, target: tgt, readOnly: ro, noCopy };
    }
    if (type === 'tmpfs') {
      const m: ServiceMount = { type, target: tgt, readOnly: ro };
      if (v['tmpfs'] !== undefined) {
        const to = obj(v['tmpfs'], `${where}.tmpfs`);
        checkKeys(to, ['size', 'mode'], `${where}.tmpfs`, warnings);
        if (to['size'] !== undefined) m.sizeBytes = parseBytes(to['size'], `${where}.tmpfs.size`);
        if (to['mode'] !== undefined) m.mode = tmpfsMode(to['mode'], `${where}.tmpfs.mode`);
      }
      return m;
    }
    return bad(`${where}.type`, `"${type}": bind, volume or tmpfs`);
  }
  const s = str(v, where);
  const parts = s.split(':');
  if (parts.length === 1)
    return { type: 'volume', source: '', target: target(s, where), readOnly: false, noCopy: false };
  if (parts.length > 3) bad(where, `"${s}": SOURCE:TARGET[:MODE]`);
  const [src, tgt, mode = 'rw'] = parts as [string, string, string?];
  const opts = mode.split(',');
  for (const o of opts)
    if (!['rw', 'ro', 'z', 'Z', 'nocopy'].includes(o)) warnings.push(`${where} option ${o} is not supported; ignored`);
  const ro = opts.includes('ro');
  const isPath = src.startsWith('.') || src.startsWith('/') || src.startsWith('~');
  if (isPath) return { type: 'bind', source: resolve(src), target: target(tgt, where), readOnly: ro };
  return {
    type: 'volume',
    source: named(src),
    target: target(tgt, where),
    readOnly: ro,
    noCopy: opts.includes('nocopy'),
  };
}

/** `mode: 1777` reads as the octal digits written; a YAML octal (0o1777) arrives as its value. */
function tmpfsMode(v: unknown, where: string): string {
  const m = typeof v === 'number' ? (/^[0-7]{3,4}$/.test(String(v)) ? String(v) : v.toString(8)) : str(v, where);
  return /^[0-7]{3,4}$/.test(m) ? m : bad(where, `"${m}" must be an octal mode like 1777`);
}

function serviceNetworks(
  v: unknown,
  where: string,
  networks: Record<string, NetworkDef>,
  warnings: string[],
): ServiceNetwork[] {
  if (v === undefined || v === null) return [{ key: 'default', aliases: [] }];
  const check = (key: string): void => {
    if (key !== 'default' && !networks[key])
      throw new BerthError(
        'COMPOSE_UNKNOWN_NETWORK',
        `${where} names ${key}, which is not declared under the top-level networks`,
      );
  };
  if (Array.isArray(v))
    return v.map((x, i) => {
      const key = str(x, `${where}[${i}]`);
      check(key);
      return { key, aliases: [] };
    });
  return Object.entries(obj(v, where)).map(([key, x]) => {
    check(key);
    const n: ServiceNetwork = { key, aliases: [] };
    if (x === null || x === undefined) return n;
    const o = obj(x, `${where}.${key}`);
    checkKeys(o, ['aliases', 'ipv4_address'], `${where}.${key}`, warnings);
    if (o['aliases'] !== undefined) n.aliases = strList(o['aliases'], `${where}.${key}.aliases`);
    if (o['ipv4_address'] !== undefined) n.ipv4 = str(o['ipv4_address'], `${where}.${key}.ipv4_address`);
    return n;
  });
}

const CONDITIONS: readonly DependsCondition[] = [
  'service_started',
  'service_healthy',
  'service_completed_successfully',
];

function dependsOn(v: unknown, where: string, warnings: string[]): ComposeService['dependsOn'] {
  if (Array.isArray(v)) return v.map((x, i) => ({ service: str(x, `${where}[${i}]`), condition: 'service_started' }));
  return Object.entries(obj(v, where)).map(([service, x]) => {
    if (x === null || x === undefined) return { service, condition: 'service_started' as const };
    const o = obj(x, `${where}.${service}`);
    checkKeys(o, ['condition', 'required'], `${where}.${service}`, warnings);
    const c = o['condition'] === undefined ? 'service_started' : str(o['condition'], `${where}.${service}.condition`);
    if (!CONDITIONS.includes(c as DependsCondition))
      bad(`${where}.${service}.condition`, `"${c}": ${CONDITIONS.join(', ')}`);
    if (o['required'] !== undefined && !bool(o['required'], `${where}.${service}.required`))
      warnings.push(`${where}.${service}.required: false is not supported (the dependency is required); ignored`);
    return { service, condition: c as DependsCondition };
  });
}

function deploy(v: unknown, where: string, warnings: string[]): Limits {
  const o = obj(v, where);
  checkKeys(o, ['resources'], where, warnings);
  if (o['resources'] === undefined) return {};
  const r = obj(o['resources'], `${where}.resources`);
  checkKeys(r, ['limits', 'reservations'], `${where}.resources`, warnings);
  const out: Limits = {};
  if (r['limits'] !== undefined) {
    const w = `${where}.resources.limits`;
    const l = obj(r['limits'], w);
    checkKeys(l, ['memory', 'cpus', 'pids'], w, warnings);
    if (l['memory'] !== undefined) out.memory = { max: parseBytes(l['memory'], `${w}.memory`) };
    if (l['cpus'] !== undefined) {
      const c = Number(str(l['cpus'], `${w}.cpus`));
      if (!(c >= 0.01)) bad(`${w}.cpus`, 'must be a number of CPUs >= 0.01');
      out.cpu = { cpus: c };
    }
    if (l['pids'] !== undefined) {
      const p = int(l['pids'], `${w}.pids`, -1);
      out.pids = { max: p <= 0 ? null : p };
    }
  }
  if (r['reservations'] !== undefined) {
    const w = `${where}.resources.reservations`;
    const l = obj(r['reservations'], w);
    checkKeys(l, ['memory'], w, warnings);
    // docker's memory reservation is the soft limit (run's --memory-reservation: memory.high here too).
    if (l['memory'] !== undefined) out.memory = { ...out.memory, high: parseBytes(l['memory'], `${w}.memory`) };
  }
  return out;
}

function healthcheck(v: unknown, where: string, warnings: string[]): HealthCheck | undefined {
  const o = obj(v, where);
  checkKeys(o, ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'], where, warnings);
  if (o['disable'] !== undefined && bool(o['disable'], `${where}.disable`)) return undefined;
  if (o['test'] === undefined) bad(`${where}.test`, 'is required');
  let test: string[];
  if (typeof o['test'] === 'string') test = ['/bin/sh', '-c', o['test']];
  else {
    const t = strList(o['test'], `${where}.test`);
    if (t[0] === 'NONE') return undefined;
    if (t[0] === 'CMD' && t.length > 1) test = t.slice(1);
    else if (t[0] === 'CMD-SHELL' && t.length === 2) test = ['/bin/sh', '-c', t[1]!];
    else return bad(`${where}.test`, 'must be a string, ["CMD", ARGS…], ["CMD-SHELL", "command"] or ["NONE"]');
  }
  return {
    test,
    intervalMs: o['interval'] === undefined ? 30_000 : parseDuration(o['interval'], `${where}.interval`),
    timeoutMs: o['timeout'] === undefined ? 30_000 : parseDuration(o['timeout'], `${where}.timeout`),
    retries: o['retries'] === undefined ? 3 : int(o['retries'], `${where}.retries`, 1),
    startPeriodMs: o['start_period'] === undefined ? 0 : parseDuration(o['start_period'], `${where}.start_period`),
  };
}
