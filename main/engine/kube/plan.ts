/**
 * `berth kube play`, the pure half: YAML text → the Berth pods and
 * containers to make. Pods and Deployments (one replica: `<name>-pod`, as
 * podman names it) become pods; ConfigMaps feed env/envFrom;
 * PersistentVolumeClaims become volumes (planVolume decides where). Every
 * field that is not understood is a warning naming its path; nothing is
 * dropped silently. Fields that mean nothing on one machine and that podman
 * writes with a value that asks for nothing (automountServiceAccountToken:
 * false, enableServiceLinks: false) pass without one.
 */
import { parseAllDocuments } from 'yaml';
import { BerthError } from '../../../preload/errors';
import type { Limits } from '../../../preload/schemas/resources';
import { dnsLabel } from './names';
import { resourcesToLimits, type KubeResources } from './resources';

type Obj = Record<string, unknown>;

export interface PlannedContainer {
  /** `<pod>-<container>` (podman's naming). */
  name: string;
  request: {
    image: string;
    name: string;
    entrypoint?: string[];
    command?: string[];
    env: string[];
    workdir?: string;
    user?: string;
    volumes: Array<{ source: string; destination: string; readOnly: boolean }>;
    mounts: Array<{ type: 'volume'; source: string; target: string; readOnly: boolean }>;
    tty: boolean;
    openStdin: boolean;
    restart: { name: 'no' | 'on-failure' | 'always'; maxRetries: number };
    security: {
      privileged: boolean;
      capAdd: string[];
      capDrop: string[];
      seccomp: 'default' | 'unconfined';
      readOnlyRootfs: boolean;
    };
    resources: Limits;
    labels: Record<string, string>;
  };
}

export interface PlannedPod {
  name: string;
  request: {
    name: string;
    share: Array<'net' | 'ipc' | 'uts' | 'pid'>;
    ports: Array<{ hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }>;
    hostname?: string;
    labels: Record<string, string>;
  };
  containers: PlannedContainer[];
}

export interface KubePlan {
  pods: PlannedPod[];
  /** PersistentVolumeClaim names the file declares or uses. */
  claims: string[];
  warnings: string[];
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function bad(where: string, what: string): never {
  throw new BerthError('KUBE_YAML_INVALID', `${where}: ${what}`);
}

/** Warn about each key of o outside `known` (and the no-op keys with their no-op value). */
function unknownKeys(o: Obj, known: readonly string[], where: string, w: (m: string) => void, noop: Obj = {}): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    if (k in noop && o[k] === noop[k]) continue;
    w(`${where}.${k}: not supported by Berth, ignored`);
  }
}

const POD_SPEC_KEYS = [
  'containers',
  'volumes',
  'hostname',
  'restartPolicy',
  'shareProcessNamespace',
  'securityContext',
  'hostUsers',
] as const;
const CONTAINER_KEYS = [
  'name',
  'image',
  'command',
  'args',
  'env',
  'envFrom',
  'workingDir',
  'ports',
  'resources',
  'volumeMounts',
  'securityContext',
  'tty',
  'stdin',
  'imagePullPolicy',
] as const;
const SECURITY_KEYS = [
  'allowPrivilegeEscalation',
  'privileged',
  'capabilities',
  'readOnlyRootFilesystem',
  'seccompProfile',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
] as const;

interface Ctx {
  configMaps: Map<string, Record<string, string>>;
  claims: Set<string>;
  w: (m: string) => void;
}

function capName(n: unknown, where: string): string {
  const s = str(n);
  if (!s || !/^(CAP_)?[A-Za-z_]+$/i.test(s)) bad(where, `${JSON.stringify(n)} is not a capability name`);
  return s.toUpperCase().replace(/^CAP_/, '');
}

