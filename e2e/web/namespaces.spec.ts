/**
 * The Namespaces page end to end against a real helper and the real kernel:
 * a container started with network mode host (created through the app's own
 * WebSocket) appears in the graph linked to its namespaces; filtered to it,
 * the "shared with the host" mode marks its net namespace — the host's
 * initial one — as shared and its pid/mnt/uts/ipc as its own; the host's
 * net and user nodes name it even though their process lists are cut; the
 * net node's panel pages past the first 50 processes; the standalone
 * container view says the same and draws its own namespaces; a container started behind the
 * page's back appears without a Refresh. busybox:latest comes from
 * e2e/global-setup.ts; the teardown removes anything left.
 */
import { expect, test, type Page } from '@playwright/test';
import { screenshots } from '../support/artifacts';
import { e2eEnv, type E2eEnv } from '../support/env';
import { invokeViaPage, NamespacesPage } from '../support/namespaces';
import { BerthShell } from '../support/pages';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

const shot = screenshots('namespaces');

interface Created {
  id: string;
  name: string;
}

async function runHostNetContainer(page: Page, name: string): Promise<Created> {
  const [create, start] = await invokeViaPage(page, [
    {
      method: 'containers.create',
      params: { image: 'busybox:latest', name, command: ['sleep', '600'], network: 'host' },
    },
  ]).then(async (replies) => {
    const c = replies[0]!;
    if (!c.ok) return [c, undefined] as const;
    const { id } = c.result as Created;
    const [s] = await invokeViaPage(page, [{ method: 'containers.start', params: { id } }]);
    return [c, s] as const;
  });
  expect(create.ok, `containers.create: ${JSON.stringify(create.error)}`).toBe(true);
  expect(start?.ok, `containers.start: ${JSON.stringify(start?.error)}`).toBe(true);
  const created = create.result as Created;
  expect((start!.result as { state: string }).state).toBe('running');
  return created;
}

