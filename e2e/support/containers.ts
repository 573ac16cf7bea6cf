/** Page objects for the Containers page and a container's details, found by role and name. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import type { E2eEnv } from './env';
import { ROOT } from './server';

export class ContainersPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Containers' });
  }

  get createButton(): Locator {
    return this.page.getByRole('button', { name: 'Create container' }).first();
  }

  get createDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Create container' });
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'containers' });
  }

  /** The table row whose name cell is `name`. */
  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader').getByRole('link', { name, exact: true }) });
  }

  /** "Running", "Exited (137)", "OOM killed", … */
  state(name: string): Locator {
    return this.row(name).locator('[data-state]');
  }

  action(name: string, label: string): Locator {
    return this.row(name).getByRole('button', { name: label, exact: true });
  }

  /** The "All" / "Running" filter's radio. */
  showRadio(which: 'All' | 'Running'): Locator {
    return this.page.getByRole('radiogroup', { name: 'Show' }).getByRole('radio', { name: which });
  }

  /** Picks a filter the way a user does: a click on its (segmented-button) label. */
  async show(which: 'All' | 'Running'): Promise<void> {
    await this.page.getByRole('radiogroup', { name: 'Show' }).getByText(which, { exact: true }).click();
    await expect(this.showRadio(which)).toBeChecked();
  }

  get stopTimeout(): Locator {
    return this.page.getByRole('spinbutton', { name: /Stop timeout/ });
  }

  removeDialog(name: string): Locator {
    return this.page.getByRole('dialog', { name: `Remove ${name}` });
  }
}

export class ContainerDetails {
  constructor(readonly page: Page) {}

  heading(name: string): Locator {
    return this.page.getByRole('heading', { level: 1, name: new RegExp(`^${name}`) });
  }

  tab(label: 'Overview' | 'Logs' | 'Terminal' | 'Files'): Locator {
    return this.page.getByRole('tab', { name: label, exact: true });
  }

  get panel(): Locator {
    return this.page.getByRole('tabpanel');
  }

  get logs(): Locator {
    return this.page.getByRole('log', { name: 'Container logs' });
  }

  get terminalStatus(): Locator {
    return this.page.getByRole('status', { name: 'Terminal session' });
  }

  get terminal(): Locator {
    return this.page.getByTestId('terminal');
  }

  /** The terminal's screen, one string per row, as xterm's DOM renderer shows it. */
  async terminalLines(): Promise<string[]> {
    const rows = await this.page.locator('.xterm-rows > div').allTextContents();
    return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd());
  }

  /** The <dd> value next to the <dt> `term` in an Overview card. */
  fact(cardTitle: string, term: string): Locator {
    return this.page
      .getByRole('region', { name: cardTitle, exact: true })
      .locator('.ctr-kfact')
      .filter({ has: this.page.locator('dt').getByText(term, { exact: true }) })
      .locator('dd.ctr-kval');
  }
}

/** The berth CLI against the suite's own helper (to change things behind the UI's back). */
export function berthCli(env: E2eEnv, args: string[]): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'bin', 'berth.js'), ...args], {
    env: { ...process.env, BERTH_RUN_DIR: env.runDir, BERTH_DATA_ROOT: env.dataRoot },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
