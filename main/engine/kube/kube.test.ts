import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ContainerCreate } from '../../../preload/schemas/containers';
import { PodCreate } from '../../../preload/schemas/pods';
import { generateKube, type GenContainer } from './generate';
import { planKube } from './plan';
import {
  bytesQuantity,
  limitsToResources,
  millicoresToWeight,
  parseQuantity,
  resourcesToLimits,
  weightToMillicores,
} from './resources';

const ctr = (name: string, over: Record<string, unknown>, user: GenContainer['user'] = null): GenContainer => ({
  name,
  image: 'docker.io/library/busybox:latest',
  config: ContainerCreate.parse({ image: 'busybox', ...over }),
  user,
});

describe('resources mapping', () => {
  it('memory max/low and cpu quota/weight ↔ limits/requests', () => {
    const { resources, unmapped } = limitsToResources({
      memory: { max: 64 * 2 ** 20, low: 32 * 2 ** 20, high: 100 * 2 ** 20 },
      cpu: { cpus: 0.5, weight: millicoresToWeight(250) },
      pids: { max: 50 },
    });
    expect(resources).toEqual({
      limits: { memory: '64Mi', cpu: '500m' },
      requests: { memory: '32Mi', cpu: `${weightToMillicores(millicoresToWeight(250))}m` },
    });
    expect(unmapped).toEqual(['memory.high', 'pids.max']);
    expect(limitsToResources({ cpu: { quota: { quotaUs: 200_000, periodUs: 100_000 } } }).resources).toEqual({
      limits: { cpu: '2' },
    });
    const back = resourcesToLimits(resources, 'c');
    expect(back.problems).toEqual([]);
    expect(back.limits).toEqual({
      memory: { max: 64 * 2 ** 20, low: 32 * 2 ** 20 },
      cpu: { cpus: 0.5, weight: millicoresToWeight(250) },
    });
  });

  it('quantities: binary, decimal, milli, exponent; malformed is null', () => {
    expect(parseQuantity('64Mi')).toBe(64 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('lots')).toBeNull();
    expect(bytesQuantity(1000)).toBe('1000');
    expect(bytesQuantity(3 * 2 ** 30)).toBe('3Gi');
    // weight → millicores → weight is stable (kubelet shares, runc formula)
    for (const w of [1, 20, 100, 5000, 10000]) expect(millicoresToWeight(weightToMillicores(w))).toBe(w);
  });
});

