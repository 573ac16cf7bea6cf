/**
 * The Create dialog's form model: what the user typed → a `containers.create`
 * request, validated by the contract's own schema (`ContainerCreate`) so the
 * dialog refuses exactly what the helper would, with each message next to
 * the field it is about. Only what a schema cannot see (a number that is not
 * one, an unterminated quote) is checked here first.
 */
import type { z } from 'zod';
import { ContainerCreate } from '../../../../preload/schemas/containers';
import { VOLUME_NAME_PATTERN } from '../../../../preload/schemas/volumes';
import { splitCommand } from './command';

/** A mode (bridge, host, none) or a user-defined network's name. */
export type Network = string;

/** Ports publish on the bridge and on user networks; host and none have nothing to publish to. */
export function canPublish(network: Network): boolean {
  return network !== 'host' && network !== 'none';
}
export type RestartName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface EnvRow {
  key: string;
  value: string;
}
export interface VolumeRow {
  source: string;
  destination: string;
  readOnly: boolean;
}
/** --mount: a named volume (empty name: anonymous), a host path, or a tmpfs (size in MiB, empty: no limit). */
export interface MountRow {
  type: 'volume' | 'bind' | 'tmpfs';
  source: string;
  target: string;
  readOnly: boolean;
  sizeMiB: string;
}
export interface PortRow {
  hostPort: string;
  containerPort: string;
  protocol: 'tcp' | 'udp';
}
/** --device HOST[:CONTAINER][:rwm]; an empty container path means the host path. */
export interface DeviceRow {
  hostPath: string;
  containerPath: string;
  permissions: string;
}
/** --device-cgroup-rule 'c 1:3 rwm'. */
export interface RuleRow {
  rule: string;
}
/** default: the built-in profile; unconfined: none; profile: a JSON file read in the page, sent as text. */
export type SeccompChoice = 'default' | 'unconfined' | 'profile';

export interface CreateForm {
  image: string;
  name: string;
  command: string;
  env: EnvRow[];
  volumes: VolumeRow[];
  mounts: MountRow[];
  ports: PortRow[];
  network: Network;
  restart: RestartName;
  maxRetries: string;
  tty: boolean;
  openStdin: boolean;
  memoryMiB: string;
  cpus: string;
  cpuset: string;
  pidsMax: string;
  // Security: each field off/empty is the default container.
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  seccomp: SeccompChoice;
  seccompProfile: { name: string; text: string } | null;
  readOnlyRootfs: boolean;
  devices: DeviceRow[];
  deviceCgroupRules: RuleRow[];
  userns: boolean;
}

export function emptyForm(image = ''): CreateForm {
  return {
    image,
    name: '',
    command: '',
    env: [],
    volumes: [],
    mounts: [],
    ports: [],
    network: 'bridge',
    restart: 'no',
    maxRetries: '0',
    tty: false,
    openStdin: false,
    memoryMiB: '',
    cpus: '',
    cpuset: '',
    pidsMax: '',
    privileged: false,
    capAdd: [],
    capDrop: [],
    seccomp: 'default',
    seccompProfile: null,
    readOnlyRootfs: false,
    devices: [],
    deviceCgroupRules: [],
    userns: false,
  };
}

/**
 * What the form gives up against a default container, in words, for the
 * dialog to show as relaxations (and what it adds as hardening).
 */
export function securitySummary(f: CreateForm): { relaxations: string[]; hardening: string[] } {
  const relaxations: string[] = [];
  const hardening: string[] = [];
  if (f.privileged) {
    relaxations.push(
      'privileged: every capability, no seccomp, every device, no masked or read-only /proc paths, a writable /sys',
    );
  } else {
    for (const c of f.capAdd) relaxations.push(c === 'ALL' ? 'adds every capability' : `adds ${c}`);
  }
  if (f.seccomp === 'unconfined') relaxations.push('seccomp off: every system call allowed');
  if (f.seccomp === 'profile')
    relaxations.push(
      `seccomp profile ${f.seccompProfile ? f.seccompProfile.name : '(none chosen)'} instead of the default`,
    );
  for (const d of f.devices)
    if (d.hostPath.trim()) relaxations.push(`device ${d.hostPath.trim()} (${d.permissions.trim() || 'rwm'})`);
  for (const r of f.deviceCgroupRules) if (r.rule.trim()) relaxations.push(`device rule ${r.rule.trim()}`);
  if (!f.privileged) for (const c of f.capDrop) hardening.push(c === 'ALL' ? 'drops every capability' : `drops ${c}`);
  if (f.readOnlyRootfs) hardening.push('read-only root filesystem');
  if (f.userns) hardening.push('user namespace: root inside is an unprivileged host id');
  return { relaxations, hardening };
}

