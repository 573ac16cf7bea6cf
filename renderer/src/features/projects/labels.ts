/**
 * The labels docker compose v2 writes, and so `berth compose` too: the
 * Projects views are built from these alone (no project record exists
 * anywhere else), so a project made by docker-compose-style labels by hand
 * (`berth run --label com.docker.compose.project=…`) groups the same way.
 */
export const COMPOSE = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  oneoff: 'com.docker.compose.oneoff',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;
