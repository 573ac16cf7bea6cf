/**
 * For the Resources / Limits tests: calling the API the way the page does
 * (its own same-origin WebSocket `/ws`, authenticated by the page's session
 * secret as a subprotocol, the same `{type:'invoke'}` frames the app's
 * transport sends), and
 * page objects for `#/resources` and `#/resources/<id>` found by role, label
 * and the test ids the kernel-truth read-backs carry.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { MethodName, Params, Result } from '../../preload/contract';
import { pageSessionProtocols } from './session';

type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/** One invoke over a fresh WebSocket opened by the page (its origin, its session). */
export async function invokeInPage<M extends MethodName>(page: Page, method: M, params: Params<M>): Promise<Result<M>> {
  const protocols = await pageSessionProtocols(page);
  const envelope = await page.evaluate(
    ({ method, params, protocols }) =>
      new Promise<Envelope>((resolve, reject) => {
        // Runs in the page (typed here against Node's lib, hence the cast for `location`).
        const { origin } = (globalThis as unknown as { location: { origin: string } }).location;
        const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/ws`, protocols);
        const timer = setTimeout(() => {
          ws.close();
          reject(new Error(`${method}: no answer within 30 s`));
        }, 30_000);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'invoke', id: 1, method, params }));
        ws.onmessage = (ev: { data: unknown }) => {
          const m = JSON.parse(String(ev.data)) as { type: string; id: number; envelope?: Envelope };
          if (m.type === 'result' && m.id === 1 && m.envelope) {
            clearTimeout(timer);
            ws.close();
            resolve(m.envelope);
          }
        };
        ws.onerror = () => {
          clearTimeout(timer);
          reject(new Error(`${method}: the WebSocket failed (is the page on the berth origin with its session?)`));
        };
      }),
    { method, params: params as unknown, protocols },
  );
  if (!envelope.ok) throw new Error(`${method} failed: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.result as Result<M>;
}

/**
 * containers.create + containers.start of a CPU-busy busybox with no network,
 * capped at `cpus` (a CFS quota) so it does not starve the browser under test.
 */
export async function startBusyLoop(
  page: Page,
  name: string,
  opts: { memoryMax?: number; cpus?: number } = {},
): Promise<string> {
  const created = await invokeInPage(page, 'containers.create', {
    image: 'busybox:latest',
    name,
    command: ['sh', '-c', 'while :; do :; done'],
    network: 'none',
    resources: {
      ...(opts.memoryMax === undefined ? {} : { memory: { max: opts.memoryMax } }),
      ...(opts.cpus === undefined ? {} : { cpu: { cpus: opts.cpus } }),
    },
  });
  await invokeInPage(page, 'containers.start', { id: created.id });
  return created.id;
}

export class ResourcesOverview {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Resources' });
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Live resource usage' });
  }

  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader').getByRole('link', { name, exact: true }) });
  }

  charts(name: string): Locator {
    return this.page.getByRole('group', { name: `${name} charts` });
  }

  /** A small chart (an SVG image named "CPU of <name>, last 1 min"). */
  sparkline(name: string, what: 'CPU' | 'Memory'): Locator {
    return this.charts(name).getByRole('img', { name: new RegExp(`^${what} of ${name},`) });
  }

  window(label: '1 min' | '5 min' | '15 min'): Locator {
    return this.page.getByRole('radiogroup', { name: 'Time window' }).getByRole('radio', { name: label, exact: true });
  }
}

export class ContainerResources {
  constructor(readonly page: Page) {}

  heading(name: string): Locator {
    return this.page.getByRole('heading', { level: 1, name });
  }

  get usage(): Locator {
    return this.page.getByRole('region', { name: 'Usage' });
  }

  get limits(): Locator {
    return this.page.getByRole('region', { name: 'Limits', exact: true });
  }

  get memoryChart(): Locator {
    return this.page.getByRole('figure', { name: 'Memory', exact: true });
  }

  /** The hard-limit line's label inside the memory chart (an SVG text). */
  get memoryLimitLine(): Locator {
    return this.memoryChart.getByTestId('limit-line-memory-max');
  }

  get hardLimitInput(): Locator {
    return this.limits.getByRole('spinbutton', { name: 'memory.max hard limit', exact: true });
  }

  get hardLimitUnit(): Locator {
    return this.limits.getByRole('combobox', { name: 'memory.max hard limit unit' });
  }

  get hardHandle(): Locator {
    return this.limits.getByRole('slider', { name: 'memory.max hard limit' });
  }

  /** The kernel file a control writes, as the UI shows it next to the control. */
  kernelFile(limit: string): Locator {
    return this.limits.getByTestId(`kernel-file-${limit}`);
  }

  /** The raw content read back from that file. */
  readBack(limit: string): Locator {
    return this.limits.getByTestId(`readback-${limit}`);
  }

  row(limit: string): Locator {
    return this.limits.getByTestId(`limit-${limit}`);
  }

  button(name: 'Apply' | 'Undo' | 'Discard edits'): Locator {
    return this.limits.getByRole('button', { name: new RegExp(`^${name}`) });
  }

  get applyError(): Locator {
    return this.limits.getByTestId('apply-error');
  }

  async setHardLimit(amount: string, unit: 'B' | 'KiB' | 'MiB' | 'GiB'): Promise<void> {
    await this.hardLimitUnit.selectOption(unit);
    await this.hardLimitInput.fill(amount);
    await expect(this.row('memory.max')).toContainText('pending');
  }
}
