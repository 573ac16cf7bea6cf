/** The helper's kube feature: Kubernetes YAML generated from and played onto the engine (engine/kube). */
import type { HandlersFor, HelperServices } from '../handlers';
import { downYaml, generateYaml, playYaml, type KubeDeps } from '../../../engine/kube/service';
import { engineFor } from './containers';

type KubeMethod = 'kube.generate' | 'kube.play' | 'kube.down';

export function kubeHandlers(s: HelperServices): HandlersFor<KubeMethod> {
  const deps = async (): Promise<KubeDeps> => {
    const e = await engineFor(s);
    return { dataRoot: s.facts.dataRoot, pods: e.pods, containers: e.manager, volumes: e.volumes };
  };
  return {
    'kube.generate': async (p) => generateYaml(await deps(), p.ref, p.type),
    'kube.play': async (p) => playYaml(await deps(), p.yaml, p.start),
    'kube.down': async (p) => downYaml(await deps(), p.yaml),
  };
}