describe('kube generate', () => {
  const web = ctr(
    'web_1',
    {
      entrypoint: ['/bin/sh', '-c'],
      command: ['httpd -f -p 8080'],
      env: ['FOO=bar', 'EMPTY='],
      workdir: '/srv',
      ports: [{ hostPort: 18080, containerPort: 8080 }],
      volumes: [{ source: '/tmp', destination: '/data', readOnly: true }],
      resources: { memory: { max: 64 * 2 ** 20 }, cpu: { cpus: 0.5 } },
      security: { capAdd: ['net_admin'], capDrop: ['CAP_CHOWN'], readOnlyRootfs: true },
      user: '1000:1000',
      restart: { name: 'always' },
      labels: { tier: 'front', 'bad label!': 'x' },
    },
    { uid: 1000, gid: 1000 },
  );

  it('a container as a Pod that validates against the Kubernetes schema', () => {
    const { object, warnings } = generateKube({ pod: null, containers: [web] }, 'pod');
    new Pod(object as never).validate();
    const spec = object.spec as {
      containers: Array<Record<string, unknown>>;
      volumes: unknown[];
      restartPolicy: string;
    };
    expect((object.metadata as { name: string }).name).toBe('web-1-pod');
    const c = spec.containers[0]!;
    expect(c).toMatchObject({
      name: 'web-1',
      command: ['/bin/sh', '-c'],
      args: ['httpd -f -p 8080'],
      env: [
        { name: 'FOO', value: 'bar' },
        { name: 'EMPTY', value: '' },
      ],
      workingDir: '/srv',
      ports: [{ containerPort: 8080, hostPort: 18080, protocol: 'TCP' }],
      resources: { limits: { memory: '64Mi', cpu: '500m' } },
      volumeMounts: [{ name: 'host-tmp', mountPath: '/data', readOnly: true }],
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] },
        readOnlyRootFilesystem: true,
        seccompProfile: { type: 'RuntimeDefault' },
        runAsUser: 1000,
        runAsGroup: 1000,
        runAsNonRoot: true,
      },
    });
    expect(spec.volumes).toEqual([{ name: 'host-tmp', hostPath: { path: '/tmp', type: 'Directory' } }]);
    expect(spec.restartPolicy).toBe('Always');
    expect(warnings).toEqual(['label bad label!: not a valid Kubernetes label, written as an annotation']);
  });

  it('a pod with two members as a Deployment that validates; unmappable settings are warnings', () => {
    const pod = {
      name: 'shop',
      hostname: 'shop',
      config: PodCreate.parse({
        name: 'shop',
        share: ['net', 'ipc', 'uts', 'pid'],
        ports: [{ hostPort: 8080, containerPort: 80 }],
        resources: { memory: { max: 2 ** 30 } },
      }),
    };
    const db = ctr('db', { resources: { pids: { max: 100 } }, security: { seccomp: 'unconfined' } });
    const { object, warnings } = generateKube({ pod, containers: [web, db] }, 'deployment');
    new Deployment(object as never).validate();
    const tpl = (object.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(tpl.shareProcessNamespace).toBe(true);
    expect(tpl.hostname).toBe('shop');
    const containers = tpl.containers as Array<Record<string, unknown>>;
    expect(containers.map((c) => c.name)).toEqual(['web-1', 'db']);
    expect(containers[0]!.ports).toEqual([{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }]);
    expect(containers[1]!.ports).toBeUndefined();
    expect((containers[1]!.securityContext as { seccompProfile: unknown }).seccompProfile).toEqual({
      type: 'Unconfined',
    });
    expect(warnings).toContain('db: the pids.max limit has no Kubernetes resource: not written');
    expect(warnings).toContain(
      "pod shop: the pod's own cgroup limits have no field in a Pod (only per container): not written",
    );
  });

  it('a named volume (the volumes feature) becomes a persistentVolumeClaim', () => {
    const c = ctr('app', {});
    c.config.mounts = [
      { type: 'volume', source: 'data', target: '/var/lib/app', readOnly: false, noCopy: false },
      { type: 'tmpfs', target: '/scratch', readOnly: false },
    ];
    const { object } = generateKube({ pod: null, containers: [c] }, 'pod');
    new Pod(object as never).validate();
    expect((object.spec as { volumes: unknown[] }).volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'tmp-scratch', emptyDir: { medium: 'Memory' } },
    ]);
  });
});

