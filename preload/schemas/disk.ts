/**
 * Disk usage and prune (`system df`, `system prune`, `container prune`,
 * `image prune`, `volume prune`): one section per kind of stored data
 * (main/engine/system/disk-section.ts). A prune takes the ids a plan listed,
 * so what the UI showed is exactly what goes, and never anything in use.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { Empty } from './system';

export const DiskKind = lazy(() => z.enum(['images', 'containers', 'volumes', 'build-cache']));

export const DiskUsage = lazy(() =>
  z.object({
    kind: DiskKind,
    count: z.number().int(),
    active: z.number().int(),
    /** Measured bytes on disk (blocks; hard links and shared layers once). */
    sizeBytes: z.number().int(),
    reclaimableBytes: z.number().int(),
  }),
);

export const PruneItem = lazy(() => z.object({ id: z.string(), name: z.string(), sizeBytes: z.number().int() }));

export const PrunePlan = lazy(() => z.object({ kind: DiskKind, items: z.array(PruneItem) }));

export const PruneResult = lazy(() =>
  z.object({
    kind: DiskKind,
    removed: z.array(z.string()),
    reclaimedBytes: z.number().int(),
  }),
);

const Kinds = lazy(() => z.array(DiskKind).min(1).max(8));

export const diskMethods = {
  'disk.usage': method({
    where: 'helper',
    params: Empty,
    result: lazy(() => z.array(DiskUsage)),
    summary: 'system df: per kind, count, active, size and reclaimable bytes (measured)',
  }),
  'disk.plan': method({
    where: 'helper',
    params: lazy(() => z.object({ kinds: Kinds, all: z.boolean().default(false) }).strict()),
    result: lazy(() => z.array(PrunePlan)),
    summary: 'What a prune would remove, per kind (nothing is removed)',
  }),
  'disk.prune': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          items: z
            .array(z.object({ kind: DiskKind, ids: z.array(z.string().min(1).max(256)).max(100_000) }).strict())
            .max(8),
        })
        .strict(),
    ),
    result: lazy(() => z.array(PruneResult)),
    summary: 'Remove what a plan listed; anything now in use is kept',
  }),
} as const;

export type DiskKindT = z.output<typeof DiskKind>;
export type DiskUsageT = z.output<typeof DiskUsage>;
export type PrunePlanT = z.output<typeof PrunePlan>;
export type PruneResultT = z.output<typeof PruneResult>;

/** Error codes of disk usage and prune. */
export const diskErrorCodes = ['DISK_KIND_UNKNOWN'] as const;
