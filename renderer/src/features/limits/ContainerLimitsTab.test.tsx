/**
 * The limits editor against a scripted `window.berth`: what the user edits is
 * what `resources.update` carries (only the changed fields, in the contract's
 * units), refusals and invalid input stay local, Undo re-applies the values
 * in force before the last Apply, and two editors keep their own histories.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../preload/contract';
import { ErrorCodes } from '../../../../preload/errors';
import type { EffectiveLimits, Limits } from '../../../../preload/schemas/resources';
import { installFakeBerth, renderWithBerth, type FakeBerth } from '../../testing/render';
import { ContainerLimitsTab } from './ContainerLimitsTab';
import { HYBRID, MiB, v2, V2_ID } from './test-fixtures';

const ID = V2_ID;
const G = `/sys/fs/cgroup/berth/${ID}`;

type LimitsAnswer = Result<'resources.limits'>;
const answer = (effective: EffectiveLimits): LimitsAnswer => ({ id: ID, requested: {}, effective });

/**
 * A fake kernel: `resources.update` folds pids.max / memory.max / cpu.weight
 * into the read-back it answers with, like the helper does.
 */
function fakeKernel(initial = v2()): FakeBerth & { state: () => EffectiveLimits } {
  let eff = initial;
  const apply = (l: Limits) => {
    eff = v2({
      memMax: l.memory?.max !== undefined ? l.memory.max : eff.memory!.max!.value,
      pidsMax: l.pids ? (l.pids.max ?? null) : eff.pids!.max!.value,
      cpuWeight: l.cpu?.weight ?? eff.cpu!.weight!.value,
    });
  };
  const berth = installFakeBerth({
    'resources.limits': () => answer(eff),
    'resources.update': ({ limits }) => {
      apply(limits);
      return answer(eff);
    },
  });
  return Object.assign(berth, { state: () => eff });
}

