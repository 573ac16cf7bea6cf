/** The Networks page's create form against a scripted `window.berth`: its three labelled fields, the problem shown on the name field, and what Create sends. */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../preload/contract';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { NetworksPage } from './NetworksPage';

const created = (name: string): Result<'networks.create'> =>
  ({
    id: 'n'.repeat(64),
    name,
    driver: 'bridge',
    scope: 'local',
    created: '2026-12-07T12:00:00Z',
    internal: false,
    builtin: false,
    subnet: '10.90.0.0/24',
    gateway: '10.90.0.1',
    bridge: 'br-nnnn',
    labels: {},
    containerCount: 0,
  }) as Result<'networks.create'>;

describe('NetworksPage create form', () => {
  it('labels each field, flags a bad name on its own input, and sends what was typed', async () => {
    const fake = installFakeBerth({ 'networks.list': () => [], 'networks.create': (p) => created(p.name) });
    renderWithBerth(<NetworksPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Create network…' }));
    const dialog = screen.getByRole('dialog');
    const name = within(dialog).getByLabelText('Name');
    const subnet = within(dialog).getByLabelText('Subnet (optional)');
    const gateway = within(dialog).getByLabelText('Gateway (optional)');
    expect(new Set([name.id, subnet.id, gateway.id]).size).toBe(3);

    await userEvent.type(name, 'bad name!');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(within(dialog).getByRole('alert').textContent).toMatch(/^Letters, digits/);
    expect(name.getAttribute('aria-describedby')).toBe(within(dialog).getByRole('alert').id);
    expect(subnet.getAttribute('aria-invalid')).toBeNull();

    await userEvent.clear(name);
    await userEvent.type(name, 'shop');
    await userEvent.type(subnet, '10.90.0.0/24');
    await userEvent.type(gateway, '10.90.0.1');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(fake.callsOf('networks.create')).toEqual([
        { name: 'shop', subnet: '10.90.0.0/24', gateway: '10.90.0.1', internal: false },
      ]),
    );
  });
});