export type CreateRequest = z.output<typeof ContainerCreate>;

/** Field → message. Keys: "image", "name", "command", "env.0", "volumes.1.source", "ports.0.hostPort", "memoryMiB", … */
export type FieldErrors = Record<string, string>;

export type BuildResult = { ok: true; request: CreateRequest } | { ok: false; errors: FieldErrors };

const MiB = 1024 * 1024;

/** Maps a schema issue path to the form field that produced it. */
export function fieldOf(path: readonly PropertyKey[]): string {
  const p = path.map(String).join('.');
  if (p.startsWith('resources.memory')) return 'memoryMiB';
  if (p === 'resources.cpu.cpusetCpus') return 'cpuset';
  if (p.startsWith('resources.cpu')) return 'cpus';
  if (p.startsWith('resources.pids')) return 'pidsMax';
  if (p.startsWith('restart')) return 'maxRetries';
  if (/^security\.(capAdd|capDrop)\b/.test(p)) return p.split('.')[1]!;
  if (p.startsWith('security.seccomp')) return 'seccomp';
  if (/^security\.(devices|deviceCgroupRules)\./.test(p)) return p.slice('security.'.length);
  if (/^env\.\d+$/.test(p)) return p;
  if (/^(command|entrypoint)\b/.test(p)) return 'command';
  return p === '' ? 'form' : p;
}

function num(
  raw: string,
  field: string,
  errors: FieldErrors,
  opts: { integer?: boolean; what?: string } = {},
): number | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) {
    errors[field] = `not a number: "${s}"`;
    return undefined;
  }
  if (opts.integer && !Number.isInteger(n)) {
    errors[field] = `${opts.what ?? 'a whole number'}, not ${s}`;
    return undefined;
  }
  return n;
}

function isBlank(...xs: string[]): boolean {
  return xs.every((x) => x.trim() === '');
}

