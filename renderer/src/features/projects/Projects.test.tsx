/**
 * Compose projects in the UI against a scripted `window.berth`: the
 * Containers table's group rows (collapsible, counts, working dir), the
 * project actions' calls and their order, Down's confirm listing exactly
 * what goes, and the merged logs prefixed by service.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../preload/contract';
import { ErrorCodes } from '../../../../preload/errors';
import { containerSummary, type Summary } from '../../testing/containers';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { volumeSummary } from '../../testing/volumes';
import { ContainersPage } from '../containers/ContainersPage';
import { groupByProject } from './group';
import { COMPOSE } from './labels';
import { ProjectLogs } from './ProjectLogs';

const id = (s: string) => s.padEnd(64, '0');

const member = (service: string, over: Partial<Summary> = {}): Summary =>
  containerSummary({
    id: id(`shop-${service}`),
    name: `shop-${service}-1`,
    labels: {
      [COMPOSE.project]: 'shop',
      [COMPOSE.service]: service,
      [COMPOSE.number]: '1',
      [COMPOSE.workingDir]: '/home/u/shop',
      [COMPOSE.configFiles]: '/home/u/shop/compose.yaml',
      [COMPOSE.oneoff]: 'False',
    },
    ...over,
  });

const db = member('db', { created: '2026-12-07T10:00:00Z', state: 'running' });
const web = member('web', { created: '2026-12-07T10:00:02Z', state: 'exited', exitCode: 0, pid: null });
const loose = containerSummary({ id: id('loose'), name: 'loose' });

const network = (name: string, labels: Record<string, string>): Result<'networks.list'>[number] => ({
  id: id(name),
  name,
  driver: 'bridge',
  scope: 'local',
  created: '2026-12-07T10:00:00Z',
  internal: false,
  builtin: false,
  subnet: '10.89.3.0/24',
  gateway: '10.89.3.1',
  bridge: 'berth-x',
  labels,
  containerCount: 0,
});

const volume = (name: string, labels: Record<string, string>) => volumeSummary({ name, labels, sizeBytes: 4096 });

function scripted(list: Summary[] = [loose, web, db]) {
  return installFakeBerth({
    'containers.list': () => list,
    'containers.start': ({ id }) => ({ ...list.find((c) => c.id === id)!, state: 'running' }),
    'containers.stop': ({ id }) => ({ ...list.find((c) => c.id === id)!, state: 'exited' }),
    'containers.restart': ({ id }) => list.find((c) => c.id === id)!,
    'containers.remove': ({ id }) => ({ id }),
    'networks.list': () => [
      network('shop_default', { [COMPOSE.project]: 'shop', [COMPOSE.network]: 'default' }),
      network('shop_lookalike', {}),
    ],
    'networks.remove': ({ id }) => ({ id, name: id }),
    'volumes.list': () => [
      volume('shop_data', { [COMPOSE.project]: 'shop', [COMPOSE.volume]: 'data' }),
      volume('other', {}),
    ],
    'volumes.remove': ({ name }) => ({ name }),
  });
}

const groupRow = () => screen.getByRole('button', { name: 'Containers of project shop' }).closest('tr')!;

describe('Containers page grouped by compose project', () => {
  it('shows one group row per project with services, running/total and working dir; the rest as before', async () => {
    scripted();
    renderWithBerth(<ContainersPage />);
    await screen.findByRole('link', { name: 'loose' });
    const row = groupRow();
    expect(row.textContent).toContain('2 services · 1/2 running');
    expect(row.textContent).toContain('/home/u/shop');
    expect(within(row).getByRole('link', { name: 'shop' }).getAttribute('href')).toBe('#/projects/shop');
    expect(screen.getByRole('link', { name: 'shop-db-1' })).toBeTruthy();
    // Ungrouped rows come first, then the project's group (tbody) with its members.
    const bodies = [...document.querySelectorAll('table[aria-label="containers"] tbody')];
    expect(bodies.map((b) => b.getAttribute('data-project'))).toEqual([null, 'shop']);
    expect([...bodies[1]!.querySelectorAll('tr[data-id]')].map((r) => r.getAttribute('data-id'))).toEqual([
      db.id,
      web.id,
    ]);
  });

  it('under "Running", the group row still counts and acts on the whole project', async () => {
    const fake = installFakeBerth({
      'containers.list': ({ all }) => (all ? [loose, web, db] : [loose, db]),
      'containers.start': () => ({ ...web, state: 'running' }),
    });
    renderWithBerth(<ContainersPage />);
    await screen.findByRole('button', { name: 'Containers of project shop' });
    await userEvent.click(screen.getByRole('radio', { name: 'Running' }));
    await waitFor(() => expect(screen.queryByRole('link', { name: 'shop-web-1' })).toBeNull());
    expect(groupRow().textContent).toContain('2 services · 1/2 running');
    await userEvent.click(screen.getByRole('button', { name: 'Up' }));
    await waitFor(() => expect(fake.callsOf('containers.start').map((p) => p.id)).toEqual([web.id]));
  });

  it('the toggle hides and shows the members, by keyboard too', async () => {
    scripted();
    renderWithBerth(<ContainersPage />);
    const toggle = await screen.findByRole('button', { name: 'Containers of project shop' });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    toggle.focus();
    await userEvent.keyboard('{Enter}');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('link', { name: 'shop-db-1' })).toBeNull();
    expect(screen.getByRole('link', { name: 'loose' })).toBeTruthy();
    await userEvent.keyboard(' ');
    expect(await screen.findByRole('link', { name: 'shop-db-1' })).toBeTruthy();
  });

  it('Up starts the stopped containers oldest first; Stop the live ones; Restart all of them', async () => {
    const older = member('api', { created: '2026-12-07T09:00:00Z', state: 'created', pid: null });
    const fake = scripted([web, db, older]);
    renderWithBerth(<ContainersPage />);
    await screen.findByRole('button', { name: 'Containers of project shop' });
    const actions = within(screen.getByRole('group', { name: 'Actions for project shop' }));
    await userEvent.click(actions.getByRole('button', { name: 'Up' }));
    await waitFor(() => expect(fake.callsOf('containers.start').map((p) => p.id)).toEqual([older.id, web.id]));
    await userEvent.click(actions.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(fake.callsOf('containers.stop')).toEqual([{ id: db.id, timeoutSec: 10 }]));
    await userEvent.click(actions.getByRole('button', { name: 'Restart' }));
    await waitFor(() => expect(fake.callsOf('containers.restart').map((p) => p.id)).toEqual([older.id, db.id, web.id]));
  });

  it('a refusal part way names the step and what was done before it', async () => {
    const other = member('api', { created: '2026-12-07T11:00:00Z', state: 'exited', exitCode: 1, pid: null });
    const fake = scripted([web, db, other]);
    fake.answer('containers.start', ({ id }) =>
      id === other.id
        ? { error: { code: ErrorCodes.CONTAINER_NOT_FOUND, message: 'no such container' } }
        : { ...web, state: 'running' },
    );
    renderWithBerth(<ContainersPage />);
    await screen.findByRole('button', { name: 'Containers of project shop' });
    await userEvent.click(screen.getByRole('button', { name: 'Up' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Up of shop stopped at "start shop-api-1" (done before it: start shop-web-1)');
    expect(alert.textContent).toContain('CONTAINER_NOT_FOUND');
  });

  it('Down lists exactly what goes, volumes only when ticked, then removes them in order', async () => {
    const fake = scripted();
    renderWithBerth(<ContainersPage />);
    await screen.findByRole('button', { name: 'Containers of project shop' });
    await userEvent.click(screen.getByRole('button', { name: 'Down…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Down shop' });
    const list = within(dialog).getByRole('list', { name: 'To be removed' });
    await waitFor(() =>
      expect(
        within(list)
          .getAllByRole('listitem')
          .map((li) => li.textContent),
      ).toEqual(['container shop-web-1', 'container shop-db-1', 'network shop_default']),
    );
    await userEvent.click(within(dialog).getByRole('checkbox', { name: /Also remove its volumes \(1\)/ }));
    expect(within(list).getAllByRole('listitem').at(-1)!.textContent).toBe('volume shop_data and its data');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Down' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const order = fake.calls
      .filter((c) => /^(containers\.(stop|remove)|networks\.remove|volumes\.remove)$/.test(c.method))
      .map((c) => `${c.method} ${JSON.stringify(c.params)}`);
    expect(order).toEqual([
      `containers.stop ${JSON.stringify({ id: db.id, timeoutSec: 10 })}`,
      `containers.remove ${JSON.stringify({ id: web.id, force: false })}`,
      `containers.remove ${JSON.stringify({ id: db.id, force: false })}`,
      `networks.remove ${JSON.stringify({ id: 'shop_default' })}`,
      `volumes.remove ${JSON.stringify({ name: 'shop_data' })}`,
    ]);
  });
});

describe('Down refused part way', () => {
  it('is told in the dialog and on the page (whose group row may be gone by then)', async () => {
    const fake = scripted();
    fake.answer('networks.remove', () => ({
      error: { code: ErrorCodes.NETWORK_IN_USE, message: 'network shop_default has 1 container attached' },
    }));
    renderWithBerth(<ContainersPage />);
    await screen.findByRole('button', { name: 'Containers of project shop' });
    await userEvent.click(screen.getByRole('button', { name: 'Down…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Down shop' });
    await waitFor(() => expect(within(dialog).getByText('network', { exact: false })).toBeTruthy());
    await userEvent.click(within(dialog).getByRole('button', { name: 'Down' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('NETWORK_IN_USE');
    const banner = document.querySelector('.ctr-failure')!;
    expect(banner.textContent).toContain(
      'Down of shop stopped at "remove network shop_default" (done before it: stop shop-db-1, remove shop-web-1, remove shop-db-1)',
    );
  });
});

describe('ProjectLogs', () => {
  it('merges the containers’ lines by time, each prefixed with its service', async () => {
    const logs: Record<string, Result<'containers.logs'>> = {
      [db.id]: {
        cursor: 'd1',
        running: false,
        lines: [
          { t: '2026-12-07T10:00:00.000000100Z', stream: 'stdout', line: 'db ready' },
          { t: '2026-12-07T10:00:02Z', stream: 'stderr', line: 'db slow query' },
        ],
      },
      [web.id]: {
        cursor: 'w1',
        running: false,
        lines: [{ t: '2026-12-07T10:00:00.000000200Z', stream: 'stdout', line: 'GET /' }],
      },
    };
    const fake = installFakeBerth({ 'containers.logs': ({ id }) => logs[id]! });
    const stopped = { ...db, state: 'exited' as const };
    const project = groupByProject([stopped, web]).projects[0]!;
    renderWithBerth(<ProjectLogs project={project} />);
    const view = await screen.findByRole('log', { name: 'Logs of project shop' });
    await waitFor(() => expect(view.querySelectorAll('.prj-log-line')).toHaveLength(3));
    const rows = [...view.querySelectorAll('.prj-log-line')];
    expect(rows.map((r) => r.textContent)).toEqual(['db  |db ready', 'web |GET /', 'db  |db slow query']);
    const colour = (r: Element) => r.querySelector('.prj-log-service')!.className;
    expect(colour(rows[0]!)).toBe(colour(rows[2]!));
    expect(colour(rows[0]!)).not.toBe(colour(rows[1]!));
    expect(rows[2]!.getAttribute('data-stream')).toBe('stderr');
    // Both containers are stopped: each is read once, with a tail.
    expect(fake.callsOf('containers.logs')).toEqual([
      { id: db.id, tail: 500 },
      { id: web.id, tail: 500 },
    ]);
  });
});
