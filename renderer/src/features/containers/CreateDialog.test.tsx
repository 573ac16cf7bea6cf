/**
 * The Create dialog against a scripted `window.berth`: what the user fills
 * in is the `containers.create` request, invalid fields are refused with the
 * contract's messages before anything is sent, and a failed start is retried
 * without creating a second container.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Result } from '../../../../preload/contract';
import { ErrorCodes } from '../../../../preload/errors';
import { installFakeBerth, renderWithBerth, type Answers } from '../../testing/render';
import { CreateDialog } from './CreateDialog';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

function image(tag: string | null, c: string): Result<'images.list'>[number] {
  return {
    id: digest(c),
    shortId: c.repeat(12),
    repoTags: tag ? [tag] : [],
    names: tag ? [`docker.io/library/${tag}`] : [],
    digest: digest(c),
    size: 4_000_000,
    compressedSize: 2_000_000,
    created: null,
    architecture: 'amd64',
    os: 'linux',
    layers: 1,
  } as Result<'images.list'>[number];
}

const IMAGES = [image('alpine:3.20', 'a'), image('busybox:latest', 'b'), image(null, 'c')];

function summary(id: string, name: string): Result<'containers.start'> {
  return {
    id,
    name,
    image: 'busybox:latest',
    imageId: digest('b'),
    command: ['sh'],
    created: '2026-12-07T10:00:00Z',
    state: 'running',
    reason: null,
    pid: 4242,
    exitCode: null,
    oomKilled: false,
    startedAt: '2026-12-07T10:00:01Z',
    finishedAt: null,
    restartCount: 0,
    network: { mode: 'bridge', ip: '10.88.0.2', ports: [], networks: [] },
    labels: {},
    privileged: false,
  } as Result<'containers.start'>;
}

function setup(extra: Answers = {}) {
  const berth = installFakeBerth({
    'images.list': () => IMAGES,
    'containers.create': (p) => ({ id: 'f00d'.repeat(16), name: p.name ?? 'quirky_name', warnings: [] }),
    'containers.start': ({ id }) => summary(id, 'web'),
    ...extra,
  });
  const onClose = vi.fn();
  const onCreated = vi.fn();
  renderWithBerth(<CreateDialog onClose={onClose} onCreated={onCreated} />);
  const dialog = within(screen.getByRole('dialog', { hidden: true }));
  return { berth, onClose, onCreated, dialog, user: userEvent.setup({ delay: null }) };
}

describe('CreateDialog', () => {
  it('offers the stored images and picks busybox:latest by default', async () => {
    const { dialog } = setup();
    const select = (await dialog.findByRole('option', { name: /^alpine:3\.20/, hidden: true })).closest('select')!;
    expect([...select.options].map((o) => o.value)).toEqual(['alpine:3.20', 'busybox:latest', digest('c')]);
    expect(select.value).toBe('busybox:latest');
  });

  it('sends what was filled in as containers.create, then starts it', async () => {
    const { berth, dialog, user, onCreated, onClose } = setup();
    await dialog.findByRole('option', { name: /^alpine/, hidden: true });
    await user.selectOptions(dialog.getByLabelText('Image'), 'alpine:3.20');
    await user.type(dialog.getByLabelText(/^Name/), 'web');
    await user.type(dialog.getByLabelText(/^Command/), 'sh -c "echo hi; sleep 60"');
    await user.click(dialog.getByRole('button', { name: '+ variable', hidden: true }));
    await user.type(dialog.getByLabelText('Variable 1 name'), 'MODE');
    await user.type(dialog.getByLabelText('Variable 1 value'), 'prod');
    await user.click(dialog.getByRole('button', { name: '+ volume', hidden: true }));
    await user.type(dialog.getByLabelText('Volume 1 host path'), '/srv/data');
    await user.type(dialog.getByLabelText('Volume 1 container path'), '/data');
    await user.click(dialog.getByRole('checkbox', { name: 'read-only', hidden: true }));
    await user.click(dialog.getByRole('button', { name: '+ port', hidden: true }));
    await user.type(dialog.getByLabelText('Port 1 host port'), '8080');
    await user.type(dialog.getByLabelText('Port 1 container port'), '80');
    await user.selectOptions(dialog.getByLabelText('Restart policy'), 'on-failure');
    await user.clear(dialog.getByLabelText(/^Max retries/));
    await user.type(dialog.getByLabelText(/^Max retries/), '3');
    await user.type(dialog.getByLabelText(/^Memory MiB/), '96');
    await user.type(dialog.getByLabelText(/^CPUs/), '0.5');
    await user.type(dialog.getByLabelText(/^PIDs max/), '64');
    await user.click(dialog.getByRole('button', { name: 'Create and start', hidden: true }));

    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    const [request] = berth.callsOf('containers.create');
    expect(request).toMatchObject({
      image: 'alpine:3.20',
      name: 'web',
      command: ['sh', '-c', 'echo hi; sleep 60'],
      env: ['MODE=prod'],
      volumes: [{ source: '/srv/data', destination: '/data', readOnly: true }],
      ports: [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }],
      network: 'bridge',
      restart: { name: 'on-failure', maxRetries: 3 },
      resources: { memory: { max: 96 * 1024 * 1024 }, cpu: { cpus: 0.5 }, pids: { max: 64 } },
    });
    expect(berth.callsOf('containers.start')).toEqual([{ id: 'f00d'.repeat(16) }]);
    expect(onCreated).toHaveBeenCalledWith({ id: 'f00d'.repeat(16), name: 'web', warnings: [], started: true });
    expect(onClose).toHaveBeenCalled();
  });

  it('"Create" alone does not start the container', async () => {
    const { berth, dialog, user, onCreated } = setup();
    await dialog.findByRole('option', { name: /^busybox/, hidden: true });
    await user.click(dialog.getByRole('button', { name: 'Create', hidden: true }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(berth.callsOf('containers.create')[0]).toMatchObject({ image: 'busybox:latest' });
    expect(berth.callsOf('containers.start')).toEqual([]);
    expect(onCreated.mock.calls[0]![0]).toMatchObject({ started: false });
  });

  it('refuses invalid fields with the schema messages and sends nothing', async () => {
    const { berth, dialog, user } = setup();
    await dialog.findByRole('option', { name: /^busybox/, hidden: true });
    await user.type(dialog.getByLabelText(/^Name/), 'not a name!');
    await user.type(dialog.getByLabelText(/^CPU set/), '3-1');
    await user.click(dialog.getByRole('button', { name: '+ volume', hidden: true }));
    await user.type(dialog.getByLabelText('Volume 1 host path'), 'relative/path');
    await user.type(dialog.getByLabelText('Volume 1 container path'), '/data');
    await user.click(dialog.getByRole('button', { name: 'Create', hidden: true }));

    expect(dialog.getByLabelText(/^Name/).getAttribute('aria-invalid')).toBe('true');
    const alerts = dialog.getAllByRole('alert', { hidden: true }).map((a) => a.textContent);
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.stringContaining('letters, digits, _ . - (docker rules)'),
        expect.stringContaining('host paths must be absolute'),
        expect.stringContaining('a cpu list like'),
      ]),
    );
    expect(dialog.getByText('3 fields need attention')).toBeTruthy();
    expect(berth.callsOf('containers.create')).toEqual([]);

    // Fixing a field clears its message as you type.
    await user.clear(dialog.getByLabelText(/^Name/));
    await user.type(dialog.getByLabelText(/^Name/), 'a-fine-name');
    expect(dialog.getByLabelText(/^Name/).getAttribute('aria-invalid')).toBe('false');
    expect(dialog.getByText('2 fields need attention')).toBeTruthy();
  });

  it('after a failed start, "Start" retries the start only', async () => {
    let starts = 0;
    const { berth, dialog, user, onCreated } = setup({
      'containers.start': ({ id }) =>
        ++starts === 1
          ? { error: { code: ErrorCodes.CONTAINER_START_FAILED, message: 'exec: no such file' } }
          : summary(id, 'web'),
    });
    await dialog.findByRole('option', { name: /^busybox/, hidden: true });
    await user.type(dialog.getByLabelText(/^Name/), 'web');
    await user.click(dialog.getByRole('button', { name: 'Create and start', hidden: true }));

    expect(await dialog.findByText('Created web, but could not start it')).toBeTruthy();
    expect(dialog.getByText(/exec: no such file/)).toBeTruthy();
    expect(dialog.queryByRole('button', { name: 'Create', hidden: true })).toBeNull();
    await user.click(dialog.getByRole('button', { name: 'Start', hidden: true }));

    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(berth.callsOf('containers.create')).toHaveLength(1);
    expect(berth.callsOf('containers.start')).toHaveLength(2);
    expect(onCreated.mock.calls[0]![0]).toMatchObject({ name: 'web', started: true });
  });

  it('offers user-defined networks next to the modes and sends the chosen one', async () => {
    const net = {
      id: 'ab'.repeat(32),
      name: 'backend',
      driver: 'bridge' as const,
      scope: 'local' as const,
      created: '2026-12-07T00:00:00.000Z',
      internal: false,
      builtin: false,
      subnet: '10.89.1.0/24',
      gateway: '10.89.1.1',
      bridge: 'bn-abababababab',
      labels: {},
      containerCount: 0,
    };
    const { berth, dialog, user } = setup({
      'networks.list': () => [{ ...net, id: 'bridge', name: 'bridge', builtin: true }, net],
    });
    await dialog.findByRole('option', { name: 'backend', hidden: true });
    await user.selectOptions(dialog.getByLabelText(/^Network/), 'backend');
    await user.click(dialog.getByRole('button', { name: '+ port', hidden: true }));
    await user.type(dialog.getByLabelText('Port 1 host port'), '8080');
    await user.type(dialog.getByLabelText('Port 1 container port'), '80');
    await user.click(dialog.getByRole('button', { name: 'Create', hidden: true }));
    await waitFor(() => expect(berth.callsOf('containers.create')).toHaveLength(1));
    expect(berth.callsOf('containers.create')[0]).toMatchObject({
      network: 'backend',
      ports: [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }],
    });
  });
});
