/**
 * Code splitting, checked in the browser: the System page loads no chart,
 * graph or terminal library; opening the pages that use them loads them. The
 * markers are class names each library writes into the DOM, so they survive
 * minification. Prints the JS bytes each page fetched (not asserted).
 */
import { expect, test, type Page } from '@playwright/test';
import { e2eEnv, type E2eEnv } from '../support/env';
import { BerthShell } from '../support/pages';

let env: E2eEnv;
test.beforeAll(() => {
  env = e2eEnv();
});

const LIBRARIES = { recharts: 'recharts-wrapper', xyflow: 'react-flow__', xterm: 'xterm-helper-textarea' } as const;
type Library = keyof typeof LIBRARIES;

/** Records every script the page fetches, with its body. */
function recordScripts(page: Page): Map<string, string> {
  const seen = new Map<string, string>();
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'script') return;
    void r
      .text()
      .then((body) => seen.set(r.url(), body))
      .catch(() => undefined);
  });
  return seen;
}

function librariesIn(scripts: Map<string, string>): Library[] {
  const all = [...scripts.values()].join('\n');
  return (Object.keys(LIBRARIES) as Library[]).filter((l) => all.includes(LIBRARIES[l]));
}

function bytes(scripts: Map<string, string>): number {
  let n = 0;
  for (const b of scripts.values()) n += Buffer.byteLength(b);
  return n;
}

test('the System page loads without recharts, xyflow or xterm; Resources and Namespaces load theirs on demand', async ({
  page,
}) => {
  const scripts = recordScripts(page);
  await page.goto(env.url);
  const shell = new BerthShell(page);
  await shell.openSystem();
  await page.waitForLoadState('networkidle');
  console.log(`[bundle] System page: ${scripts.size} scripts, ${(bytes(scripts) / 1024).toFixed(0)} KiB of JS`);
  expect(librariesIn(scripts)).toEqual([]);

  await shell.navLink('Resources').click();
  await expect.poll(() => librariesIn(scripts)).toContain('recharts');
  await shell.navLink('Namespaces').click();
  await expect.poll(() => librariesIn(scripts)).toContain('xyflow');
  expect(librariesIn(scripts)).not.toContain('xterm');
  console.log(`[bundle] after Resources and Namespaces: ${(bytes(scripts) / 1024).toFixed(0)} KiB of JS`);
});