function security(
  sc: Obj,
  where: string,
  c: Ctx,
): { sec: PlannedContainer['request']['security']; uid?: number; gid?: number } {
  unknownKeys(sc, SECURITY_KEYS, where, c.w);
  const caps = isObj(sc.capabilities) ? sc.capabilities : {};
  if (isObj(sc.capabilities)) unknownKeys(caps, ['add', 'drop'], `${where}.capabilities`, c.w);
  if (sc.allowPrivilegeEscalation === true)
    c.w(`${where}.allowPrivilegeEscalation: true is not granted (Berth always sets no_new_privs)`);
  let seccomp: 'default' | 'unconfined' = 'default';
  if (isObj(sc.seccompProfile)) {
    const t = sc.seccompProfile.type;
    if (t === 'Unconfined') seccomp = 'unconfined';
    else if (t === 'Localhost')
      c.w(`${where}.seccompProfile: Localhost profiles are not read from the node; the default profile applies`);
    else if (t !== 'RuntimeDefault') bad(`${where}.seccompProfile.type`, `unknown type ${JSON.stringify(t)}`);
  }
  const num = (v: unknown, k: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(`${where}.${k}`, 'must be a non-negative integer');
    return v;
  };
  const uid = num(sc.runAsUser, 'runAsUser');
  const gid = num(sc.runAsGroup, 'runAsGroup');
  return {
    sec: {
      privileged: sc.privileged === true,
      capAdd: arr(caps.add).map((n, i) => capName(n, `${where}.capabilities.add[${i}]`)),
      capDrop: arr(caps.drop).map((n, i) => capName(n, `${where}.capabilities.drop[${i}]`)),
      seccomp,
      readOnlyRootfs: sc.readOnlyRootFilesystem === true,
    },
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
  };
}

function envOf(k: Obj, where: string, c: Ctx): string[] {
  const env: string[] = [];
  arr(k.envFrom).forEach((e, i) => {
    const at = `${where}.envFrom[${i}]`;
    if (!isObj(e)) bad(at, 'must be an object');
    unknownKeys(e, ['configMapRef', 'prefix'], at, c.w);
    const ref = isObj(e.configMapRef) ? str(e.configMapRef.name) : undefined;
    if (!ref) return;
    const cm = c.configMaps.get(ref);
    if (!cm) {
      if (isObj(e.configMapRef) && e.configMapRef.optional === true) return;
      throw new BerthError('KUBE_REF_MISSING', `${at}: ConfigMap ${ref} is not in the file`);
    }
    for (const [key, v] of Object.entries(cm)) env.push(`${str(e.prefix) ?? ''}${key}=${v}`);
  });
  arr(k.env).forEach((e, i) => {
    const at = `${where}.env[${i}]`;
    if (!isObj(e) || !str(e.name)) bad(at, 'needs a name');
    unknownKeys(e, ['name', 'value', 'valueFrom'], at, c.w);
    const name = str(e.name)!;
    if (e.value !== undefined) {
      env.push(`${name}=${String(e.value)}`);
      return;
    }
    if (!isObj(e.valueFrom)) {
      env.push(`${name}=`);
      return;
    }
    const ref = e.valueFrom.configMapKeyRef;
    if (!isObj(ref)) {
      c.w(`${at}.valueFrom: only configMapKeyRef is supported, ${name} left unset`);
      return;
    }
    const cm = c.configMaps.get(str(ref.name) ?? '');
    const v = cm?.[str(ref.key) ?? ''];
    if (v === undefined) {
      if (ref.optional === true) return;
      throw new BerthError(
        'KUBE_REF_MISSING',
        `${at}: ConfigMap key ${String(ref.name)}/${String(ref.key)} is not in the file`,
      );
    }
    env.push(`${name}=${v}`);
  });
  return env;
}