test.describe('Namespaces page', () => {
  test('a network-host container shares its net namespace with the host, and only that of its own', async ({
    page,
  }, testInfo) => {
    test.setTimeout(120_000);
    await page.goto(env.url);
    const name = unique('e2e-ns');
    const ctr = await runHostNetContainer(page, name);
    const extra: string[] = [];
    try {
      // ── the whole host's graph ──
      await new BerthShell(page).navLink('Namespaces').click();
      const ns = new NamespacesPage(page);
      await ns.heading.waitFor();
      await expect(new BerthShell(page).navLink('Namespaces')).toHaveAttribute('aria-current', 'page');
      await expect(ns.graph).toBeVisible();
      // the host's initial namespaces, badged
      await expect(ns.namespaceNode(/^net namespace \d+, host initial/).first()).toBeVisible();
      await expect(page.getByTestId('scan-stats')).toContainText(/\d+ namespaces · [\d,]+ processes/);

      // ── filter to the container: its node, linked to its namespaces ──
      await ns.containerFilter.selectOption({ label: `${name} (${ctr.id.slice(0, 12)})` });
      const node = ns.containerNode(name, ctr.id);
      await expect(node).toBeVisible();
      await expect(
        ns.namespaceNode(new RegExp(`^pid namespace \\d+, \\d+ process(es)?, containers ${name}$`)),
      ).toBeVisible();
      // the host's own namespaces it is in are linked too, though its processes fall off their cut
      // process lists (Namespace.containers is computed before the cut: no extra scans for this)
      await expect(
        ns.namespaceNode(
          new RegExp(`^net namespace \\d+, host initial, \\d+ process(es)?, containers .*\\b${name}\\b`),
        ),
      ).toBeVisible();
      await expect(
        ns.namespaceNode(
          new RegExp(`^user namespace \\d+, host initial, \\d+ process(es)?, containers .*\\b${name}\\b`),
        ),
      ).toBeVisible();
      await shot(page, testInfo, 'filtered');

      // clicking the container opens its details: its net is the host's
      await node.click();
      await expect(ns.details.getByRole('heading', { name: new RegExp(name) })).toBeVisible();
      const nsTable = ns.details.getByRole('table', { name: 'container namespaces' });
      await expect(nsTable.getByRole('row', { name: /^net net:\d+ host/ })).toBeVisible();

      // ── highlight what it shares with the host ──
      await ns.compareSelect.selectOption({ label: `${name} (${ctr.id.slice(0, 12)})` });
      const summary = ns.summary(name);
      await expect(summary).toBeVisible();
      await expect(summary.getByTestId('shared-sentence')).toContainText('shared:');
      const shared = await ns.summaryTypes(name, 'shared');
      const separate = await ns.summaryTypes(name, 'separate');
      expect(shared).toContain('net');
      for (const t of ['pid', 'mnt', 'uts', 'ipc']) expect(separate).toContain(t);
      expect(separate).not.toContain('net');
      // in the graph: the host's net namespace is marked shared, its pid namespace its own
      await expect(ns.namespaceNode(/^net namespace \d+, host initial, .*, shared with the host$/)).toBeVisible();
      await expect(ns.namespaceNode(/^pid namespace \d+, .*, the container's own$/)).toBeVisible();
      await expect(ns.namespaceNode(/^mnt namespace \d+, .*, the container's own$/)).toBeVisible();
      await shot(page, testInfo, 'shared');

      // the net node's panel shows the kernel's own link text
      await ns.namespaceNode(/^net namespace \d+, host initial, .*, shared with the host$/).click();
      await expect(ns.details.getByRole('region', { name: 'Kernel truth' })).toContainText(/net:\[\d+\]/);
      // its process list is cut to 50 (the host has more); the panel pages through the rest
      const procs = ns.details.getByRole('table', { name: 'processes' }).locator('tbody tr');
      await expect(procs).toHaveCount(50);
      await ns.details.getByTestId('nsp-more').click();
      await expect.poll(() => procs.count()).toBeGreaterThan(50);

      // ── a container started behind the page's back shows up without a Refresh (containers.changed) ──
      const other = unique('e2e-ns-b');
      const [made] = await invokeViaPage(page, [
        { method: 'containers.create', params: { image: 'busybox:latest', name: other, command: ['sleep', '600'] } },
      ]);
      expect(made!.ok, JSON.stringify(made!.error)).toBe(true);
      const otherId = (made!.result as Created).id;
      extra.push(otherId);
      await invokeViaPage(page, [{ method: 'containers.start', params: { id: otherId } }]);
      await expect(ns.containerFilter.locator('option', { hasText: other })).toHaveCount(1, { timeout: 20_000 });

      // ── the container's own view, standalone ──
      await page.goto(`${env.origin}/#/namespaces/container/${ctr.id}`);
      await expect(page.getByRole('heading', { level: 1, name: 'Namespaces of a container' })).toBeVisible();
      const alone = ns.summary(name);
      await expect(alone).toBeVisible();
      await expect(alone.getByTestId('shared-sentence')).toContainText('shared:');
      expect(await ns.summaryTypes(name, 'shared')).toEqual(shared);
      expect(await ns.summaryTypes(name, 'separate')).toEqual(separate);
      await expect(ns.containerNode(name, ctr.id)).toBeVisible();
      await expect(ns.namespaceNode(/^net namespace \d+, host initial, .*, shared with the host$/)).toBeVisible();
      // its subgraph: its own pid, mnt, uts and ipc namespaces, each naming it
      for (const t of ['pid', 'mnt', 'uts', 'ipc']) {
        await expect(
          ns.namespaceNode(
            new RegExp(`^${t} namespace \\d+, \\d+ process(es)?, containers ${name}, the container's own$`),
          ),
        ).toBeVisible();
      }
      await shot(page, testInfo, 'container');
    } finally {
      await invokeViaPage(
        page,
        [ctr.id, ...extra].map((id) => ({ method: 'containers.remove', params: { id, force: true } })),
      );
    }
  });
});
