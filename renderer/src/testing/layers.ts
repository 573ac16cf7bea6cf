/**
 * A two-layer image analysis for the layer inspector's component tests:
 * layer 1 a base system, layer 2 an app, a changed /etc/passwd and /etc/hosts
 * removed; its summary (ANALYSIS) and its change lists (CHANGES).
 */
import type { LayerChanges } from '../features/layers/Inspector';
import type { AnalysisView, LayerAnalysis } from '../features/layers/queries';
import type { ChangeEntry } from '../features/layers/tree';

const sha = (c: string) => `sha256:${c.repeat(64)}`;

const entry = (path: string, change: ChangeEntry['change'], type: ChangeEntry['type'] = 'file', size = 100) => ({
  path,
  type,
  size: type === 'dir' ? 0 : size,
  mode: type === 'dir' ? 0o755 : 0o644,
  uid: 0,
  gid: 0,
  linkname: '',
  change,
});

/** Layer 1: a base system. Layer 2: an app, a changed /etc/passwd, /etc/hosts removed. */
export const CHANGES: LayerChanges = [
  [
    entry('/bin', 'added', 'dir'),
    entry('/bin/sh', 'added', 'file', 800_000),
    entry('/etc', 'added', 'dir'),
    entry('/etc/hosts', 'added'),
    entry('/etc/passwd', 'added'),
  ],
  [
    entry('/app', 'added', 'dir'),
    entry('/app/lib.so', 'added', 'file', 4096),
    entry('/app/main.js', 'added', 'file', 2048),
    entry('/etc/hosts', 'removed'),
    entry('/etc/passwd', 'modified'),
  ],
];

function layer(index: number, createdBy: string, stats: Partial<LayerAnalysis['stats']>): LayerAnalysis {
  return {
    index,
    blob: `blobs/sha256/${String(index).repeat(64)}`,
    compression: 'gzip',
    digest: sha(String(index + 1)),
    diffId: sha(String(index + 3)),
    chainId: sha(String(index + 5)),
    compressedSize: 1000,
    uncompressedSize: 4000,
    size: 3000,
    deadBytes: index === 0 ? 512 : 0,
    createdBy,
    stats: {
      added: 0,
      modified: 0,
      removed: 0,
      unmodified: 0,
      addedBytes: 0,
      modifiedBytes: 0,
      removedBytes: 0,
      ...stats,
    },
  };
}

export const ANALYSIS: AnalysisView = {
  format: 'store',
  repoTags: ['demo:1'],
  configDigest: sha('c'),
  architecture: 'amd64',
  os: 'linux',
  history: [],
  layers: [
    layer(0, 'ADD rootfs.tar /', { added: 5 }),
    layer(1, 'COPY app /app', { added: 3, modified: 1, removed: 1 }),
  ],
  sizeBytes: 6000,
  userSizeBytes: 3000,
  compressedBytes: 2000,
  efficiency: 0.98,
  wastedBytes: 100,
  wastedUserPercent: 0.03,
  inefficiencies: [{ path: '/etc/passwd', count: 2, totalSize: 200 }],
  deadBytes: 512,
};
