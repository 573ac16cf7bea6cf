/**
 * Where a reference lives on the wire: registry host, API base URL,
 * repository, tag and/or digest. Deliberately minimal — the full reference
 * grammar and its defaults belong to engine/images/reference.ts; this takes
 * normalized strings (`docker.io/library/busybox:latest`,
 * `localhost:5000/foo/bar@sha256:…`) and applies Docker's rule for the first
 * component (a host when it has a `.` or `:`, is `localhost`, or has
 * uppercase), so short names still work.
 */
import { isDigest, type Digest } from '../digest';
import { BerthError } from '../../../../preload/errors';

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'https://registry-1.docker.io';

export interface RegistryEndpoint {
  /** Host as written in references and auth files: `docker.io`, `quay.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Scheme + host of the API (no trailing slash): `https://registry-1.docker.io`. */
  apiBase: string;
  /** True when the API is spoken over plain HTTP. */
  insecure: boolean;
  repository: string;
  tag?: string;
  digest?: Digest;
}

export interface EndpointOptions {
  /** Hosts spoken to over plain HTTP: `host:port` exactly, or a bare `host` for any port. */
  insecure?: readonly string[];
}

const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HOST_RE =
  /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

function invalid(ref: string, why: string): BerthError {
  return new BerthError('REFERENCE_INVALID', `invalid image reference "${ref.slice(0, 300)}": ${why}`, {
    reference: ref.slice(0, 300),
  });
}

/** `docker.io` for Docker Hub's aliases; the host lowercased otherwise. */
export function canonicalRegistry(host: string): string {
  const h = host.toLowerCase();
  return h === 'index.docker.io' || h === 'registry-1.docker.io' || h === 'registry.hub.docker.com' ? DOCKER_HUB : h;
}

/** The host without its port (brackets of an IPv6 literal removed). */
export function hostname(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

export function isLoopback(registry: string): boolean {
  const h = hostname(registry).toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.[0-9]{1,3}){3}$/.test(h);
}

/** The API base URL for a registry host. */
export function apiBaseFor(registry: string, options: EndpointOptions = {}): { apiBase: string; insecure: boolean } {
  const reg = canonicalRegistry(registry);
  if (reg === DOCKER_HUB) return { apiBase: DOCKER_HUB_API, insecure: false };
  const listed = (options.insecure ?? []).some((entry) => {
    const e = entry
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    return e === reg || e === hostname(reg);
  });
  const insecure = listed || isLoopback(reg);
  return { apiBase: `${insecure ? 'http' : 'https'}://${reg}`, insecure };
}

/** Parses a reference into its endpoint. Throws REFERENCE_INVALID. */
export function parseEndpoint(ref: string, options: EndpointOptions = {}): RegistryEndpoint {
  if (ref.length === 0 || ref.length > 4096) throw invalid(ref, 'empty or too long');
  let rest = ref;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw invalid(ref, 'the digest must be sha256:<64 lowercase hex>');
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    if (!TAG_RE.test(tag)) throw invalid(ref, `bad tag "${tag.slice(0, 200)}"`);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  const isHost = first !== '' && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let registry = DOCKER_HUB;
  let repository = rest;
  if (isHost) {
    if (!HOST_RE.test(first)) throw invalid(ref, `bad registry host "${first}"`);
    registry = canonicalRegistry(first);
    repository = rest.slice(slash + 1);
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository.length > 255 || !repository.split('/').every((c) => COMPONENT_RE.test(c))) {
    throw invalid(ref, `bad repository name "${repository.slice(0, 300)}"`);
  }

  const { apiBase, insecure } = apiBaseFor(registry, options);
  const out: RegistryEndpoint = { registry, apiBase, insecure, repository };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  if (tag === undefined && digest === undefined) out.tag = 'latest';
  return out;
}

/** Throws REFERENCE_INVALID unless `repository` is a valid repository name (`foo/bar`). */
export function checkRepository(repository: string): string {
  if (repository.length === 0 || repository.length > 255 || !repository.split('/').every((c) => COMPONENT_RE.test(c))) {
    throw invalid(repository, 'bad repository name');
  }
  return repository;
}

/** Throws REFERENCE_INVALID unless `reference` is a tag or a sha256 digest. */
export function checkTagOrDigest(reference: string): string {
  if (!TAG_RE.test(reference) && !isDigest(reference)) throw invalid(reference, 'not a tag or sha256 digest');
  return reference;
}

/** `registry/repository` (the name part of a normalized reference). */
export function repoName(e: Pick<RegistryEndpoint, 'registry' | 'repository'>): string {
  return `${e.registry}/${e.repository}`;
}
