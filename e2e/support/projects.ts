/** Page objects for compose projects: their group rows on the Containers page and the Projects pages. */
import type { Locator, Page } from '@playwright/test';

export class ProjectsUi {
  constructor(readonly page: Page) {}

  /** The toggle of a project's group row in the Containers table. */
  toggle(project: string): Locator {
    return this.page.getByRole('button', { name: `Containers of project ${project}`, exact: true });
  }

  /** The group row (the toggle's row). */
  groupRow(project: string): Locator {
    return this.page.locator('tr.prj-group-row').filter({ has: this.toggle(project) });
  }

  /** The project's group: its row and its containers' rows. */
  group(project: string): Locator {
    return this.page.locator(`tbody[data-project="${project}"]`);
  }

  actions(project: string): Locator {
    return this.page.getByRole('group', { name: `Actions for project ${project}`, exact: true });
  }

  action(project: string, label: 'Up' | 'Stop' | 'Restart' | 'Down…'): Locator {
    return this.actions(project).getByRole('button', { name: label, exact: true });
  }

  logsLink(project: string): Locator {
    return this.actions(project).getByRole('link', { name: 'Logs', exact: true });
  }

  downDialog(project: string): Locator {
    return this.page.getByRole('dialog', { name: `Down ${project}` });
  }

  logView(project: string): Locator {
    return this.page.getByRole('log', { name: `Logs of project ${project}` });
  }

  /** A merged log line of one service containing `text`. */
  logLine(project: string, service: string, text: string): Locator {
    return this.logView(project).locator(`[data-service="${service}"]`).filter({ hasText: text });
  }
}
