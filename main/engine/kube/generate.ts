/**
 * `berth kube generate`: a container or a pod as a Kubernetes Pod or
 * Deployment. Pure: it reads the records' configs (containers' create
 * requests, the pod's) and writes plain objects; the caller serialises them
 * with `yaml`. What Kubernetes cannot say is a warning naming the setting.
 *
 *   limits                 → resources (resources.ts has the mapping)
 *   ports (the pod's, or a lone container's) → containers[0].ports with hostPort
 *   env, entrypoint, cmd   → env, command, args (docker's Entrypoint/Cmd = command/args)
 *   binds                  → hostPath volumes; named volumes → persistentVolumeClaim
 *   cap-add/cap-drop, privileged, read-only, seccomp, user
 *                          → securityContext (allowPrivilegeEscalation false: Berth
 *                            always sets no_new_privs)
 *   restart policy         → restartPolicy; pod hostname, shared pid → hostname,
 *                            shareProcessNamespace
 */
import fs from 'node:fs';
import type { ContainerCreateT } from '../../../preload/schemas/containers';
import type { PodCreateT } from '../../../preload/schemas/pods';
import type { Limits } from '../../../preload/schemas/resources';
import { dnsLabel, validLabel } from './names';
import { limitsToResources } from './resources';

export interface GenContainer {
  name: string;
  image: string;
  config: ContainerCreateT;
  /** The user the container runs as (resolved at create), when one was asked for. */
  user: { uid: number; gid: number } | null;
}

export interface GenPod {
  name: string;
  hostname: string;
  config: PodCreateT;
}

export type KubeObject = Record<string, unknown>;

const RESTART: Record<string, string> = {
  no: 'Never',
  'on-failure': 'OnFailure',
  always: 'Always',
  'unless-stopped': 'Always',
};

/** A -v bind as stored (named volumes and tmpfs are config.mounts). */
interface StoredMount {
  source: string;
  destination: string;
  readOnly: boolean;
}

function hostPathType(p: string): string {
  try {
    return fs.statSync(p).isDirectory() ? 'Directory' : 'File';
  } catch {
    return 'DirectoryOrCreate'; // gone since: let the node make a directory
  }
}

function securityContext(c: GenContainer, w: (m: string) => void): KubeObject {
  const sec = c.config.security;
  const ctx: KubeObject = { allowPrivilegeEscalation: false };
  if (sec.privileged) ctx.privileged = true;
  const norm = (n: string): string => n.toUpperCase().replace(/^CAP_/, '');
  const caps: KubeObject = {};
  if (sec.capAdd.length) caps.add = sec.capAdd.map(norm);
  if (sec.capDrop.length) caps.drop = sec.capDrop.map(norm);
  if (Object.keys(caps).length) ctx.capabilities = caps;
  if (sec.readOnlyRootfs) ctx.readOnlyRootFilesystem = true;
  if (sec.seccomp === 'unconfined') ctx.seccompProfile = { type: 'Unconfined' };
  else if (sec.seccomp === 'default') ctx.seccompProfile = { type: 'RuntimeDefault' };
  else {
    ctx.seccompProfile = { type: 'Localhost', localhostProfile: `berth/${dnsLabel(c.name)}.json` };
    w(
      `${c.name}: a custom seccomp profile is written as Localhost berth/${dnsLabel(c.name)}.json: copy the profile to the node's seccomp directory`,
    );
  }
  if (c.user) {
    ctx.runAsUser = c.user.uid;
    ctx.runAsGroup = c.user.gid;
    if (c.user.uid !== 0) ctx.runAsNonRoot = true;
  }
  if (sec.devices.length) w(`${c.name}: --device has no Kubernetes field (use a device plugin): not written`);
  if (sec.deviceCgroupRules.length) w(`${c.name}: --device-cgroup-rule has no Kubernetes field: not written`);
  return ctx;
}

