/** Pull and push over the OCI distribution API, with per-layer progress. */
import { z } from 'zod';
import { method } from './define';

const Ref = z.string().min(1).max(512);

export const PullProgress = z.object({
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
});

export const registryMethods = {
  'images.pull': method({
    where: 'helper',
    params: z
      .object({
        ref: Ref,
        /** "os/arch[/variant]"; default: this host. */
        platform: z.string().max(64).optional(),
        opId: z.string().max(64).optional(),
      })
      .strict(),
    result: z.object({
      opId: z.string(),
      id: z.string(),
      manifestDigest: z.string(),
      repoDigest: z.string(),
      tags: z.array(z.string()),
      layers: z.number().int(),
      platform: z.string(),
      warnings: z.array(z.string()),
    }),
    summary: 'Pull an image (anonymous, bearer token or basic auth from your docker/containers auth file)',
  }),
  'images.push': method({
    where: 'helper',
    params: z.object({ ref: Ref, opId: z.string().max(64).optional() }).strict(),
    result: z.object({
      opId: z.string(),
      manifestDigest: z.string(),
      repoDigest: z.string(),
      uploaded: z.number().int(),
      existing: z.number().int(),
    }),
    summary: 'Push an image from the store to its registry',
  }),
} as const;

export const registryEvents = {
  'images.pullProgress': PullProgress,
} as const;

export type PullProgressT = z.output<typeof PullProgress>;
