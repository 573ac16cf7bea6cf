/**
 * Dependency order of services: each after everything it depends_on, file
 * order otherwise. A cycle is COMPOSE_DEPENDENCY_CYCLE naming its services.
 */
import { BerthError } from '../../../preload/errors';

export function orderServices<S extends { name: string; dependsOn: Array<{ service: string }> }>(services: S[]): S[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: S[] = [];
  const visit = (s: S, stack: string[]): void => {
    if (done.has(s.name)) return;
    const at = stack.indexOf(s.name);
    if (at >= 0)
      throw new BerthError(
        'COMPOSE_DEPENDENCY_CYCLE',
        `depends_on forms a cycle: ${[...stack.slice(at), s.name].join(' -> ')}`,
      );
    for (const d of s.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep, [...stack, s.name]);
    }
    done.add(s.name);
    out.push(s);
  };
  for (const s of services) visit(s, []);
  return out;
}
