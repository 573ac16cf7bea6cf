import { BerthError } from '../../../preload/errors';
/**
 * Image references the way docker reads them (distribution/reference's
 * ParseNormalizedNamed): `[domain/]path[:tag][@digest]`, with docker.io as
 * the default registry and `library/` as the default namespace on it.
 *
 *   busybox                → docker.io/library/busybox:latest
 *   me/app:1               → docker.io/me/app:1
 *   localhost:5000/app     → localhost:5000/app:latest
 *   ghcr.io/o/r@sha256:…   → ghcr.io/o/r@sha256:…        (no default tag with a digest)
 *
 * Kept free of Node imports: the renderer can use it to display names.
 */

export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;

const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256_RE = /^sha256:[0-9a-f]{64}$/;
const ID_RE = /^[a-f0-9]{64}$/;

/** REFERENCE_INVALID, naming the input (cut to 300 characters). */
function invalidReference(message: string, input: string): BerthError {
  return new BerthError('REFERENCE_INVALID', message, { reference: input.slice(0, 300) });
}

export interface ImageReference {
  /** Registry host[:port], e.g. "docker.io", "localhost:5000". */
  domain: string;
  /** Repository path on the registry, e.g. "library/busybox". */
  path: string;
  tag?: string;
  digest?: string;
}

/** docker's splitDockerDomain: the first component is a registry when it looks like a host. */
function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  let domain: string;
  let rest: string;
  const first = i < 0 ? '' : name.slice(0, i);
  if (i < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    rest = name;
  } else {
    domain = first;
    rest = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !rest.includes('/')) rest = OFFICIAL_REPO_PREFIX + rest;
  return { domain, path: rest };
}

/**
 * Parses and normalizes a reference. Throws REFERENCE_INVALID.
 * No default tag is added here; see `withDefaultTag`.
 */
export function parseReference(input: string): ImageReference {
  const s = input.trim();
  if (s === '') throw invalidReference('empty image reference', input);
  if (ID_RE.test(s)) {
    throw invalidReference(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`, input);
  }
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw invalidReference(`invalid digest ${JSON.stringify(digest)}`, input);
    if (digest.startsWith('sha256:') && !SHA256_RE.test(digest)) {
      throw invalidReference(`invalid sha256 digest ${JSON.stringify(digest)}`, input);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalidReference(`invalid tag ${JSON.stringify(tag)}`, input);
  }
  if (rest === '') throw invalidReference(`invalid reference ${JSON.stringify(s)}: no repository name`, input);
  const { domain, path } = splitDomain(rest);
  if (path !== path.toLowerCase()) throw invalidReference(`repository name must be lowercase: ${rest}`, input);
  if (!DOMAIN_RE.test(domain)) throw invalidReference(`invalid registry ${JSON.stringify(domain)}`, input);
  if (!PATH_RE.test(path)) throw invalidReference(`invalid repository name ${JSON.stringify(path)}`, input);
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalidReference(`repository name longer than ${NAME_TOTAL_LENGTH_MAX} characters`, input);
  }
  const ref: ImageReference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** docker's TagNameOnly: adds ":latest" when the reference has neither tag nor digest. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** "docker.io/library/busybox" */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalized string: "docker.io/library/busybox:latest[@sha256:…]". */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form docker prints: "busybox:latest", "me/app:1", "ghcr.io/o/r:2". */
export function familiarName(ref: ImageReference): string {
  let name = repositoryName(ref);
  if (ref.domain === DEFAULT_DOMAIN) {
    const short = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    // Only single-component official names lose "library/" ("library/a/b" keeps it).
    name = ref.path.startsWith(OFFICIAL_REPO_PREFIX) && !short.includes('/') ? short : ref.path;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Parses, adds ":latest" when needed, and returns the full normalized string. */
export function normalizeReference(input: string): string {
  return formatReference(withDefaultTag(parseReference(input)));
}

/**
 * A tag to record for an image: "name:tag" normalized, never with a digest
 * (an image is found by digest without a tag entry). Throws REFERENCE_INVALID.
 */
export function normalizeTag(input: string): string {
  const ref = withDefaultTag(parseReference(input));
  if (ref.digest !== undefined) {
    throw invalidReference(`${input}: a tag cannot contain a digest`, input);
  }
  return formatReference(ref);
}

/** Familiar form of an already-normalized full reference (falls back to the input). */
export function familiarize(full: string): string {
  try {
    return familiarName(parseReference(full));
  } catch {
    return full;
  }
}

/** True for "sha256:<64 hex>" or a hex ID prefix (at least 4 characters; docker's minimum is 1, but short prefixes collide). */
export function looksLikeImageId(s: string): boolean {
  return SHA256_RE.test(s) || /^(?:sha256:)?[a-f0-9]{4,64}$/.test(s);
}
