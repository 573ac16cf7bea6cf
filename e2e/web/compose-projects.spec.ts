/**
 * Web mode end to end: containers, a network and a volume labelled as
 * docker compose v2 labels them (made with the CLI, as `berth compose` or
 * docker compose would) are grouped as one project on the Containers page;
 * the project's page shows its services with their addresses and cgroups;
 * Logs merges both services' lines, prefixed by service; Restart restarts
 * both; Down lists exactly what goes and leaves no container or network
 * behind (checked with the CLI), keeping the volume it was not asked to remove.
 * The grouped page, the project's page, its logs and the Down dialog are
 * audited with axe as the route list's pages are (a11y.spec.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { berthCli } from '../support/containers';
import { seriousViolations, settled } from '../support/desktop';
import { e2eEnv, type E2eEnv } from '../support/env';
import { ProjectsUi } from '../support/projects';

test.describe.configure({ mode: 'serial' });

let env: E2eEnv;
const tag = Math.random().toString(16).slice(2, 8);
const project = `e2e-cmp-${tag}`;
const network = `${project}_default`;
const volume = `${project}_data`;
const web = `${project}-web-1`;
const client = `${project}-client-1`;
const loose = `e2e-cmp-loose-${tag}`;

const cli = (args: string[]): string => berthCli(env, args);

/** The labels docker compose v2 puts on a service's container. */
function serviceLabels(service: string): string[] {
  return [
    `com.docker.compose.project=${project}`,
    `com.docker.compose.service=${service}`,
    'com.docker.compose.container-number=1',
    `com.docker.compose.project.working_dir=/srv/${project}`,
    `com.docker.compose.project.config_files=/srv/${project}/compose.yaml`,
    'com.docker.compose.oneoff=False',
  ].flatMap((l) => ['--label', l]);
}

// Both processes are pid 1 in their containers: each traps SIGTERM so a stop is prompt.
const WEB_SH = "trap 'exit 0' TERM; httpd -p 8080 -h /etc; echo web listening on 8080; while :; do sleep 1; done";
const CLIENT_SH =
  "trap 'exit 0' TERM; echo client starting; while :; do wget -q -O /dev/null http://web:8080/hostname && echo fetched from web; sleep 1; done";

test.beforeAll(() => {
  env = e2eEnv();
  cli([
    'network',
    'create',
    '--label',
    `com.docker.compose.project=${project}`,
    '--label',
    'com.docker.compose.network=default',
    network,
  ]);
  cli([
    'volume',
    'create',
    '--label',
    `com.docker.compose.project=${project}`,
    '--label',
    'com.docker.compose.volume=data',
    volume,
  ]);
  cli([
    'run',
    '-d',
    '--name',
    web,
    ...serviceLabels('web'),
    '--network',
    network,
    '--network-alias',
    'web',
    '-v',
    `${volume}:/data`,
    'busybox:latest',
    'sh',
    '-c',
    WEB_SH,
  ]);
  cli([
    'run',
    '-d',
    '--name',
    client,
    ...serviceLabels('client'),
    '--network',
    network,
    '--network-alias',
    'client',
    'busybox:latest',
    'sh',
    '-c',
    CLIENT_SH,
  ]);
  cli(['run', '-d', '--name', loose, '--network', 'none', 'busybox:latest', 'sleep', '600']);
});

test.afterAll(() => {
  for (const args of [
    ['rm', '-f', web, client, loose],
    ['network', 'rm', network],
    ['volume', 'rm', volume],
  ]) {
    try {
      cli(args);
    } catch {
      // already gone
    }
  }
});

async function audit(page: Page, where: string): Promise<void> {
  const found = await seriousViolations(page);
  expect(found, `${where}: ${JSON.stringify(found, null, 2)}`).toEqual([]);
}

async function openContainers(page: Page): Promise<ProjectsUi> {
  await page.goto(env.url);
  await page.goto(`${env.origin}/#/containers`);
  const ui = new ProjectsUi(page);
  await expect(ui.toggle(project)).toBeVisible();
  return ui;
}

const startedAt = (name: string): string => cli(['inspect', '-f', '{{.startedAt}}', name]).trim();

