/** The registry client's public surface (see README.md). */
export { RegistryAuth, parseWwwAuthenticate, repositoryScope, type AuthOptions, type Challenge } from './auth';
export {
  RegistryClient,
  MANIFEST_ACCEPT,
  type CallOptions,
  type FetchedManifest,
  type PushBlobResult,
  type RegistryClientOptions,
} from './client';
export {
  credentialFileOptionsFromEnv,
  credentialFiles,
  credentialResolver,
  lookupCredentials,
  staticCredentials,
  type CredentialFileOptions,
  type CredentialLookup,
  type CredentialResolver,
  type Credentials,
} from './credentials';
export {
  DOCKER_HUB,
  DOCKER_HUB_API,
  apiBaseFor,
  parseEndpoint,
  type EndpointOptions,
  type RegistryEndpoint,
} from './endpoint';
export type { RegistryErrorDetails, RegistryErrorEntry } from './errors';
export { formatPlatform, hostPlatform, parsePlatform, resolvePlatform, type PlatformSpec } from './platform';
export { pullImage, type LayerPhase, type PullOptions, type PullProgress, type PullResult } from './pull';
export { pushImage, type PushImageInput, type PushOptions, type PushProgress, type PushResult } from './push';
export type { BlobPhase, BlobProgress, BlobProgressFn, BlobSink, BlobSource } from './types';
