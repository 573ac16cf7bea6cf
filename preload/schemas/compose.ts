/**
 * Compose (issue 15 §4): `berth compose` reads compose files, `.env` and
 * env_file as the user, in the CLI process, and drives the helper through the
 * existing container, network, volume, image and build methods; no compose
 * method crosses the privilege line (docs/ARCHITECTURE.md, "Compose"). What
 * lives here is the closed list of the feature's error codes.
 */

/** Error codes of compose. */
export const composeErrorCodes = [
  'COMPOSE_FILE_NOT_FOUND', // no -f and none of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml in the cwd; or a named file, env_file or .env cannot be read
  'COMPOSE_YAML_INVALID', // a file is not YAML, or its top level is not a mapping
  'COMPOSE_INVALID', // a key has the wrong type or value (the message names the key path)
  'COMPOSE_INTERPOLATION', // ${VAR:?err} with VAR unset/empty, or a malformed ${…}
  'COMPOSE_UNKNOWN_SERVICE', // depends_on or a command names a service the project does not have
  'COMPOSE_UNKNOWN_NETWORK', // a service names a network not declared at the top level
  'COMPOSE_UNKNOWN_VOLUME', // a service mounts a named volume not declared at the top level
  'COMPOSE_DEPENDENCY_CYCLE', // depends_on forms a cycle (the message lists it)
  'COMPOSE_PROJECT_NAME_INVALID', // -p or name: normalizes to nothing usable
  'COMPOSE_EXTERNAL_MISSING', // an external network or volume does not exist
  'COMPOSE_DEPENDENCY_FAILED', // a service_healthy dependency stayed unhealthy, or a service_completed_successfully one failed
  'COMPOSE_NO_SERVICES', // the project defines no services
] as const;
