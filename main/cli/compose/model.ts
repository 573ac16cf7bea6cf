/**
 * The normalized compose project: what the files say once merged,
 * interpolated, checked and resolved against the project directory. Plain
 * data; planning (plan.ts) turns it into containers.create requests.
 */
import type { Limits } from '../../../preload/schemas/resources';

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface HealthCheck {
  /** The argv exec'd in the container (CMD as given; CMD-SHELL through /bin/sh -c). */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export type ServiceMount =
  | { type: 'volume'; source: string; target: string; readOnly: boolean; noCopy: boolean }
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; sizeBytes?: number; mode?: string; readOnly: boolean };

export interface ServiceNetwork {
  /** The key under the top-level `networks:` (`default` for the implicit one). */
  key: string;
  aliases: string[];
  ipv4?: string;
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: { context: string; dockerfile?: string; args: Record<string, string>; target?: string };
  command?: string[];
  entrypoint?: string[];
  /** env_file first, then environment over it. */
  environment: Record<string, string>;
  ports: Array<{ hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }>;
  mounts: ServiceMount[];
  /** Empty when networkMode is set. */
  networks: ServiceNetwork[];
  networkMode?: 'host' | 'none' | 'bridge';
  dependsOn: Array<{ service: string; condition: DependsCondition }>;
  restart: { name: 'no' | 'always' | 'on-failure' | 'unless-stopped'; maxRetries: number };
  resources: Limits;
  healthcheck?: HealthCheck;
  user?: string;
  workingDir?: string;
  labels: Record<string, string>;
  hostname?: string;
  containerName?: string;
}

export interface NetworkDef {
  /** The engine's name: `<project>_<key>`, the `name:` given, or the external name. */
  name: string;
  external: boolean;
  internal: boolean;
  subnet?: string;
  gateway?: string;
  labels: Record<string, string>;
}

export interface VolumeDef {
  name: string;
  external: boolean;
  labels: Record<string, string>;
}

export interface ComposeProject {
  name: string;
  workingDir: string;
  configFiles: string[];
  /** In dependency order (a service after everything it depends on). */
  services: ComposeService[];
  networks: Record<string, NetworkDef>;
  volumes: Record<string, VolumeDef>;
  warnings: string[];
}
