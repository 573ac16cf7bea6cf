/**
 * The layer tree as a user meets it in the inspector: rows for the merged
 * tree of the selected layer with their change markers, sorted by name,
 * expand / collapse (all, by double-click, by keyboard), the path filter,
 * the change-type filters and the per-layer view. The change lists are
 * handed over after the summary, as the page does (they arrive later than
 * the summary), so the assertions wait for rows rather than expect them at
 * once.
 */
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ANALYSIS, CHANGES } from '../../testing/layers';
import { Inspector } from './Inspector';

/** The inspector as the page shows it: the summary first, then the change lists. */
function renderInspector() {
  const view = render(<Inspector analysis={ANALYSIS} changes={null} source="test" />);
  expect(screen.getByTestId('tree-pending').textContent).toContain('Reading the file lists');
  view.rerender(<Inspector analysis={ANALYSIS} changes={CHANGES} source="test" />);
  return { tree: () => screen.getByRole('tree', { name: 'Files of layer 2' }), user: userEvent.setup({ delay: null }) };
}

const rowNames = (tree: HTMLElement) =>
  within(tree)
    .queryAllByRole('treeitem')
    .map((r) => r.getAttribute('data-path'));

describe('layer tree', () => {
  it('shows the merged tree of the selected layer, sorted by name, with its change markers', async () => {
    const { tree } = renderInspector();
    await waitFor(() => expect(rowNames(tree())).toContain('/app/main.js'));
    expect(rowNames(tree())).toEqual([
      '/app',
      '/app/lib.so',
      '/app/main.js',
      '/bin',
      '/bin/sh',
      '/etc',
      '/etc/hosts',
      '/etc/passwd',
    ]);
    const row = (p: string) => tree().querySelector(`[data-path="${p}"]`)!;
    expect(row('/app').getAttribute('data-change')).toBe('added');
    expect(row('/etc/passwd').getAttribute('data-change')).toBe('modified');
    expect(row('/etc/hosts').getAttribute('data-change')).toBe('removed');
    expect(row('/bin/sh').getAttribute('data-change')).toBe('unchanged');
    expect(row('/bin').getAttribute('aria-level')).toBe('1');
    expect(row('/bin/sh').getAttribute('aria-level')).toBe('2');
    expect(row('/app/lib.so').getAttribute('aria-label')).toMatch(/^lib\.so, added, file, 4(\.\d)? [kK]i?B$/);
    expect(screen.getByText(/^8 entries/)).toBeTruthy();
  });

  it('collapses and expands: all at once, a directory by double-click, and by keyboard', async () => {
    const { tree, user } = renderInspector();
    await waitFor(() => expect(rowNames(tree())).toHaveLength(8));

    await user.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(rowNames(tree())).toEqual(['/app', '/bin', '/etc']);
    const etc = () => tree().querySelector('[data-path="/etc"]')!;
    expect(etc().getAttribute('aria-expanded')).toBe('false');

    await user.dblClick(etc());
    expect(rowNames(tree())).toEqual(['/app', '/bin', '/etc', '/etc/hosts', '/etc/passwd']);
    expect(etc().getAttribute('aria-expanded')).toBe('true');

    // Keyboard, from the row the double-click made active: ← closes /etc; Home, → opens /app;
    // ↓ moves into it; ← goes back to the parent, ← again closes it.
    tree().focus();
    await user.keyboard('{ArrowLeft}');
    expect(rowNames(tree())).toEqual(['/app', '/bin', '/etc']);
    await user.keyboard('{Home}{ArrowRight}');
    expect(rowNames(tree())).toEqual(['/app', '/app/lib.so', '/app/main.js', '/bin', '/etc']);
    await user.keyboard('{ArrowDown}');
    const active = () => tree().getAttribute('aria-activedescendant');
    expect(active()).toBe(tree().querySelector('[data-path="/app/lib.so"]')!.id);
    await user.keyboard('{ArrowLeft}');
    expect(active()).toBe(tree().querySelector('[data-path="/app"]')!.id);
    await user.keyboard('{ArrowLeft}');
    expect(rowNames(tree())).toEqual(['/app', '/bin', '/etc']);

    await user.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(rowNames(tree())).toHaveLength(8);
  });

  it('filters by path pattern and keeps the parents of what matches', async () => {
    const { tree, user } = renderInspector();
    await waitFor(() => expect(rowNames(tree())).toHaveLength(8));
    await user.type(screen.getByLabelText('Path filter'), '*.so');
    await waitFor(() => expect(rowNames(tree())).toEqual(['/app', '/app/lib.so']));
    expect(screen.getByText('glob')).toBeTruthy();
    expect(screen.getByText(/1 of 8 entries match/)).toBeTruthy();

    await user.clear(screen.getByLabelText('Path filter'));
    await user.type(screen.getByLabelText('Path filter'), 'nothing-here');
    expect(await screen.findByText('No entries match these filters.')).toBeTruthy();
  });

  it('filters by change type: changed only, and one kind unticked', async () => {
    const { tree, user } = renderInspector();
    await waitFor(() => expect(rowNames(tree())).toHaveLength(8));
    await user.click(screen.getByRole('checkbox', { name: 'Changed only' }));
    await waitFor(() => expect(rowNames(tree())).not.toContain('/bin/sh'));
    expect(rowNames(tree())).toEqual(['/app', '/app/lib.so', '/app/main.js', '/etc', '/etc/hosts', '/etc/passwd']);

    await user.click(screen.getByRole('checkbox', { name: /^Removed/ }));
    await waitFor(() => expect(rowNames(tree())).not.toContain('/etc/hosts'));
    expect(rowNames(tree())).toContain('/etc/passwd');
  });

  it("switches to the layer's own changes, and to another layer", async () => {
    const { tree, user } = renderInspector();
    await waitFor(() => expect(rowNames(tree())).toHaveLength(8));
    await user.click(screen.getByRole('radio', { name: "This layer's changes" }));
    await waitFor(() => expect(rowNames(tree())).not.toContain('/bin'));
    expect(rowNames(tree())).toEqual(['/app', '/app/lib.so', '/app/main.js', '/etc', '/etc/hosts', '/etc/passwd']);
    // /etc itself is not in layer 2's list: shown as context, unmarked.
    expect(tree().querySelector('[data-path="/etc"]')!.getAttribute('data-change')).toBe('unchanged');

    // Layer 1's own changes: the base system, every entry added, /app not there yet.
    await user.click(screen.getByRole('button', { name: 'Layer 1' }));
    const first = await screen.findByRole('tree', { name: 'Files of layer 1' });
    await waitFor(() => expect(rowNames(first)).toEqual(['/bin', '/bin/sh', '/etc', '/etc/hosts', '/etc/passwd']));
    expect(
      within(first)
        .getAllByRole('treeitem')
        .every((r) => r.getAttribute('data-change') === 'added'),
    ).toBe(true);
  });
});

describe('dead bytes', () => {
  it('shows the image’s dead bytes beside dive’s wasted bytes, and the selected layer’s', async () => {
    const user = userEvent.setup({ delay: null });
    render(<Inspector analysis={ANALYSIS} changes={CHANGES} source="test" />);
    expect(screen.getByTestId('dead-bytes').textContent).toBe('512 B');
    // The top layer is selected: nothing of it is dead; layer 1's 512 bytes are.
    expect(screen.getByTestId('layer-dead-bytes').textContent).toMatch(/^0 B/);
    await user.click(screen.getByRole('button', { name: 'Layer 1' }));
    expect(screen.getByTestId('layer-dead-bytes').textContent).toMatch(/^512 B unreachable/);
  });
});
