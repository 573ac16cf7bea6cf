/** The Pods page against a scripted `window.berth`: rows with members, and the actions' calls and refusals. */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../preload/contract';
import { ErrorCodes } from '../../../../preload/errors';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { PodsPage } from './PodsPage';

const pod = (over: Partial<Result<'pods.list'>[number]> = {}): Result<'pods.list'>[number] => ({
  id: 'a'.repeat(64),
  name: 'shop',
  created: '2026-12-07T12:00:00Z',
  state: 'running',
  share: ['net', 'ipc', 'uts', 'pid'],
  network: { mode: 'bridge', ip: '10.89.0.5', ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
  holderPid: 4242,
  members: [
    { id: 'b'.repeat(64), name: 'shop-web', image: 'busybox', state: 'running', pid: 4300 },
    { id: 'c'.repeat(64), name: 'shop-db', image: 'busybox', state: 'exited', pid: null },
  ],
  labels: {},
  ...over,
});

describe('PodsPage', () => {
  it('lists each pod with its shares, ports, holder and members', async () => {
    installFakeBerth({ 'pods.list': () => [pod()] });
    renderWithBerth(<PodsPage />);
    const row = (await screen.findByText('shop')).closest('tr')!;
    expect(row.querySelector('.pod-state-running')?.textContent).toBe('running');
    expect(within(row).getByText('net, ipc, uts, pid')).toBeTruthy();
    expect(within(row).getByText('8080→80/tcp')).toBeTruthy();
    expect(within(row).getByText('4242')).toBeTruthy();
    const members = within(row).getByRole('list', { name: 'Members of shop' });
    expect(within(members).getByRole('link', { name: 'shop-web' }).getAttribute('href')).toBe(
      `#/containers/${'b'.repeat(64)}`,
    );
    expect(within(members).getByText('exited')).toBeTruthy();
  });

  it('stop and a confirmed remove call the engine; a refusal is shown with its message', async () => {
    const fake = installFakeBerth({
      'pods.list': () => [pod()],
      'pods.stop': () => pod({ state: 'stopped', holderPid: null }),
      'pods.remove': () => ({ error: { code: ErrorCodes.POD_RUNNING, message: 'pod shop is running' } }),
    });
    renderWithBerth(<PodsPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Stop shop' }));
    await waitFor(() => expect(fake.callsOf('pods.stop')).toEqual([{ id: 'a'.repeat(64), timeoutSec: 10 }]));
    await userEvent.click(screen.getByRole('button', { name: 'Remove shop' }));
    await userEvent.click(screen.getByRole('button', { name: 'Confirm remove shop' }));
    await waitFor(() => expect(fake.callsOf('pods.remove')).toEqual([{ id: 'a'.repeat(64), force: true }]));
    expect((await screen.findByRole('alert')).textContent).toBe('pod shop is running');
  });

  it('says so when there are no pods', async () => {
    installFakeBerth({ 'pods.list': () => [] });
    renderWithBerth(<PodsPage />);
    expect(await screen.findByText('No pods.')).toBeTruthy();
  });
});
