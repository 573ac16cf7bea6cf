/**
 * The file preview as a user meets it: a click on a tree row reads the file
 * as of the selected layer (`layers.readFile` with the analysis' sourceId)
 * and shows text, a hex dump, or what the entry is; a gone source shows its
 * error code. The bridge answers are scripted (renderer/src/testing/render.tsx).
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { Inspector, type LayerChanges } from './Inspector';
import type { AnalysisView, LayerAnalysis } from './queries';
import type { ChangeEntry } from './tree';

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
const CHANGES: LayerChanges = [
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

const ANALYSIS: AnalysisView = {
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

const SOURCE = 'd'.repeat(32);
const facts = { layer: 1, mode: 0o644, uid: 0, gid: 0, mtime: 0 };
const b64 = (s: string | Uint8Array): string => {
  const bytes = typeof s === 'string' ? new TextEncoder().encode(s) : s;
  return btoa(String.fromCharCode(...bytes));
};

describe('file preview', () => {
  it('a clicked row is read as of the selected layer: text, hex for binaries, removals described', async () => {
    const berth = installFakeBerth({
      'layers.readFile': (p) => {
        if (p.path === '/etc/passwd')
          return { kind: 'file', path: p.path, ...facts, size: 100_000, data: b64('root:x:0:0\n'), truncated: true };
        if (p.path === '/bin/sh')
          return {
            kind: 'file',
            path: p.path,
            ...facts,
            layer: 0,
            size: 9,
            data: b64(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 4])),
            truncated: false,
          };
        if (p.path === '/etc/hosts')
          return { kind: 'removed', path: p.path, layer: 1, by: 'whiteout', entry: 'etc/.wh.hosts' };
        return { error: { code: 'LAYER_SOURCE_GONE', message: 'this analysis is no longer open; analyse it again' } };
      },
      'images.list': () => [],
    });
    renderWithBerth(<Inspector analysis={ANALYSIS} changes={CHANGES} source="test" sourceId={SOURCE} />);
    const user = userEvent.setup({ delay: null });
    const tree = await screen.findByRole('tree', { name: 'Files of layer 2' });
    const row = (p: string) => tree.querySelector(`[data-path="${p}"]`) as HTMLElement;
    await waitFor(() => expect(row('/etc/passwd')).not.toBeNull());

    await user.click(row('/etc/passwd'));
    const preview = await screen.findByTestId('file-preview');
    await waitFor(() => expect(within(preview).getByTestId('preview-text').textContent).toBe('root:x:0:0\n'));
    expect(within(preview).getByTestId('preview-note').textContent).toContain('first 11 of 100,000 bytes');
    expect(berth.callsOf('layers.readFile').at(-1)).toEqual({ sourceId: SOURCE, layer: 1, path: '/etc/passwd' });

    await user.click(row('/bin/sh'));
    await waitFor(() =>
      expect(within(screen.getByTestId('file-preview')).getByTestId('preview-hex').textContent).toContain(
        '00000000  7f 45 4c 46 00 01 02 03  04',
      ),
    );
    expect(screen.getByTestId('preview-note').textContent).toContain('in layer 1');

    await user.click(row('/etc/hosts'));
    await waitFor(() =>
      expect(screen.getByTestId('preview-note').textContent).toBe('Removed in this layer (whiteout etc/.wh.hosts).'),
    );

    await user.click(row('/app/main.js'));
    await waitFor(() =>
      expect(within(screen.getByTestId('file-preview')).getByRole('alert').textContent).toContain('LAYER_SOURCE_GONE'),
    );
  });
});
