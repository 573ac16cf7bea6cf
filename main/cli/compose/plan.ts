/**
 * A service → the containers.create request that runs it, named and labelled
 * as docker compose v2 does (the UI groups by these labels alone), and the
 * config hash that tells a second `up` whether a running container is still
 * what the files say.
 */
import crypto from 'node:crypto';
import type { z } from 'zod';
import type { ContainerCreate } from '../../../preload/schemas/containers';
import type { ComposeProject, ComposeService } from './model';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

export type CreateRequest = z.input<typeof ContainerCreate>;

export function containerName(project: ComposeProject, s: ComposeService): string {
  return s.containerName ?? `${project.name}-${s.name}-1`;
}

/** The image a service runs: its `image:`, or `<project>-<service>` for a build without one (compose v2's name). */
export function imageOf(project: ComposeProject, s: ComposeService): string {
  return s.image ?? `${project.name}-${s.name}`;
}

export interface ServicePlan {
  create: CreateRequest;
  /** Networks after the first: connected between create and start. */
  extraNetworks: Array<{ network: string; aliases: string[]; ip?: string }>;
  hash: string;
}

export function planService(project: ComposeProject, s: ComposeService, imageId: string): ServicePlan {
  const nets = s.networks.map((n) => ({
    network: project.networks[n.key]!.name,
    // The service name is an alias on each of its networks, as in compose.
    aliases: [...new Set([s.name, ...n.aliases])],
    ...(n.ipv4 ? { ip: n.ipv4 } : {}),
  }));
  const first = nets[0];
  const create: CreateRequest = {
    image: imageOf(project, s),
    name: containerName(project, s),
    ...(s.command ? { command: s.command } : {}),
    ...(s.entrypoint ? { entrypoint: s.entrypoint } : {}),
    env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    ...(s.workingDir ? { workdir: s.workingDir } : {}),
    ...(s.user ? { user: s.user } : {}),
    ...(s.hostname ? { hostname: s.hostname } : {}),
    mounts: s.mounts.map((m) => ({ ...m })),
    network: s.networkMode ?? first?.network ?? 'none',
    networkAliases: first?.aliases ?? [],
    ...(first?.ip ? { ip: first.ip } : {}),
    ports: s.ports,
    restart: s.restart,
    resources: s.resources,
    labels: {},
  };
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify({ create, extra: nets.slice(1), imageId, service: s.labels }))
    .digest('hex');
  create.labels = {
    ...s.labels,
    [LABEL.project]: project.name,
    [LABEL.service]: s.name,
    [LABEL.number]: '1',
    [LABEL.workingDir]: project.workingDir,
    [LABEL.configFiles]: project.configFiles.join(','),
    [LABEL.oneoff]: 'False',
    [LABEL.configHash]: hash,
  };
  return { create, extraNetworks: nets.slice(1), hash };
}
