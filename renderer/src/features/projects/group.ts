/**
 * Containers, networks and volumes grouped by compose project, from their
 * labels (labels.ts). Pure: the Containers page, the Projects page and the
 * project actions all read the same shapes.
 */
import type { Result } from '../../../../preload/contract';
import { COMPOSE } from './labels';

type Container = Result<'containers.list'>[number];
type Network = Result<'networks.list'>[number];
type Volume = Result<'volumes.list'>[number];

export interface Project<C extends Container = Container> {
  name: string;
  /** The project's containers by service, then container number, then name. */
  containers: C[];
  /** Distinct service names, sorted. */
  services: string[];
  running: number;
  total: number;
  /** From the first container that carries them; null when none does. */
  workingDir: string | null;
  configFiles: string[];
}

export interface Grouped<C extends Container = Container> {
  /** Sorted by project name. */
  projects: Project<C>[];
  /** Containers without a project label, in the order given. */
  ungrouped: C[];
}

export const projectOf = (labels: Record<string, string>): string | null => labels[COMPOSE.project] || null;

/** The service a container runs (its label), or its own name when it has none. */
export const serviceOf = (c: Pick<Container, 'labels' | 'name'>): string => c.labels[COMPOSE.service] || c.name;

const numberOf = (c: Container): number => {
  const n = Number(c.labels[COMPOSE.number]);
  return Number.isFinite(n) ? n : 0;
};

const isUp = (c: Container): boolean => c.state === 'running' || c.state === 'restarting';

/** A `compose run` container (oneoff=True): listed and removed by Down, but never started, stopped or restarted with the project. */
export const isOneOff = (c: Pick<Container, 'labels'>): boolean => c.labels[COMPOSE.oneoff] === 'True';

export function groupByProject<C extends Container>(containers: readonly C[]): Grouped<C> {
  const byName = new Map<string, C[]>();
  const ungrouped: C[] = [];
  for (const c of containers) {
    const p = projectOf(c.labels);
    if (p === null) ungrouped.push(c);
    else byName.set(p, [...(byName.get(p) ?? []), c]);
  }
  const projects = [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, members]): Project<C> => {
      const sorted = [...members].sort(
        (a, b) => serviceOf(a).localeCompare(serviceOf(b)) || numberOf(a) - numberOf(b) || a.name.localeCompare(b.name),
      );
      const labelled = sorted.find((c) => c.labels[COMPOSE.workingDir]);
      const files = sorted.find((c) => c.labels[COMPOSE.configFiles])?.labels[COMPOSE.configFiles];
      return {
        name,
        containers: sorted,
        services: [...new Set(sorted.map(serviceOf))].sort(),
        running: sorted.filter(isUp).length,
        total: sorted.length,
        workingDir: labelled?.labels[COMPOSE.workingDir] ?? null,
        configFiles: files ? files.split(',').filter(Boolean) : [],
      };
    });
  return { projects, ungrouped };
}

/** The networks labelled as the project's (compose's `<project>_<name>`), by name. */
export function projectNetworks<N extends Pick<Network, 'name' | 'labels' | 'builtin'>>(
  project: string,
  networks: readonly N[],
): N[] {
  return networks
    .filter((n) => !n.builtin && projectOf(n.labels) === project)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The volumes labelled as the project's, by name. */
export function projectVolumes<V extends Pick<Volume, 'name' | 'labels'>>(project: string, volumes: readonly V[]): V[] {
  return volumes.filter((v) => projectOf(v.labels) === project).sort((a, b) => a.name.localeCompare(b.name));
}

const byCreation = (a: Container, b: Container): number =>
  Date.parse(a.created) - Date.parse(b.created) || a.name.localeCompare(b.name);

/** Up: the stopped containers (created or exited), oldest first, as compose started them; one-offs are not the project's services. */
export function upOrder<C extends Container>(containers: readonly C[]): C[] {
  return containers.filter((c) => !isOneOff(c) && (c.state === 'created' || c.state === 'exited')).sort(byCreation);
}

/** Stop: the live ones but one-offs, newest first (dependents before what they depend on, as compose stops them). */
export function stopOrder<C extends Container>(containers: readonly C[]): C[] {
  return containers
    .filter((c) => !isOneOff(c) && (c.state === 'running' || c.state === 'paused' || c.state === 'restarting'))
    .sort((a, b) => byCreation(b, a));
}

/** Restart: every usable container but one-offs, oldest first. */
export function restartOrder<C extends Container>(containers: readonly C[]): C[] {
  return containers.filter((c) => !isOneOff(c) && c.state !== 'unreadable').sort(byCreation);
}

/** Down: every container newest first, then the project's networks, then (when asked) its volumes. */
export interface DownPlan<C extends Container = Container> {
  containers: C[];
  networks: string[];
  volumes: string[];
}

export function downPlan<C extends Container>(
  project: Project<C>,
  networks: readonly Pick<Network, 'name' | 'labels' | 'builtin'>[],
  volumes: readonly Pick<Volume, 'name' | 'labels'>[],
  withVolumes: boolean,
): DownPlan<C> {
  return {
    containers: [...project.containers].sort((a, b) => byCreation(b, a)),
    networks: projectNetworks(project.name, networks).map((n) => n.name),
    volumes: withVolumes ? projectVolumes(project.name, volumes).map((v) => v.name) : [],
  };
}

/** Eight hues that keep 4.5:1 on the log view's background in both themes (projects.css `--prj-svc-N`). */
export const SERVICE_COLOURS = 8;

/** A service's colour slot: its place among the project's sorted services, so colours are stable and distinct. */
export function serviceColour(service: string, services: readonly string[]): number {
  const i = services.indexOf(service);
  return (i < 0 ? 0 : i) % SERVICE_COLOURS;
}

/**
 * A container's cgroup paths in one line: cgroup v1 puts it at the same place under
 * each controller, so `/sys/fs/cgroup/{cpu,memory,…}/berth/<id>`; v2 has one path.
 */
export function cgroupText(paths: readonly string[]): string {
  if (paths.length <= 1) return paths[0] ?? '—';
  const parts = paths.map((p) => /^(\/sys\/fs\/cgroup)\/([^/]+)(\/.*)$/.exec(p));
  const rest = parts[0]?.[3];
  if (parts.every((m) => m && m[1] === parts[0]![1] && m[3] === rest)) {
    return `${parts[0]![1]}/{${parts.map((m) => m![2]).join(',')}}${rest}`;
  }
  return paths.join(', ');
}