describe('ContainerLimitsTab', () => {
  it('shows each control with the kernel file it writes and the value read back', async () => {
    fakeKernel();
    renderWithBerth(<ContainerLimitsTab id={ID} />);
    expect(await screen.findByTestId('kernel-file-memory.max')).toHaveProperty('textContent', `${G}/memory.max`);
    expect(screen.getByTestId('readback-memory.max').textContent).toBe(String(64 * MiB));
    expect(screen.getByTestId('kernel-file-pids.max').textContent).toBe(`${G}/pids.max`);
    expect(screen.getByTestId('readback-pids.max').textContent).toBe('max');
    expect(screen.getByTestId('kernel-file-cpu.weight').textContent).toBe(`${G}/cpu.weight`);
    expect(screen.getByTestId('unsupported-devices').textContent).toContain('cgroup v2 has no devices files');
    expect((screen.getByRole('spinbutton', { name: 'memory.max hard limit' }) as HTMLInputElement).value).toBe('64');
  });

  it('sends only the edited field, in the contract units, and shows the new read-back', async () => {
    const berth = fakeKernel();
    const user = userEvent.setup({ delay: null });
    renderWithBerth(<ContainerLimitsTab id={ID} />);
    const pids = await screen.findByLabelText('pids.max');
    await user.type(pids, '128');
    expect(within(screen.getByTestId('limit-pids.max')).getByText('pending')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Apply (1)' }));

    await waitFor(() => expect(screen.getByTestId('readback-pids.max').textContent).toBe('128'));
    expect(berth.callsOf('resources.update')).toEqual([{ id: ID, limits: { pids: { max: 128 } } }]);
    // The row names the file the fake kernel wrote, and LIMIT_FIELDS' v2 file for it.
    expect(screen.getByTestId('kernel-file-pids.max').textContent).toBe(`${G}/pids.max`);
    expect(screen.getByTestId('kernel-file-pids.max').title).toContain('pids.max on this cgroup version');
    expect(within(screen.getByTestId('limit-pids.max')).queryByText('pending')).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('pids.max 128');
  });

  it('converts a byte amount with its unit before sending it', async () => {
    const berth = fakeKernel();
    const user = userEvent.setup({ delay: null });
    renderWithBerth(<ContainerLimitsTab id={ID} />);
    const input = await screen.findByRole('spinbutton', { name: 'memory.max hard limit' });
    await user.clear(input);
    await user.type(input, '1.5');
    await user.selectOptions(screen.getByLabelText('memory.max hard limit unit'), 'GiB');
    await user.click(screen.getByRole('button', { name: 'Apply (1)' }));
    await waitFor(() => expect(berth.callsOf('resources.update')).toHaveLength(1));
    expect(berth.callsOf('resources.update')[0]).toEqual({ id: ID, limits: { memory: { max: 1.5 * 1024 * MiB } } });
  });

  it('shows why invalid input is refused and sends nothing', async () => {
    const berth = fakeKernel();
    const user = userEvent.setup({ delay: null });
    renderWithBerth(<ContainerLimitsTab id={ID} />);
    const weight = await screen.findByLabelText('cpu.weight');
    await user.clear(weight);
    await user.type(weight, '20000');

    const row = screen.getByTestId('limit-cpu.weight');
    const alert = within(row).getByRole('alert');
    expect(alert.textContent).toMatch(/10000|too big/i);
    expect(weight.getAttribute('aria-invalid') ?? row.className).toMatch(/true|is-invalid/);

    await user.click(screen.getByRole('button', { name: 'Apply (1)' }));
    expect(screen.getByText(/Not sent: 1 field\(s\) fail validation/)).toBeTruthy();
    expect(berth.callsOf('resources.update')).toEqual([]);
  });

  it('shows the engine refusal and refetches the read-back in force', async () => {
    const berth = fakeKernel();
    const user = userEvent.setup({ delay: null });
    renderWithBerth(<ContainerLimitsTab id={ID} />);
    berth.answer('resources.update', () => ({
      error: { code: ErrorCodes.CGROUP_LIMIT_REFUSED, message: 'memory.max: device or resource busy' },
    }));
    const pids = await screen.findByLabelText('pids.max');
    const readsBefore = berth.callsOf('resources.limits').length;
    await user.type(pids, '5');
    await user.click(screen.getByRole('button', { name: 'Apply (1)' }));

    const refusal = await screen.findByTestId('apply-error');
    expect(refusal.textContent).toContain('The kernel refused the change');
    expect(refusal.textContent).toContain('memory.max: device or resource busy');
    await waitFor(() => expect(berth.callsOf('resources.limits').length).toBeGreaterThan(readsBefore));
    expect(screen.getByTestId('readback-pids.max').textContent).toBe('max');
  });

  it('Undo re-applies what was in force before each Apply, last first', async () => {
    const berth = fakeKernel();
    const user = userEvent.setup({ delay: null });
    renderWithBerth(<ContainerLimitsTab id={ID} />);
    const undo = await screen.findByRole('button', { name: 'Undo' });
    expect(undo).toHaveProperty('disabled', true);

    await user.type(screen.getByLabelText('pids.max'), '64');
    await user.click(screen.getByRole('button', { name: 'Apply (1)' }));
    await waitFor(() => expect(screen.getByTestId('readback-pids.max').textContent).toBe('64'));
    const pids = screen.getByLabelText('pids.max');
    await user.clear(pids);
    await user.type(pids, '32');
    await user.click(screen.getByRole('button', { name: 'Apply (1)' }));
    await waitFor(() => expect(screen.getByTestId('readback-pids.max').textContent).toBe('32'));

    await user.click(screen.getByRole('button', { name: 'Undo (2)' }));
    await waitFor(() => expect(screen.getByTestId('readback-pids.max').textContent).toBe('64'));
    await user.click(screen.getByRole('button', { name: 'Undo (1)' }));
    await waitFor(() => expect(screen.getByTestId('readback-pids.max').textContent).toBe('max'));

    expect(berth.callsOf('resources.update').map((c) => c.limits)).toEqual([
      { pids: { max: 64 } },
      { pids: { max: 32 } },
      { pids: { max: 64 } },
      { pids: { max: null } },
    ]);
    expect(screen.getByRole('button', { name: 'Undo' })).toHaveProperty('disabled', true);
    expect(berth.state().pids?.max?.value).toBeNull();
  });

  it('Discard edits puts the read-back values back in the inputs', async () => {
    fakeKernel();
    const user = userEvent.setup({ delay: null });
    renderWithBerth(<ContainerLimitsTab id={ID} />);
    const pids = (await screen.findByLabelText('pids.max')) as HTMLInputElement;
    await user.type(pids, '9');
    await user.click(screen.getByRole('button', { name: 'Discard edits' }));
    expect(pids.value).toBe('');
    expect(screen.getByRole('button', { name: 'Apply' })).toHaveProperty('disabled', true);
  });

  it('two editors of one container keep their own undo history', async () => {
    fakeKernel();
    const user = userEvent.setup({ delay: null });
    const a = within(renderWithBerth(<ContainerLimitsTab id={ID} />).container);
    await user.type(await a.findByLabelText('pids.max'), '7');
    await user.click(a.getByRole('button', { name: 'Apply (1)' }));
    await waitFor(() => expect(a.getByRole('button', { name: 'Undo (1)' })).toBeTruthy());

    const b = within(renderWithBerth(<ContainerLimitsTab id={ID} />).container);
    expect(await b.findByTestId('readback-pids.max')).toHaveProperty('textContent', '7');
    expect(b.getByRole('button', { name: 'Undo' })).toHaveProperty('disabled', true);
    expect(a.getByRole('button', { name: 'Undo (1)' })).toHaveProperty('disabled', false);
  });
});

describe('ContainerLimitsTab on a hybrid host (v1 controllers)', () => {
  const renderHybrid = () => {
    const berth = installFakeBerth({
      'resources.limits': () => ({ id: 'x', requested: {}, effective: HYBRID }),
      'resources.update': () => ({ id: 'x', requested: {}, effective: HYBRID }),
    });
    renderWithBerth(<ContainerLimitsTab id="x" />);
    return berth;
  };

  it('shows the v1 files, the shares a weight becomes, and why memory.low is missing', async () => {
    renderHybrid();
    expect((await screen.findByTestId('kernel-file-memory.max')).textContent).toMatch(/memory\.limit_in_bytes$/);
    expect(screen.getByTestId('kernel-file-memory.max').title).toContain('memory.limit_in_bytes');
    expect(within(screen.getByTestId('limit-cpu.weight')).getByText('cpu.shares 999')).toBeTruthy();
    expect(within(screen.getByTestId('limit-memory.low')).getByTestId('unsupported-memory.low').textContent).toContain(
      'cgroup v1 has no memory reservation',
    );
  });

  it('sends device rules and a cpuset picked core by core', async () => {
    const berth = renderHybrid();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Add rule' }));
    await user.type(screen.getByLabelText('rule 1 major'), '1');
    await user.type(screen.getByLabelText('rule 1 minor'), '3');
    await user.click(screen.getByRole('button', { name: 'CPU 1' }));
    await user.click(screen.getByRole('button', { name: 'Apply (2)' }));
    await waitFor(() => expect(berth.callsOf('resources.update')).toHaveLength(1));
    expect(berth.callsOf('resources.update')[0]).toEqual({
      id: 'x',
      limits: {
        cpu: { cpusetCpus: '0' },
        devices: { rules: [{ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }] },
      },
    });
  });
});
