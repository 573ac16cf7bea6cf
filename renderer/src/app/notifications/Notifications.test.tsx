/**
 * Container notifications: the rules (deaths, OOM kills, restart loops; what
 * stays quiet), then the notifier mounted as in the app: events from the
 * bridge, names from the container list, stops asked from the window, the
 * desktop delivery through main (`app.notify`, the window build) and the
 * user's switch.
 */
import { useQuery } from '@tanstack/react-query';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../../../../preload/schemas/preferences';
import { useContainerAction } from '../../features/containers/hooks';
import { containersQueries } from '../../features/containers/queries';
import { containerSummary } from '../../testing/containers';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { useBerth } from '../client';
import { preferencesQuery } from '../preferences/preferences';
import { NoteStore } from './notes';
import { NoteList, useContainerNotifications } from './Notifications';
import { NotificationRules, type ContainerEvent } from './rules';

const ID = 'a'.repeat(64);
const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, s)).toISOString();
const ev = (action: ContainerEvent['action'], s: number, exitCode: number | null = null): ContainerEvent => ({
  id: ID,
  action,
  state: action === 'die' ? 'exited' : 'running',
  exitCode,
  at: at(s),
});

describe('notification rules', () => {
  it('tells a death with a non-zero code; a clean exit is no news', () => {
    const r = new NotificationRules();
    expect(r.feed(ev('die', 0, 0), 'web')).toBeNull();
    expect(r.feed(ev('die', 1, 3), 'web')).toMatchObject({
      kind: 'died',
      title: 'web died',
      body: 'It exited with exit code 3.',
    });
  });

  it('keeps quiet about an exit this window asked for (stop, kill, restart, remove)', () => {
    const r = new NotificationRules();
    r.expectStop(ID);
    expect(r.feed(ev('die', 0, 143), 'web')).toBeNull();
    // Only that one exit: the next unexpected death is told.
    expect(r.feed(ev('die', 100, 1), 'web')?.kind).toBe('died');
  });

  it('tells an OOM kill once, not again as a death', () => {
    const r = new NotificationRules();
    expect(r.feed(ev('oom', 0), 'web')).toMatchObject({ kind: 'oom', title: 'web was OOM-killed' });
    expect(r.feed(ev('die', 0, 137), 'web')).toBeNull();
  });

  it('finds a restart loop: N restarts within T, told once while it goes on', () => {
    const r = new NotificationRules({ loopCount: 3, loopWindowMs: 10_000 });
    expect(r.feed(ev('die', 0, 1), 'web')?.kind).toBe('died');
    expect(r.feed(ev('restart', 1), 'web')).toBeNull();
    expect(r.feed(ev('die', 2, 1), 'web')).toBeNull(); // one death note per window
    expect(r.feed(ev('restart', 3), 'web')).toBeNull();
    expect(r.feed(ev('restart', 5), 'web')).toMatchObject({
      kind: 'loop',
      title: 'web is restarting in a loop',
      body: '3 restarts within 10 s.',
    });
    expect(r.feed(ev('restart', 8), 'web')).toBeNull();
    expect(r.feed(ev('restart', 17), 'web')).toBeNull(); // still inside a window of the last restart
    // Quiet for a whole window, then looping again: told again.
    for (const s of [40, 42]) expect(r.feed(ev('restart', s), 'web')).toBeNull();
    expect(r.feed(ev('restart', 44), 'web')?.kind).toBe('loop');
  });

  it('restarts spread wider than T are no loop', () => {
    const r = new NotificationRules({ loopCount: 3, loopWindowMs: 10_000 });
    for (const s of [0, 8, 16, 24, 32]) expect(r.feed(ev('restart', s), 'web')).toBeNull();
  });
});

function Harness({ store }: { store: NoteStore }) {
  const client = useBerth();
  useQuery(containersQueries.list(client, { all: true }));
  useContainerNotifications(store);
  const stop = useContainerAction(ID);
  const prefs = useQuery(preferencesQuery(client));
  return (
    <>
      {prefs.isSuccess && <p>preferences read</p>}
      <button type="button" onClick={() => stop.mutate({ kind: 'stop', timeoutSec: 1 })}>
        Stop web
      </button>
      <NoteList store={store} />
    </>
  );
}

describe('the notifier in the window', () => {
  const setup = async (notifications = true) => {
    const fake = installFakeBerth({
      'preferences.get': () => ({ ...DEFAULT_PREFERENCES, notifications }),
      'containers.list': () => [containerSummary({ id: ID, name: 'web' })],
      'containers.stop': () => containerSummary({ id: ID, name: 'web', state: 'exited' }),
      'app.notify': () => ({ shown: true }),
    });
    const store = new NoteStore();
    renderWithBerth(<Harness store={store} />);
    await screen.findByText('preferences read');
    return fake;
  };

  it('shows a death by the container name and hands it to main for the desktop', async () => {
    const fake = await setup();
    await waitFor(() => expect(fake.callsOf('containers.list')).toHaveLength(1));
    await act(async () => fake.emit('containers.changed', ev('die', 0, 2)));
    expect((await screen.findByRole('status')).textContent).toBe('web diedIt exited with exit code 2.×');
    await waitFor(() =>
      expect(fake.callsOf('app.notify')).toEqual([{ title: 'web died', body: 'It exited with exit code 2.' }]),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss: web died' }));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('says nothing about the exit of a stop asked from the window', async () => {
    const fake = await setup();
    await userEvent.click(screen.getByRole('button', { name: 'Stop web' }));
    await waitFor(() => expect(fake.callsOf('containers.stop')).toHaveLength(1));
    await act(async () => fake.emit('containers.changed', ev('die', 0, 137)));
    await act(async () => fake.emit('containers.changed', ev('oom', 30)));
    // The OOM note arrives; the stop's exit before it made none.
    expect((await screen.findByRole('status')).textContent).toContain('web was OOM-killed');
    expect(screen.getAllByRole('status')).toHaveLength(1);
  });

  it('shows nothing when the user turned notifications off', async () => {
    const fake = await setup(false);
    await act(async () => fake.emit('containers.changed', ev('oom', 0)));
    await act(async () => fake.emit('containers.changed', ev('die', 1, 9)));
    expect(screen.queryByRole('status')).toBeNull();
    expect(fake.callsOf('app.notify')).toEqual([]);
  });
});