describe('kube play: the plan', () => {
  it('a Deployment with a ConfigMap and a PVC: pod <name>-pod, env from the map, the claim bound', () => {
    const text = `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {MODE: prod, LEVEL: "3"}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: store}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: srv
        image: busybox
        command: [sleep]
        args: ["600"]
        envFrom: [{configMapRef: {name: cfg}}]
        env:
        - {name: ONE, valueFrom: {configMapKeyRef: {name: cfg, key: LEVEL}}}
        - {name: TWO, value: "2"}
        ports: [{containerPort: 80, hostPort: 8081}, {containerPort: 9090}]
        resources: {limits: {memory: 128Mi, cpu: "1"}, requests: {cpu: 100m, "nvidia.com/gpu": 1}}
        volumeMounts: [{name: data, mountPath: /data}]
        livenessProbe: {exec: {command: [true]}}
        securityContext: {capabilities: {drop: [CAP_NET_RAW]}, runAsUser: 1000}
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: store}}
---
apiVersion: v1
kind: Service
metadata: {name: api}
`;
    const plan = planKube(text);
    expect(plan.claims).toEqual(['store']);
    expect(plan.pods).toHaveLength(1);
    const p = plan.pods[0]!;
    expect(p.name).toBe('api-pod');
    expect(p.request.ports).toEqual([{ hostPort: 8081, containerPort: 80, protocol: 'tcp' }]);
    const c = p.containers[0]!;
    expect(c.name).toBe('api-pod-srv');
    expect(c.request).toMatchObject({
      entrypoint: ['sleep'],
      command: ['600'],
      env: ['MODE=prod', 'LEVEL=3', 'ONE=3', 'TWO=2'],
      user: '1000',
      volumes: [],
      mounts: [{ type: 'volume', source: 'store', target: '/data', readOnly: false }],
      resources: { memory: { max: 128 * 2 ** 20 }, cpu: { cpus: 1, weight: millicoresToWeight(100) } },
      security: { capDrop: ['NET_RAW'], capAdd: [] },
      restart: { name: 'always' },
    });
    // Each request is one the engine takes.
    ContainerCreate.parse({ ...c.request, pod: 'x' });
    PodCreate.parse(p.request);
    expect(plan.warnings).toEqual([
      'Deployment/api.spec.replicas: 3: Berth runs one replica',
      'Deployment/api.spec.template.spec.containers[0].livenessProbe: not supported by Berth, ignored',
      'Deployment/api.spec.template.spec.containers[0].resources.requests.nvidia.com/gpu: not supported (only memory and cpu), ignored',
      'Service/api: kind Service is not supported, skipped',
    ]);
  });

  it('bad input: not YAML, no kind, missing ConfigMap, a mount of no volume', () => {
    const code = (t: string): string => {
      try {
        planKube(t);
        return 'none';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    expect(code('a: [')).toBe('KUBE_YAML_INVALID');
    expect(code('apiVersion: v1\nmetadata: {name: x}\n')).toBe('KUBE_YAML_INVALID');
    const pod = (extra: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n${extra}`;
    expect(code(pod('    envFrom: [{configMapRef: {name: nope}}]\n'))).toBe('KUBE_REF_MISSING');
    expect(code(pod('    volumeMounts: [{name: v, mountPath: /v}]\n'))).toBe('KUBE_YAML_INVALID');
    expect(code(pod('    securityContext: {capabilities: {add: ["bad cap"]}}\n'))).toBe('KUBE_YAML_INVALID');
  });

  it("plays podman's own generated YAML without warnings for podman's no-op fields", () => {
    const text = `
apiVersion: v1
kind: Pod
metadata:
  annotations: {io.podman.annotations.autoremove/gen1: "FALSE"}
  creationTimestamp: "2026-12-07T13:59:28Z"
  labels: {app: gen1-pod}
  name: gen1-pod
spec:
  automountServiceAccountToken: false
  containers:
  - command: [sleep, "600"]
    env: [{name: FOO, value: bar}]
    image: localhost/busybox:latest
    name: gen1
    ports: [{containerPort: 8080, hostPort: 18080}]
    resources: {limits: {cpu: 500m, memory: 64Mi}}
    securityContext:
      capabilities: {add: [CAP_NET_ADMIN], drop: [CAP_CHOWN]}
      readOnlyRootFilesystem: true
    volumeMounts: [{mountPath: /tmp, name: tmpfs-host-1}]
  enableServiceLinks: false
  volumes:
  - {hostPath: {path: tmpfs, type: DirectoryOrCreate}, name: tmpfs-host-1}
`;
    const plan = planKube(text);
    expect(plan.warnings).toEqual([
      'Pod/gen1-pod.spec.volumes[0].hostPath.path: "tmpfs" is not an absolute host path, volume tmpfs-host-1 ignored',
    ]);
    const c = plan.pods[0]!.containers[0]!.request;
    expect(c).toMatchObject({
      entrypoint: ['sleep', '600'],
      security: { capAdd: ['NET_ADMIN'], capDrop: ['CHOWN'], readOnlyRootfs: true },
    });
    expect(parse(text)).toBeTruthy();
  });
});
