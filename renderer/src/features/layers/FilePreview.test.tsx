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
import { ANALYSIS, CHANGES } from '../../testing/layers';
import { Inspector } from './Inspector';

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
