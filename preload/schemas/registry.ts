/** Pull and push over the OCI distribution API, with per-layer progress. */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';

const Ref = lazy(() => z.string().min(1).max(512));

export const PullProgress = lazy(() =>
  z.object({
    opId: z.string(),
    ref: z.string(),
    /** The blob's digest; absent for whole-operation phases. */
    layer: z.string().optional(),
    phase: z.enum([
      'resolving',
      'waiting',
      'downloading',
      'verifying',
      'exists',
      'uploading',
      'mounted',
      'unpacking',
      'done',
      'error',
    ]),
    current: z.number(),
    total: z.number(),
    message: z.string().optional(),
  }),
);

export const registryMethods = {
  'images.pull': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          ref: Ref,
          /** "os/arch[/variant]"; default: this host. */
          platform: z.string().max(64).optional(),
          opId: z.string().max(64).optional(),
        })
        .strict(),
    ),
    result: lazy(() =>
      z.object({
        opId: z.string(),
        id: z.string(),
        manifestDigest: z.string(),
        repoDigest: z.string(),
        tags: z.array(z.string()),
        layers: z.number().int(),
        platform: z.string(),
        warnings: z.array(z.string()),
      }),
    ),
    summary: 'Pull an image (anonymous, bearer token or basic auth from your docker/containers auth file)',
  }),
  'images.push': method({
    where: 'helper',
    params: lazy(() => z.object({ ref: Ref, opId: z.string().max(64).optional() }).strict()),
    result: lazy(() =>
      z.object({
        opId: z.string(),
        manifestDigest: z.string(),
        repoDigest: z.string(),
        uploaded: z.number().int(),
        existing: z.number().int(),
      }),
    ),
    summary: 'Push an image from the store to its registry',
  }),
} as const;

export const registryEvents = {
  'images.pullProgress': PullProgress,
} as const;

export type PullProgressT = z.output<typeof PullProgress>;

/**
 * Error codes of the registry client. Every registry error carries the same
 * details: registry, repository, the HTTP status (when there was one) and the
 * registry's own `errors` array as the distribution spec defines it.
 */
export const registryErrorCodes = [
  'REGISTRY_UNAUTHORIZED', // 401: no or wrong credentials, or the token server refused them
  'REGISTRY_DENIED', // 403 / DENIED: authenticated but not allowed
  'REGISTRY_NOT_FOUND', // 404 / MANIFEST_UNKNOWN / BLOB_UNKNOWN / NAME_UNKNOWN
  'REGISTRY_UNREACHABLE', // network error (refused, reset, DNS, TLS) after the retries
  'REGISTRY_RATE_LIMITED', // 429 / TOOMANYREQUESTS after the retries
  'REGISTRY_PROTOCOL', // unexpected status, bad JSON, a body longer than announced, a bad redirect
  'REGISTRY_UNSUPPORTED', // schema1 manifests, unknown manifest media types
  'REGISTRY_BODY_TOO_LARGE', // a body past its limit; the client reports it as REGISTRY_PROTOCOL or DIGEST_MISMATCH
  'REGISTRY_BODY_SHORT', // a body that ended early; retried, then REGISTRY_UNREACHABLE
  'REFERENCE_INVALID', // an image reference we cannot parse
  'PLATFORM_NOT_FOUND', // an index without a manifest for the wanted platform
] as const;