/** The request the form describes and the schema's verdict on it. */
export function buildRequest(f: CreateForm): BuildResult {
  const errors: FieldErrors = {};
  const req: Record<string, unknown> = {
    image: f.image.trim(),
    network: f.network,
    tty: f.tty,
    openStdin: f.openStdin,
  };

  if (f.name.trim() !== '') req.name = f.name.trim();

  if (f.command.trim() !== '') {
    const cmd = splitCommand(f.command);
    if (cmd.ok) req.command = cmd.args;
    else errors.command = cmd.error;
  }

  // Rows keep their index so a schema message lands on the row it is about.
  const envIdx: number[] = [];
  req.env = f.env.flatMap((r, i) => {
    if (isBlank(r.key, r.value)) return [];
    envIdx.push(i);
    return [`${r.key}=${r.value}`];
  });

  const volIdx: number[] = [];
  req.volumes = f.volumes.flatMap((v, i) => {
    if (isBlank(v.source, v.destination)) return [];
    volIdx.push(i);
    return [{ source: v.source.trim(), destination: v.destination.trim(), readOnly: v.readOnly }];
  });

  const mountIdx: number[] = [];
  req.mounts = f.mounts.flatMap((m, i) => {
    if (isBlank(m.source, m.target)) return [];
    mountIdx.push(i);
    const target = m.target.trim();
    const source = m.source.trim();
    if (m.type === 'tmpfs') {
      const size = num(m.sizeMiB, `mounts.${i}.sizeMiB`, errors);
      return [
        {
          type: 'tmpfs',
          target,
          readOnly: m.readOnly,
          ...(size !== undefined ? { sizeBytes: Math.round(size * MiB) } : {}),
        },
      ];
    }
    if (m.type === 'volume' && source !== '' && !VOLUME_NAME_PATTERN.test(source))
      errors[`mounts.${i}.source`] =
        'a volume name: two or more of letters, digits, _ . -, starting with a letter or digit';
    return [{ type: m.type, source, target, readOnly: m.readOnly }];
  });

  const portIdx: number[] = [];
  if (canPublish(f.network)) {
    req.ports = f.ports.flatMap((p, i) => {
      if (isBlank(p.hostPort, p.containerPort)) return [];
      const hostPort = num(p.hostPort, `ports.${i}.hostPort`, errors, { integer: true, what: 'a port number' });
      const containerPort = num(p.containerPort, `ports.${i}.containerPort`, errors, {
        integer: true,
        what: 'a port number',
      });
      if (p.hostPort.trim() === '') errors[`ports.${i}.hostPort`] = 'a host port';
      if (p.containerPort.trim() === '') errors[`ports.${i}.containerPort`] = 'a container port';
      portIdx.push(i);
      return [{ protocol: p.protocol, hostPort: hostPort ?? 0, containerPort: containerPort ?? 0 }];
    });
  }

  const restart: Record<string, unknown> = { name: f.restart };
  if (f.restart === 'on-failure') {
    const n = num(f.maxRetries, 'maxRetries', errors, { integer: true });
    if (n !== undefined) restart.maxRetries = n;
  }
  req.restart = restart;

  const resources: Record<string, unknown> = {};
  const mem = num(f.memoryMiB, 'memoryMiB', errors);
  if (mem !== undefined) resources.memory = { max: Math.round(mem * MiB) };
  const cpu: Record<string, unknown> = {};
  const cpus = num(f.cpus, 'cpus', errors);
  if (cpus !== undefined) cpu.cpus = cpus;
  if (f.cpuset.trim() !== '') cpu.cpusetCpus = f.cpuset.trim();
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;
  const pids = num(f.pidsMax, 'pidsMax', errors, { integer: true });
  if (pids !== undefined) resources.pids = { max: pids };
  req.resources = resources;

  const devIdx: number[] = [];
  const ruleIdx: number[] = [];
  let seccomp: unknown = f.seccomp;
  if (f.seccomp === 'profile') {
    if (!f.seccompProfile) errors.seccomp = 'choose a profile file (Docker/OCI seccomp JSON)';
    else {
      try {
        JSON.parse(f.seccompProfile.text);
      } catch (e) {
        errors.seccomp = `${f.seccompProfile.name} is not JSON: ${(e as Error).message}`;
      }
      seccomp = { profile: f.seccompProfile.text };
    }
  }
  req.userns = f.userns;
  req.security = {
    privileged: f.privileged,
    capAdd: f.capAdd,
    capDrop: f.capDrop,
    ...(f.seccomp === 'profile' && !f.seccompProfile ? {} : { seccomp }),
    readOnlyRootfs: f.readOnlyRootfs,
    devices: f.devices.flatMap((d, i) => {
      if (isBlank(d.hostPath, d.containerPath)) return [];
      devIdx.push(i);
      const host = d.hostPath.trim();
      return [
        { hostPath: host, containerPath: d.containerPath.trim() || host, permissions: d.permissions.trim() || 'rwm' },
      ];
    }),
    deviceCgroupRules: f.deviceCgroupRules.flatMap((r, i) => {
      if (isBlank(r.rule)) return [];
      ruleIdx.push(i);
      return [r.rule.trim()];
    }),
  };

  const parsed = ContainerCreate.safeParse(req);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, idx, ...rest] = issue.path.map(String);
      // Schema paths index the submitted rows; map them back to the form's rows.
      let path: string[] = issue.path.map(String);
      const back = (rows: number[]) => String(rows[Number(idx)] ?? idx);
      if (head === 'env' && idx !== undefined) path = ['env', back(envIdx), ...rest];
      if (head === 'volumes' && idx !== undefined) path = ['volumes', back(volIdx), ...rest];
      if (head === 'ports' && idx !== undefined) path = ['ports', back(portIdx), ...rest];
      if (head === 'mounts' && idx !== undefined) path = ['mounts', back(mountIdx), ...rest];
      if (head === 'security' && idx === 'devices' && rest[0] !== undefined)
        path = ['security', 'devices', String(devIdx[Number(rest[0])] ?? rest[0]), ...rest.slice(1)];
      if (head === 'security' && idx === 'deviceCgroupRules' && rest[0] !== undefined)
        path = ['security', 'deviceCgroupRules', String(ruleIdx[Number(rest[0])] ?? rest[0])];
      const field = fieldOf(path);
      errors[field] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, request: parsed.data };
}
