/**
 * The container remove dialog against a scripted `window.berth`: it lists the
 * container's anonymous volumes (from volumes.list's users), marks which go
 * with "-v" and which another container keeps, and sends force and volumes
 * as the containers.remove request.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { installFakeBerth, renderWithBerth, type Answers } from '../../testing/render';
import { volumeSummary } from '../../testing/volumes';
import { RemoveDialog } from './RemoveDialog';

const ID = 'c0ffee'.repeat(10) + 'c0ff';
const OTHER = 'beef'.repeat(16);
const volume = (name: string, anonymous: boolean, users: Array<{ id: string; name: string }>) =>
  volumeSummary({ name, anonymous, users });

const ANON = 'a1'.repeat(32);
const SHARED = 'b2'.repeat(32);
const VOLUMES = [
  volume(ANON, true, [{ id: ID, name: 'web' }]),
  volume(SHARED, true, [
    { id: ID, name: 'web' },
    { id: OTHER, name: 'sidecar' },
  ]),
  volume('named-data', false, [{ id: ID, name: 'web' }]),
  volume('c3'.repeat(32), true, [{ id: OTHER, name: 'sidecar' }]),
];

function setup(answers: Answers = {}) {
  const berth = installFakeBerth({
    'volumes.list': () => VOLUMES,
    'containers.remove': ({ id }) => ({ id }),
    ...answers,
  });
  const onClose = vi.fn();
  const onRemoved = vi.fn();
  renderWithBerth(
    <RemoveDialog c={{ id: ID, name: 'web', state: 'exited' }} onClose={onClose} onRemoved={onRemoved} />,
  );
  const dialog = within(screen.getByRole('dialog', { hidden: true }));
  return { berth, dialog, onClose, onRemoved, user: userEvent.setup({ delay: null }) };
}

describe('RemoveDialog', () => {
  it('lists its anonymous volumes, marks what -v takes, and sends force and volumes', async () => {
    const { berth, dialog, user, onClose, onRemoved } = setup();
    const list = await dialog.findByRole('list', { name: 'Anonymous volumes', hidden: true });
    const items = within(list).getAllByRole('listitem', { hidden: true });
    // Its own anonymous volumes only: not the named one, not another container's.
    expect(items.map((i) => i.getAttribute('data-volume'))).toEqual([ANON, SHARED]);
    expect(items.map((i) => i.getAttribute('data-goes'))).toEqual(['no', 'no']);
    expect(items[1]!.textContent).toContain('kept: also mounted by sidecar');
    expect(berth.callsOf('volumes.list')).toEqual([{ size: false }]);

    await user.click(dialog.getByRole('checkbox', { name: /anonymous volumes too/, hidden: true }));
    expect(items.map((i) => i.getAttribute('data-goes'))).toEqual(['yes', 'no']);
    expect(dialog.getByTestId('remove-volumes').textContent).toContain('go with it (1 of 2)');

    await user.click(dialog.getByRole('button', { name: 'Remove', hidden: true }));
    await waitFor(() => expect(onRemoved).toHaveBeenCalled());
    expect(berth.callsOf('containers.remove')).toEqual([{ id: ID, force: false, volumes: true }]);
    expect(onClose).toHaveBeenCalled();
  });

  it('without the box, keeps the volumes (volumes: false), and says when there are none', async () => {
    const { berth, dialog, user } = setup({ 'volumes.list': () => [VOLUMES[2]!] });
    await waitFor(() => expect(dialog.getByTestId('remove-volumes').textContent).toBe('It has no anonymous volumes.'));
    await user.click(dialog.getByRole('checkbox', { name: /Force/, hidden: true }));
    await user.click(dialog.getByRole('button', { name: 'Remove', hidden: true }));
    await waitFor(() => expect(berth.callsOf('containers.remove')).toHaveLength(1));
    expect(berth.callsOf('containers.remove')[0]).toEqual({ id: ID, force: true, volumes: false });
  });
});