test('the Containers page groups the labelled containers as one project, collapsible by keyboard', async ({ page }) => {
  const ui = await openContainers(page);
  const row = ui.groupRow(project);
  await expect(row).toContainText('2 services · 2/2 running');
  await expect(row).toContainText(`/srv/${project}`);
  const group = ui.group(project);
  await expect(group.getByRole('link', { name: web, exact: true })).toBeVisible();
  await expect(group.getByRole('link', { name: client, exact: true })).toBeVisible();
  // The unlabelled container is not in any group.
  await expect(page.locator('tbody:not([data-project])').getByRole('link', { name: loose, exact: true })).toBeVisible();
  await settled(page);
  await audit(page, 'containers grouped by project');

  await ui.toggle(project).focus();
  await page.keyboard.press('Enter');
  await expect(ui.toggle(project)).toHaveAttribute('aria-expanded', 'false');
  await expect(group.getByRole('link', { name: web, exact: true })).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(group.getByRole('link', { name: web, exact: true })).toBeVisible();
});

test("the project's page shows its services with their addresses and cgroups, its network and volume", async ({
  page,
}) => {
  const ui = await openContainers(page);
  await ui.groupRow(project).getByRole('link', { name: project, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: project })).toBeVisible();
  const services = page.getByRole('table', { name: `Services of ${project}` });
  const webRow = services.getByRole('row').filter({ has: page.getByRole('link', { name: web, exact: true }) });
  await expect(webRow).toContainText(new RegExp(`10\\.89\\.\\d+\\.\\d+ \\(${network}\\)`));
  await expect(webRow.locator('.prj-cgroup')).toContainText('/');
  await expect(page.getByRole('table', { name: `Networks of ${project}` })).toContainText(network);
  await expect(page.getByRole('table', { name: `Volumes of ${project}` })).toContainText(volume);
  await settled(page);
  await audit(page, 'project page (light)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await audit(page, 'project page (dark)');
});

test('Logs merges both services, each line prefixed with its service, following live', async ({ page }) => {
  const ui = await openContainers(page);
  await ui.logsLink(project).click();
  await expect(page).toHaveURL(new RegExp(`#/projects/${project}/logs$`));
  await expect(ui.logLine(project, 'web', 'web listening on 8080').first()).toBeVisible();
  await expect(ui.logLine(project, 'client', 'client starting').first()).toBeVisible();
  // A line written after the view opened: the client fetches from web by its service name, every second.
  const before = await ui.logLine(project, 'client', 'fetched from web').count();
  await expect
    .poll(() => ui.logLine(project, 'client', 'fetched from web').count(), { timeout: 20_000 })
    .toBeGreaterThan(before);
  await expect(ui.logLine(project, 'web', 'web listening').first().locator('.prj-log-service')).toHaveText(
    /^web\s+\|$/,
  );
  await expect(ui.logLine(project, 'client', 'client starting').first().locator('.prj-log-service')).toHaveText(
    /^client \|$/,
  );
  await settled(page);
  await audit(page, 'project logs (light)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await audit(page, 'project logs (dark)');
});

test('Restart restarts every container of the project', async ({ page }) => {
  test.setTimeout(120_000);
  const ui = await openContainers(page);
  const before = [startedAt(web), startedAt(client)];
  await ui.action(project, 'Restart').click();
  await expect
    .poll(() => [startedAt(web), startedAt(client)].every((t, i) => t !== before[i]), { timeout: 60_000 })
    .toBe(true);
  await expect(ui.groupRow(project)).toContainText('2/2 running', { timeout: 30_000 });
});

test('Down lists exactly what goes and leaves no container or network behind', async ({ page }) => {
  test.setTimeout(120_000);
  const ui = await openContainers(page);
  await ui.action(project, 'Down…').click();
  const dialog = ui.downDialog(project);
  const list = dialog.getByRole('list', { name: 'To be removed' });
  await expect(list.getByRole('listitem')).toHaveText([
    `container ${client}`,
    `container ${web}`,
    `network ${network}`,
  ]);
  await expect(dialog.getByRole('checkbox', { name: /Also remove its volumes \(1\)/ })).not.toBeChecked();
  await audit(page, 'down dialog');
  await dialog.getByRole('button', { name: 'Down', exact: true }).click();
  await expect(dialog).toHaveCount(0, { timeout: 60_000 });
  await expect(ui.toggle(project)).toHaveCount(0);

  expect(cli(['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`]).trim()).toBe('');
  expect(cli(['network', 'ls'])).not.toContain(network);
  // Not asked to: the volume stays, and so does the unlabelled container.
  expect(cli(['volume', 'ls', '-q']).split('\n')).toContain(volume);
  expect(cli(['ps', '-q', '--filter', `name=${loose}`]).trim()).not.toBe('');
});
