/**
 * The command palette and the shortcuts, in the app's shell: Ctrl+K opens it
 * over every page, "Go to" commands come from the route list, search finds
 * containers and images, the selected container's actions run through the
 * engine with the user's stop timeout, a removal asks first, Escape gives
 * the focus back.
 */
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../../../../preload/schemas/preferences';
import { containerSummary } from '../../testing/containers';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { routes } from '../routes';
import { Shell } from '../Shell';

const WEB = 'c'.repeat(64);
const OLD = 'd'.repeat(64);

function setup() {
  window.location.hash = '#/settings';
  const fake = installFakeBerth({
    'preferences.get': () => ({ ...DEFAULT_PREFERENCES, stopTimeoutSeconds: 4 }),
    'containers.list': () => [
      containerSummary({ id: WEB, name: 'web' }),
      containerSummary({ id: OLD, name: 'old-job', state: 'exited', pid: null, exitCode: 0 }),
    ],
    'containers.stop': ({ id }) => containerSummary({ id, name: 'web', state: 'exited' }),
    'containers.remove': () => ({}) as never,
    'images.list': () => [
      {
        id: `sha256:${'e'.repeat(64)}`,
        repoTags: ['docker.io/library/busybox:latest'],
        repoDigests: [],
        created: null,
        size: 1000,
        layers: 1,
        containers: 0,
      } as never,
    ],
  });
  renderWithBerth(<Shell />);
  return fake;
}

const palette = () => screen.getByRole('dialog', { name: 'Command palette' });
const input = () => within(palette()).getByRole('combobox', { name: 'Command or search' });
const options = () =>
  within(palette())
    .queryAllByRole('option')
    .map((o) => o.textContent);
const selected = () =>
  within(palette())
    .getAllByRole('option')
    .find((o) => o.getAttribute('aria-selected') === 'true');

afterEach(() => {
  window.location.hash = '';
});

describe('command palette', () => {
  it('opens with Ctrl+K, lists a "Go to" per route and goes there with Enter', async () => {
    setup();
    const opener = screen.getByRole('button', { name: /Search & commands/ });
    opener.focus();
    await userEvent.keyboard('{Control>}k{/Control}');
    expect(options()).toEqual(
      expect.arrayContaining(routes.map((r, i) => `Go to ${r.label}${i < 9 ? `Alt+${i + 1}` : ''}`)),
    );
    await userEvent.type(input(), 'go ima');
    expect(selected()?.textContent).toContain('Go to Images');
    expect(input().getAttribute('aria-activedescendant')).toBe(selected()?.id);
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(window.location.hash).toBe('#/images'));
    expect(screen.queryByRole('dialog', { name: 'Command palette' })).toBeNull();
  });

  it('searches containers and images; arrows move; Enter opens the one chosen', async () => {
    const fake = setup();
    await userEvent.keyboard('{Control>}k{/Control}');
    await waitFor(() => expect(fake.callsOf('images.list')).toHaveLength(1));
    await userEvent.type(input(), 'busybox');
    await waitFor(() => expect(options()).toContain('docker.io/library/busybox:latesteeeeeeeeeeee'));
    await userEvent.clear(input());
    await userEvent.type(input(), 'old');
    await waitFor(() => expect(options().some((o) => o?.startsWith('old-job'))).toBe(true));
    while (!selected()?.textContent?.startsWith('old-job')) await userEvent.keyboard('{ArrowDown}');
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(window.location.hash).toBe(`#/containers/${OLD}`));
  });

  it('Escape closes it and gives the focus back', async () => {
    setup();
    const opener = screen.getByRole('button', { name: /Search & commands/ });
    await userEvent.click(opener);
    expect(document.activeElement).toBe(input());
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Command palette' })).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });
});

describe('shortcuts', () => {
  it('Alt+n goes to the n-th page of the route list', async () => {
    setup();
    await userEvent.keyboard('{Alt>}2{/Alt}');
    await waitFor(() => expect(window.location.hash).toBe(`#${routes[1]!.path}`));
  });

  it("stops the focused row's container with X, using the user's stop timeout", async () => {
    const fake = setup();
    await act(async () => {
      window.location.hash = '#/containers';
    });
    // The table's field shows the preference once main answered (the page is a lazy chunk: give it time to load).
    const field = await screen.findByRole<HTMLInputElement>(
      'spinbutton',
      { name: /Stop timeout/ },
      { timeout: 10_000 },
    );
    await waitFor(() => expect(field.value).toBe('4'));
    (await screen.findByRole('link', { name: 'web' })).focus();
    await userEvent.keyboard('x');
    await waitFor(() => expect(fake.callsOf('containers.stop')).toEqual([{ id: WEB, timeoutSec: 4 }]));
  });

  it('Delete asks in the palette before removing; Enter confirms', async () => {
    const fake = setup();
    await act(async () => {
      window.location.hash = '#/containers';
    });
    (await screen.findByRole('link', { name: 'old-job' })).focus();
    await userEvent.keyboard('{Delete}');
    expect(within(palette()).getByRole('alert').textContent).toContain('Remove old-job and its writable layer?');
    expect(fake.callsOf('containers.remove')).toEqual([]);
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(fake.callsOf('containers.remove')).toEqual([{ id: OLD, force: false }]));
  });
});