function container(
  c: GenContainer,
  ports: ContainerCreateT['ports'],
  volumes: Map<string, KubeObject>,
  w: (m: string) => void,
): KubeObject {
  const cfg = c.config;
  const out: KubeObject = { name: dnsLabel(c.name), image: c.image };
  if (cfg.entrypoint) out.command = cfg.entrypoint;
  if (cfg.command) out.args = cfg.command;
  if (cfg.workdir) out.workingDir = cfg.workdir;
  if (cfg.env.length)
    out.env = cfg.env.map((e) => {
      const eq = e.indexOf('=');
      return { name: e.slice(0, eq), value: e.slice(eq + 1) };
    });
  if (ports.length)
    out.ports = ports.map((p) => ({
      containerPort: p.containerPort,
      hostPort: p.hostPort,
      protocol: p.protocol.toUpperCase(),
    }));
  const { resources, unmapped } = limitsToResources(cfg.resources as Limits);
  if (Object.keys(resources).length) out.resources = resources;
  for (const u of unmapped) w(`${c.name}: the ${u} limit has no Kubernetes resource: not written`);
  const mounts: KubeObject[] = [];
  for (const v of cfg.volumes as StoredMount[]) {
    const volName = dnsLabel(`host${v.source.replace(/\//g, '-')}`, 'host');
    if (!volumes.has(volName))
      volumes.set(volName, { name: volName, hostPath: { path: v.source, type: hostPathType(v.source) } });
    mounts.push({ name: volName, mountPath: v.destination, ...(v.readOnly ? { readOnly: true } : {}) });
  }
  // --mount / -v NAME:/path entries: named volumes are claims, binds host paths, tmpfs an emptyDir in memory.
  for (const m of cfg.mounts ?? []) {
    let volName: string;
    if (m.type === 'volume') {
      volName = dnsLabel(m.source);
      if (!volumes.has(volName)) volumes.set(volName, { name: volName, persistentVolumeClaim: { claimName: volName } });
    } else if (m.type === 'bind') {
      volName = dnsLabel(`host${m.source.replace(/\//g, '-')}`, 'host');
      if (!volumes.has(volName))
        volumes.set(volName, { name: volName, hostPath: { path: m.source, type: hostPathType(m.source) } });
    } else {
      volName = dnsLabel(`tmp${m.target.replace(/\//g, '-')}`, 'tmp');
      if (!volumes.has(volName)) volumes.set(volName, { name: volName, emptyDir: { medium: 'Memory' } });
    }
    mounts.push({ name: volName, mountPath: m.target, ...('readOnly' in m && m.readOnly ? { readOnly: true } : {}) });
  }
  if (mounts.length) out.volumeMounts = mounts;
  out.securityContext = securityContext(c, w);
  if (cfg.tty) out.tty = true;
  if (cfg.openStdin) out.stdin = true;
  if (cfg.userns) w(`${c.name}: --userns is written as hostUsers: false (a pod-level field)`);
  if (cfg.timens) w(`${c.name}: --timens has no Kubernetes field: not written`);
  return out;
}

function metadata(name: string, labels: Record<string, string>, w: (m: string) => void): KubeObject {
  const ok: Record<string, string> = { app: name };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (validLabel(k, v)) ok[k] = v;
    else {
      annotations[k] = v;
      w(`label ${k}: not a valid Kubernetes label, written as an annotation`);
    }
  }
  return { name, labels: ok, ...(Object.keys(annotations).length ? { annotations } : {}) };
}

/**
 * A Pod (or a Deployment of one replica around its template) for one
 * container (pod name `<container>-pod`, as podman names it) or for a pod
 * and its members.
 */
export function generateKube(
  input: { pod: GenPod | null; containers: GenContainer[] },
  type: 'pod' | 'deployment',
): { object: KubeObject; warnings: string[] } {
  const warnings: string[] = [];
  const w = (m: string): void => {
    warnings.push(m);
  };
  const { pod, containers } = input;
  const name = dnsLabel(pod ? pod.name : `${containers[0]?.name ?? 'berth'}-pod`);
  const volumes = new Map<string, KubeObject>();
  const spec: KubeObject = {};
  if (pod) {
    if (containers.length === 0) w(`pod ${pod.name} has no containers: Kubernetes needs at least one`);
    spec.containers = containers.map((c, i) => container(c, i === 0 ? pod.config.ports : [], volumes, w));
    spec.hostname = dnsLabel(pod.hostname);
    if (pod.config.share.includes('pid')) spec.shareProcessNamespace = true;
    if (pod.config.network === 'none') w(`pod ${pod.name}: --network none has no Kubernetes field: not written`);
    const { resources, unmapped } = limitsToResources(pod.config.resources as Limits);
    if (Object.keys(resources).length || unmapped.length)
      w(`pod ${pod.name}: the pod's own cgroup limits have no field in a Pod (only per container): not written`);
  } else {
    const c = containers[0]!;
    spec.containers = [container(c, c.config.ports, volumes, w)];
    if (c.config.hostname) spec.hostname = dnsLabel(c.config.hostname);
    if (c.config.network === 'host') spec.hostNetwork = true;
    if (c.config.network === 'none') w(`${c.name}: --network none has no Kubernetes field: not written`);
  }
  if (containers.some((c) => c.config.userns)) spec.hostUsers = false;
  const policies = new Set(containers.map((c) => RESTART[c.config.restart.name] ?? 'Never'));
  const restart = policies.size === 1 ? [...policies][0]! : 'Always';
  if (policies.size > 1) w(`the containers' restart policies differ: written as Always (one per pod in Kubernetes)`);
  spec.restartPolicy = type === 'deployment' ? 'Always' : restart;
  if (type === 'deployment' && restart !== 'Always')
    w(`a Deployment's pods always restart: restartPolicy ${restart} is written as Always`);
  if (volumes.size) spec.volumes = [...volumes.values()];
  const labels = pod ? pod.config.labels : (containers[0]?.config.labels ?? {});
  const meta = metadata(name, labels, w);
  if (type === 'pod') return { object: { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec }, warnings };
  const depName = pod ? name : dnsLabel(containers[0]?.name ?? 'berth');
  return {
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { ...meta, name: depName, labels: { app: name } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: meta, spec },
      },
    },
    warnings,
  };
}
