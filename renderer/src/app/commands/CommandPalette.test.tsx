/**
 * The command palette and the shortcuts, in the app's shell: Ctrl+K opens it
 * over every page, "Go to" commands come from the route list, search finds
 * containers and images, the selected container's actions run through the
 * engine with the user's stop timeout, a removal (Delete, or Remove in the
 * palette) opens the containers feature's remove dialog — the anonymous
 * volumes, "force" and "-v" — as the actions bar's Remove does, and Escape
 * or the dialog's close gives the focus back.
 */
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../../../../preload/schemas/preferences';
import { containerSummary } from '../../testing/containers';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { volumeSummary } from '../../testing/volumes';
import { routes } from '../routes';
import { Shell } from '../Shell';

const WEB = 'c'.repeat(64);
const OLD = 'd'.repeat(64);
const ANON = 'a1'.repeat(32);
const SHARED = 'b2'.repeat(32);

function setup() {
  window.location.hash = '#/settings';
  const fake = installFakeBerth({
    'preferences.get': () => ({ ...DEFAULT_PREFERENCES, stopTimeoutSeconds: 4 }),
    'containers.list': () => [
      containerSummary({ id: WEB, name: 'web' }),
      containerSummary({ id: OLD, name: 'old-job', state: 'exited', pid: null, exitCode: 0 }),
    ],
    'containers.stop': ({ id }) => containerSummary({ id, name: 'web', state: 'exited' }),
    'containers.remove': ({ id }) => ({ id }),
    'volumes.list': () => [
      volumeSummary({ name: ANON, anonymous: true, users: [{ id: OLD, name: 'old-job' }] }),
      volumeSummary({
        name: SHARED,
        anonymous: true,
        users: [
          { id: OLD, name: 'old-job' },
          { id: WEB, name: 'web' },
        ],
      }),
    ],
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

  it('Delete opens the remove dialog: its anonymous volumes, the one another container keeps, -v sent', async () => {
    const fake = setup();
    await act(async () => {
      window.location.hash = '#/containers';
    });
    const row = await screen.findByRole('link', { name: 'old-job' });
    row.focus();
    await userEvent.keyboard('{Delete}');
    const dialog = within(await screen.findByRole('dialog', { name: 'Remove old-job' }));
    expect(screen.queryByRole('dialog', { name: 'Command palette' })).toBeNull();
    const list = await dialog.findByRole('list', { name: 'Anonymous volumes' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('data-volume'))).toEqual([ANON, SHARED]);
    expect(items[1]!.textContent).toContain('kept: also mounted by web');
    expect(fake.callsOf('containers.remove')).toEqual([]);
    await userEvent.click(dialog.getByRole('checkbox', { name: /anonymous volumes too/ }));
    expect(items.map((i) => i.getAttribute('data-goes'))).toEqual(['yes', 'no']);
    await userEvent.click(dialog.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(fake.callsOf('containers.remove')).toEqual([{ id: OLD, force: false, volumes: true }]));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Remove old-job' })).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(row));
  });

  it("the palette's Remove opens the same dialog, offered for a running one too (force); Cancel sends nothing", async () => {
    const fake = setup();
    await act(async () => {
      window.location.hash = '#/containers';
    });
    const row = await screen.findByRole('link', { name: 'web' });
    row.focus();
    await userEvent.keyboard('{Control>}k{/Control}');
    await userEvent.type(input(), 'remove web');
    expect(selected()?.textContent).toBe('Remove web…Delete');
    await userEvent.keyboard('{Enter}');
    const dialog = within(await screen.findByRole('dialog', { name: 'Remove web' }));
    expect(screen.queryByRole('dialog', { name: 'Command palette' })).toBeNull();
    expect(dialog.getByText(/It is running: the engine refuses unless "force" is ticked/)).toBeTruthy();
    await userEvent.click(dialog.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Remove web' })).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(row));

    await userEvent.keyboard('{Control>}k{/Control}');
    await userEvent.type(input(), 'remove web');
    await userEvent.keyboard('{Enter}');
    const again = within(await screen.findByRole('dialog', { name: 'Remove web' }));
    await userEvent.click(again.getByRole('checkbox', { name: /Force/ }));
    await userEvent.click(again.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(fake.callsOf('containers.remove')).toEqual([{ id: WEB, force: true, volumes: false }]));
  });
});
