/** Page objects for the Networks page, by role and name as a user or a screen reader finds them. */
import type { Locator, Page } from '@playwright/test';

export class NetworksPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Networks' });
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Networks', exact: true });
  }

  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
  }

  get createButton(): Locator {
    return this.page.getByRole('button', { name: 'Create network…' });
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  inspect(name: string): Locator {
    return this.page.getByRole('button', { name: `Inspect ${name}`, exact: true });
  }

  remove(name: string): Locator {
    return this.page.getByRole('button', { name: `Remove ${name}`, exact: true });
  }

  /** The inspected network's containers table. */
  members(name: string): Locator {
    return this.page.getByRole('table', { name: `Containers on ${name}` });
  }
}
