/**
 * Kubernetes YAML: `berth kube generate` writes a Pod or Deployment from a
 * container or pod (limits become resources, see engine/kube/resources.ts);
 * `kube play` runs Pods, Deployments (one replica), ConfigMaps (as env) and
 * PersistentVolumeClaims locally as Berth pods; `kube down` removes them. The
 * YAML crosses the line as text (the CLI reads the file as the user).
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';

const Ref = lazy(() =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a container or pod id or name'),
);

const YamlText = lazy(() =>
  z
    .string()
    .min(1)
    .max(4 * 1024 * 1024),
);

export const KubePlayedPod = lazy(() =>
  z.object({
    /** The Berth pod (the Kubernetes Pod's name, or `<deployment>-pod`). */
    pod: z.string(),
    id: z.string(),
    containers: z.array(z.string()),
  }),
);

export const kubeMethods = {
  'kube.generate': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          /** A container or a pod (pods are looked up first). */
          ref: Ref,
          type: z.enum(['pod', 'deployment']).default('pod'),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ yaml: z.string(), warnings: z.array(z.string()) })),
    summary: 'Kubernetes YAML (Pod or Deployment) for a container or pod',
  }),
  'kube.play': method({
    where: 'helper',
    params: lazy(() => z.object({ yaml: YamlText, start: z.boolean().default(true) }).strict()),
    result: lazy(() =>
      z.object({ pods: z.array(KubePlayedPod), volumes: z.array(z.string()), warnings: z.array(z.string()) }),
    ),
    summary: 'Run the Pods and Deployments of a YAML file as Berth pods (ConfigMaps as env, PVCs as volumes)',
  }),
  'kube.down': method({
    where: 'helper',
    params: lazy(() => z.object({ yaml: YamlText }).strict()),
    result: lazy(() => z.object({ removed: z.array(z.string()), warnings: z.array(z.string()) })),
    summary: 'Remove the pods a YAML file made with kube play',
  }),
} as const;

/** Error codes of the Kubernetes YAML feature. */
export const kubeErrorCodes = [
  'KUBE_YAML_INVALID', // not YAML, or a document without apiVersion/kind/metadata.name, or of the wrong shape
  'KUBE_NOTHING_TO_PLAY', // no Pod or Deployment in the file
  'KUBE_REF_MISSING', // a ConfigMap or key an env var names is not in the file
] as const;
