/** Page objects: what a user (or a screen reader) finds by role and name. */
import type { Locator, Page } from '@playwright/test';

export class BerthShell {
  constructor(readonly page: Page) {}

  get nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  navLink(label: string): Locator {
    return this.nav.getByRole('link', { name: label, exact: true });
  }

  /** The status bar's helper connection ("Helper connected · pid N", …). */
  get helperStatus(): Locator {
    return this.page.getByRole('status', { name: 'Helper connection' });
  }

  get transport(): Locator {
    return this.page.getByTestId('transport');
  }

  async openSystem(): Promise<SystemPage> {
    await this.navLink('System').click();
    const system = new SystemPage(this.page);
    await system.heading.waitFor();
    return system;
  }
}

export class SystemPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'System' });
  }

  get refresh(): Locator {
    return this.page.getByRole('button', { name: /^Refresh/ });
  }

  /** A card: a <section> labelled by its <h2>. */
  card(title: string): Locator {
    return this.page.getByRole('region', { name: title, exact: true });
  }

  /** The <dd> next to the <dt> `term` inside a card. */
  fact(cardTitle: string, term: string): Locator {
    return this.card(cardTitle)
      .locator('.fact')
      .filter({ has: this.page.locator('dt').getByText(term, { exact: true }) })
      .locator('dd');
  }

  get cgroupMode(): Locator {
    return this.page.getByRole('status', { name: /^cgroup mode / });
  }

  get hierarchies(): Locator {
    return this.page.getByRole('table', { name: 'cgroup hierarchies' });
  }

  /** Hierarchy rows whose Controllers cell lists `controller`. */
  hierarchyRowsWith(controller: string): Locator {
    return this.hierarchies
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name: new RegExp(`(^|\\s)${controller}(\\s|$)`) }) });
  }

  get namespaces(): Locator {
    return this.page.getByRole('table', { name: 'namespace types' });
  }
}
