/** One kind of stored data as `system df` and `system prune` see it. */
export interface DiskSection {
  readonly kind: 'images' | 'containers' | 'volumes' | 'build-cache';
  usage(): Promise<{ count: number; active: number; sizeBytes: number; reclaimableBytes: number }>;
  /** What prune would remove, listed in the UI before anything is removed. */
  plan(opts: { all: boolean }): Promise<Array<{ id: string; name: string; sizeBytes: number }>>;
  prune(ids: string[]): Promise<{ removed: string[]; reclaimedBytes: number }>;
}