function planPod(meta: Obj, spec: Obj, podName: string, where: string, c: Ctx): PlannedPod {
  unknownKeys(spec, POD_SPEC_KEYS, where, c.w, {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
  });
  // A pod volume is a host path (a bind) or a claim (the named volume of that name).
  const volumes = new Map<string, { bind: string } | { claim: string } | null>();
  arr(spec.volumes).forEach((v, i) => {
    const at = `${where}.volumes[${i}]`;
    if (!isObj(v) || !str(v.name)) bad(at, 'needs a name');
    const name = str(v.name)!;
    if (isObj(v.hostPath)) {
      const p = str(v.hostPath.path) ?? '';
      if (!p.startsWith('/')) {
        // podman writes its --read-only tmpfs dirs as hostPath "tmpfs": Berth's read-only root makes them itself.
        c.w(`${at}.hostPath.path: ${JSON.stringify(p)} is not an absolute host path, volume ${name} ignored`);
        volumes.set(name, null);
      } else volumes.set(name, { bind: p });
    } else if (isObj(v.persistentVolumeClaim) && str(v.persistentVolumeClaim.claimName)) {
      const claim = dnsLabel(str(v.persistentVolumeClaim.claimName)!);
      c.claims.add(claim);
      volumes.set(name, { claim });
    } else {
      c.w(`${at}: only hostPath and persistentVolumeClaim volumes are supported, volume ${name} ignored`);
      volumes.set(name, null);
    }
  });
  const podSec = isObj(spec.securityContext) ? spec.securityContext : {};
  if (isObj(spec.securityContext))
    unknownKeys(podSec, ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seccompProfile'], `${where}.securityContext`, c.w);
  if (spec.hostUsers === false) c.w(`${where}.hostUsers: false is not supported for pod members, ignored`);
  const restart = str(spec.restartPolicy) ?? 'Always';
  const restartName = restart === 'Never' ? 'no' : restart === 'OnFailure' ? 'on-failure' : 'always';
  const labels: Record<string, string> = {};
  if (isObj(meta.labels)) for (const [k, v] of Object.entries(meta.labels)) labels[k] = String(v);
  const ports: PlannedPod['request']['ports'] = [];
  const containers = arr(spec.containers);
  if (containers.length === 0) bad(`${where}.containers`, 'a pod needs at least one container');
  const planned = containers.map((k, i): PlannedContainer => {
    const at = `${where}.containers[${i}]`;
    if (!isObj(k)) bad(at, 'must be an object');
    unknownKeys(k, CONTAINER_KEYS, at, c.w);
    const cname = str(k.name);
    const image = str(k.image);
    if (!cname) bad(`${at}.name`, 'is required');
    if (!image) bad(`${at}.image`, 'is required');
    if (k.imagePullPolicy === 'Always')
      c.w(`${at}.imagePullPolicy: Always: Berth uses the local image, it does not pull`);
    arr(k.ports).forEach((p, j) => {
      if (!isObj(p) || typeof p.containerPort !== 'number') bad(`${at}.ports[${j}]`, 'needs a containerPort');
      unknownKeys(p, ['containerPort', 'hostPort', 'protocol', 'name'], `${at}.ports[${j}]`, c.w);
      if (typeof p.hostPort !== 'number') return; // not published, as with podman: reachable inside the pod only
      const proto = (str(p.protocol) ?? 'TCP').toLowerCase();
      if (proto !== 'tcp' && proto !== 'udp')
        bad(`${at}.ports[${j}].protocol`, `${String(p.protocol)} is not TCP or UDP`);
      ports.push({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: proto });
    });
    const binds: Array<{ source: string; destination: string; readOnly: boolean }> = [];
    const claimMounts: Array<{ type: 'volume'; source: string; target: string; readOnly: boolean }> = [];
    arr(k.volumeMounts).forEach((m, j) => {
      const mat = `${at}.volumeMounts[${j}]`;
      if (!isObj(m) || !str(m.name) || !str(m.mountPath)) bad(mat, 'needs a name and a mountPath');
      unknownKeys(m, ['name', 'mountPath', 'readOnly'], mat, c.w);
      const v = volumes.get(str(m.name)!);
      if (v === undefined) bad(mat, `no volume named ${String(m.name)} in the pod`);
      if (v === null) return;
      const readOnly = m.readOnly === true;
      if ('bind' in v) binds.push({ source: v.bind, destination: str(m.mountPath)!, readOnly });
      else claimMounts.push({ type: 'volume', source: v.claim, target: str(m.mountPath)!, readOnly });
    });
    const s = security(
      { ...podSec, ...(isObj(k.securityContext) ? k.securityContext : {}) },
      `${at}.securityContext`,
      c,
    );
    const { limits, problems } = resourcesToLimits(isObj(k.resources) ? (k.resources as KubeResources) : undefined, at);
    for (const p of problems) c.w(p);
    const command = arr(k.command).map(String);
    const args = arr(k.args).map(String);
    return {
      name: `${podName}-${cname}`,
      request: {
        image: image!,
        name: `${podName}-${cname}`,
        ...(k.command !== undefined ? { entrypoint: command } : {}),
        ...(k.args !== undefined ? { command: args } : {}),
        env: envOf(k, at, c),
        ...(str(k.workingDir) ? { workdir: str(k.workingDir) } : {}),
        ...(s.uid !== undefined ? { user: s.gid !== undefined ? `${s.uid}:${s.gid}` : String(s.uid) } : {}),
        volumes: binds,
        mounts: claimMounts,
        tty: k.tty === true,
        openStdin: k.stdin === true,
        restart: { name: restartName, maxRetries: 0 },
        security: s.sec,
        resources: limits,
        labels: { ...labels, 'io.berth.kube.pod': podName },
      },
    };
  });
  return {
    name: podName,
    request: {
      name: podName,
      share: spec.shareProcessNamespace === true ? ['net', 'ipc', 'uts', 'pid'] : ['net', 'ipc', 'uts'],
      ports,
      ...(str(spec.hostname) ? { hostname: str(spec.hostname) } : {}),
      labels: { ...labels, 'io.berth.kube': 'play' },
    },
    containers: planned,
  };
}

export function planKube(text: string): KubePlan {
  const warnings: string[] = [];
  const w = (m: string): void => {
    warnings.push(m);
  };
  const docs = parseAllDocuments(text);
  const objs: Array<{ o: Obj; where: string }> = [];
  (Array.isArray(docs) ? docs : [docs]).forEach((d, i) => {
    if (d.errors.length) bad(`document ${i + 1}`, `not YAML: ${d.errors[0]!.message}`);
    const o: unknown = d.toJS();
    if (o === null || o === undefined) return;
    if (!isObj(o)) bad(`document ${i + 1}`, 'must be a mapping');
    const kind = str(o.kind);
    const name = isObj(o.metadata) ? str(o.metadata.name) : undefined;
    if (!kind || !str(o.apiVersion) || !name) bad(`document ${i + 1}`, 'needs apiVersion, kind and metadata.name');
    objs.push({ o, where: `${kind}/${name}` });
  });
  const c: Ctx = { configMaps: new Map(), claims: new Set(), w };
  for (const { o, where } of objs) {
    if (o.kind === 'ConfigMap') {
      const data: Record<string, string> = {};
      if (isObj(o.data)) for (const [k, v] of Object.entries(o.data)) data[k] = String(v);
      if (o.binaryData !== undefined) w(`${where}.binaryData: not supported, ignored`);
      c.configMaps.set(str((o.metadata as Obj).name)!, data);
    } else if (o.kind === 'PersistentVolumeClaim') {
      c.claims.add(dnsLabel(str((o.metadata as Obj).name)!));
      if (isObj(o.spec) && o.spec.storageClassName !== undefined)
        w(`${where}.spec.storageClassName: claims are local named volumes here, ignored`);
    }
  }
  const pods: PlannedPod[] = [];
  for (const { o, where } of objs) {
    const meta = o.metadata as Obj;
    const name = dnsLabel(str(meta.name)!);
    if (o.kind === 'Pod') {
      if (!isObj(o.spec)) bad(where, 'needs a spec');
      pods.push(planPod(meta, o.spec, name, `${where}.spec`, c));
    } else if (o.kind === 'Deployment') {
      const spec = isObj(o.spec) ? o.spec : bad(where, 'needs a spec');
      unknownKeys(spec, ['replicas', 'selector', 'template', 'strategy'], `${where}.spec`, w);
      if (typeof spec.replicas === 'number' && spec.replicas !== 1)
        w(`${where}.spec.replicas: ${spec.replicas}: Berth runs one replica`);
      const tpl =
        isObj(spec.template) && isObj(spec.template.spec) ? spec.template : bad(where, 'needs spec.template.spec');
      const tmeta = isObj(tpl.metadata) ? tpl.metadata : {};
      pods.push(planPod(tmeta, tpl.spec as Obj, `${name}-pod`, `${where}.spec.template.spec`, c));
    } else if (o.kind !== 'ConfigMap' && o.kind !== 'PersistentVolumeClaim') {
      w(`${where}: kind ${String(o.kind)} is not supported, skipped`);
    }
  }
  return { pods, claims: [...c.claims], warnings };
}
