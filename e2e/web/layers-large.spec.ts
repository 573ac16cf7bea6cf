/**
 * The Layer inspector on an image of 100,000 files, in Chromium (web mode):
 * issue 3's "the tree is virtualized: an image of 100,000 files scrolls
 * smoothly", shown on a real archive rather than in the unit tests.
 *
 * A `docker save` archive (our own tar writer) holds a base layer of 100,000
 * empty files in /srv/dNN/sN/fNNNNN and a second layer that modifies one file
 * and whites out another. Dropped on the inspector, it is uploaded to main in
 * chunks and analysed; the test then proves that:
 * - the tree holds every entry (the status count) while the DOM holds only a
 *   window of rows, before, during and after a scroll through all of it;
 * - the end of the tree is reachable, and the second layer's marks are there
 *   (M on the modified file, R on the whited-out one);
 * - collapse/expand all and one directory's twisty work on the big tree;
 * - the path filter finds one deep file among the 100,000.
 * Timings (drop → summary painted, drop → tree shown, the split of the
 * latter, the size of each answer on the wire, frame times while scrolling,
 * filtering) are printed for the record, never asserted: the machines are
 * shared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { dockerSaveParts, makeLayer, writeArchive } from '../../main/testing/oci/image-archive';
import {
  HUNDRED_THOUSAND as FILES,
  hundredThousandEntries,
  hundredThousandRel as fileRel,
} from '../../main/testing/oci/hundred-thousand';
import { e2eEnv, type E2eEnv } from '../support/env';
import { LayerInspector } from '../support/images';
import { BerthShell } from '../support/pages';

test.describe.configure({ mode: 'serial' });

const LAST = `/${fileRel(FILES - 1)}`; // /srv/d99/s9/f99999
const MODIFIED = `/${fileRel(FILES - 10)}`; // /srv/d99/s9/f99990
const DELETED = `/${fileRel(FILES - 2)}`; // /srv/d99/s9/f99998
const DEEP = `/${fileRel(31_337)}`; // /srv/d31/s3/f31337
/** Far above one window of rows (~30 visible + 2 × 16 overscan), far below 100,000. */
const MAX_DOM_ROWS = 300;

let env: E2eEnv;
let dir: string;
let archive: string;

test.beforeAll(async () => {
  env = e2eEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-layers-large-'));
  archive = path.join(dir, 'hundred-thousand.tar');
  const t0 = performance.now();
  // Uncompressed, as `docker save` writes layers: ~52 MB of tar headers.
  const base = await makeLayer([...hundredThousandEntries()], 'none', 'ADD files /srv');
  const top = await makeLayer(
    [
      { path: 'srv', type: 'dir', mode: 0o755 },
      { path: 'srv/d99', type: 'dir', mode: 0o755 },
      { path: 'srv/d99/s9', type: 'dir', mode: 0o755 },
      { path: MODIFIED.slice(1), body: 'changed\n', mode: 0o644 },
      { path: `${path.posix.dirname(DELETED.slice(1))}/.wh.${path.posix.basename(DELETED)}`, body: '' },
    ],
    'none',
    'RUN edit && rm',
  );
  await writeArchive(archive, dockerSaveParts([base, top], { tag: 'e2e/hundred-thousand:1' }).members);
  const mb = (fs.statSync(archive).size / 1e6).toFixed(1);
  console.log(`[layers-large] archive: ${mb} MB, built in ${Math.round(performance.now() - t0)} ms`);
});

test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Drops `file` on the window as a desktop drag does. The File comes from a
 * file input that Chromium reads from the path itself, so 50 MB do not
 * cross the DevTools protocol as base64 the way support/images.ts dropFile's
 * bytes do.
 */
async function dropLargeFile(page: Page, file: string): Promise<void> {
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'e2e-large-file';
    input.hidden = true;
    document.body.append(input);
  });
  await page.setInputFiles('#e2e-large-file', file);
  await page.evaluate(() => {
    const input = document.getElementById('e2e-large-file') as HTMLInputElement;
    const f = input.files?.[0];
    if (!f) throw new Error('no file in the input');
    input.remove();
    const dt = new DataTransfer();
    dt.items.add(f);
    const target = document.querySelector('main.content') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  });
}

/** Waits until the page has been idle for a moment (the analysis' garbage collected, effects run). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let idle = 0;
        const tick = (d: IdleDeadline): void => {
          idle = d.timeRemaining() > 40 ? idle + 1 : 0;
          if (idle >= 5) resolve();
          else requestIdleCallback(tick, { timeout: 1000 });
        };
        requestIdleCallback(tick, { timeout: 1000 });
      }),
  );
}

/** "101,103 entries" or "1 of 101,103 entries match" → the first number. */
async function statusCount(page: Page): Promise<number> {
  const text = (await page.locator('.lyr-tree-status').textContent()) ?? '';
  const m = /^([\d,]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no count in the tree status: ${text}`);
  return Number(m[1].replace(/,/g, ''));
}

interface ScrollRun {
  frames: number[];
  /** Long animation frames (main thread busy > 50 ms), when Chromium reports them; -1 when not. */
  longMainFrames: number;
  maxRows: number;
  endTop: number;
  maxTop: number;
}

/**
 * Scrolls the tree in the page, one step per animation frame, from its top
 * by `stepPx` per frame or to its end in `steps` frames, recording the
 * time between frames, the frames the main thread made long (to tell the
 * page's own work from the compositor's), and the most tree rows the DOM
 * held at any frame.
 */
function scrollInFrames(page: Page, steps: number, stepPx: number | 'to-end'): Promise<ScrollRun> {
  return page.evaluate(
    async ({ steps, stepPx }) => {
      const el = document.querySelector<HTMLElement>('[role="tree"]');
      if (!el) throw new Error('no tree');
      const maxTop = el.scrollHeight - el.clientHeight;
      const start = el.scrollTop;
      const frame = (): Promise<number> => new Promise((r) => requestAnimationFrame(r));
      const frames: number[] = [];
      let longMainFrames = -1;
      let loaf: PerformanceObserver | null = null;
      if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
        longMainFrames = 0;
        loaf = new PerformanceObserver((l) => (longMainFrames += l.getEntries().length));
        loaf.observe({ type: 'long-animation-frame' });
      }
      let maxRows = 0;
      let last = await frame();
      for (let i = 1; i <= steps; i++) {
        el.scrollTop = stepPx === 'to-end' ? Math.round(start + ((maxTop - start) * i) / steps) : start + stepPx * i;
        const t = await frame();
        frames.push(t - last);
        last = t;
        maxRows = Math.max(maxRows, el.querySelectorAll('[role="treeitem"]').length);
      }
      // One more frame so the last step's rows are committed before we count.
      await frame();
      await frame();
      maxRows = Math.max(maxRows, el.querySelectorAll('[role="treeitem"]').length);
      if (loaf) {
        longMainFrames += loaf.takeRecords().length;
        loaf.disconnect();
      }
      return { frames, longMainFrames, maxRows, endTop: el.scrollTop, maxTop };
    },
    { steps, stepPx },
  );
}

function frameStats({ frames, longMainFrames }: ScrollRun): string {
  const s = [...frames].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const long = s.filter((f) => f > 50).length;
  return `${s.length} frames: median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${(s.at(-1) ?? NaN).toFixed(1)} ms, ${long} over 50 ms (${longMainFrames} long on the main thread)`;
}

test('an image of 100,000 files: the tree stays windowed, scrolls to its end, and filters', async ({ page }) => {
  test.setTimeout(240_000);
  // When the summary is asked for (the upload is done) and arrives, and the same for the change lists.
  const asked = new Map<string, { method: string; at: number }>();
  const got = new Map<string, { at: number; bytes: number }>();
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => {
      if (typeof f.payload !== 'string') return;
      const m = /^\{"type":"invoke","id":(\d+),"method":"(layers\.summarizeUpload|layers\.changes)"/.exec(f.payload);
      if (m?.[1] && m[2]) asked.set(m[1], { method: m[2], at: Date.now() });
    });
    ws.on('framereceived', (f) => {
      if (typeof f.payload !== 'string') return;
      const m = /^\{"type":"result","id":(\d+),/.exec(f.payload);
      const call = m?.[1] ? asked.get(m[1]) : undefined;
      if (call) got.set(call.method, { at: Date.now(), bytes: f.payload.length });
    });
  });
  await page.goto(env.url);
  await new BerthShell(page).navLink('Layers').click();
  const insp = new LayerInspector(page);
  await insp.heading.waitFor();
  // The page notes the first animation frame after the summary and after the tree enter the DOM (≈ painted).
  await page.evaluate(() => {
    const marks: Record<string, number> = {};
    (window as unknown as { __marks: Record<string, number> }).__marks = marks;
    const watch = (name: string, selector: string): void => {
      const check = (): boolean => {
        if (!document.querySelector(selector)) return false;
        requestAnimationFrame(() => (marks[name] = Date.now()));
        return true;
      };
      const mo = new MutationObserver(() => check() && mo.disconnect());
      mo.observe(document.body, { childList: true, subtree: true });
    };
    watch('summary', '.lyr-summary [data-testid="efficiency"]');
    watch('tree', '[role="tree"] [role="treeitem"]');
  });

  const t0 = Date.now();
  await dropLargeFile(page, archive);
  await expect(page.getByText('not loaded', { exact: true })).toBeVisible({ timeout: 180_000 });
  await expect(insp.tree).toBeVisible({ timeout: 60_000 });
  await expect(insp.tree.getByRole('treeitem').first()).toBeVisible();
  const marks = await page.evaluate(() => (window as unknown as { __marks: Record<string, number> }).__marks);
  const summaryAsked = [...asked.values()].find((c) => c.method === 'layers.summarizeUpload');
  const changesAsked = [...asked.values()].find((c) => c.method === 'layers.changes');
  const summary = got.get('layers.summarizeUpload');
  const changes = got.get('layers.changes');
  expect(summaryAsked && changesAsked && summary && changes && marks.summary && marks.tree).toBeTruthy();
  if (!summaryAsked || !changesAsked || !summary || !changes || !marks.summary || !marks.tree) return;
  expect(summaryAsked.at).toBeGreaterThan(t0);
  expect(marks.tree).toBeGreaterThanOrEqual(marks.summary);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `[layers-large] drop → summary painted: ${marks.summary - t0} ms; drop → tree shown: ${marks.tree - t0} ms (load average ${load})`,
  );
  console.log(
    `[layers-large]   upload ${summaryAsked.at - t0} ms; last byte → summary arrived ${summary.at - summaryAsked.at} ms (main lists and merges while the bytes arrive); ` +
      `change lists asked → arrived ${changes.at - changesAsked.at} ms, then decoded and the tree shown ${marks.tree - changes.at} ms later ` +
      '(frame times as Playwright sees them: they can lag the page by tens of ms)',
  );
  console.log(
    `[layers-large] on the wire: summary ${(summary.bytes / 1e3).toFixed(1)} kB, change lists ${(changes.bytes / 1e6).toFixed(2)} MB of JSON (packed)`,
  );

  // Layer 2 (the top) is selected, merged view: every entry of both layers.
  await expect(insp.layers.getByRole('button', { name: 'Layer 2', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(insp.view('Merged up to this layer')).toHaveAttribute('aria-checked', 'true');
  const entries = await statusCount(page);
  expect(entries).toBeGreaterThanOrEqual(FILES);
  const rows = insp.tree.getByRole('treeitem');
  await expect(rows.first()).toBeVisible();
  const rowsAtTop = await rows.count();
  expect(rowsAtTop).toBeGreaterThan(10);
  expect(rowsAtTop).toBeLessThan(MAX_DOM_ROWS);
  await expect(insp.entry('/srv/d00/s0/f00000')).toBeVisible();
  await expect(insp.entry(LAST)).toHaveCount(0); // not rendered: windowed
  console.log(`[layers-large] ${entries.toLocaleString('en')} entries in the model, ${rowsAtTop} rows in the DOM`);

  await settle(page);
  // A gentle scroll (two rows a frame, rows mostly reused) … Its frames pay a
  // full compositor draw each; headless Chromium with --disable-gpu composites
  // in software, which (traced) dominates them here, not the page's own work.
  const gentle = await scrollInFrames(page, 120, 44);
  console.log(`[layers-large] gentle scroll (44 px/frame), ${frameStats(gentle)}; max DOM rows ${gentle.maxRows}`);
  expect(gentle.maxRows).toBeLessThan(MAX_DOM_ROWS);

  // … then through the whole tree to its end, a new window of rows every frame
  // (cheaper frames for the compositor: the new rows are not rastered yet).
  const through = await scrollInFrames(page, 300, 'to-end');
  console.log(
    `[layers-large] scroll through ${(through.maxTop / 1e6).toFixed(2)} Mpx to the end, ${frameStats(through)}; max DOM rows ${through.maxRows}`,
  );
  expect(through.maxRows).toBeLessThan(MAX_DOM_ROWS);
  expect(through.endTop).toBeGreaterThanOrEqual(through.maxTop - 1);

  // The end: the last file, and the second layer's marks next to it.
  await expect(insp.entry(LAST)).toBeVisible();
  await expect(insp.entry('/srv/d00/s0/f00000')).toHaveCount(0);
  const modified = insp.entry(MODIFIED);
  await expect(modified).toHaveAttribute('data-change', 'modified');
  await expect(modified.locator('.lyr-ft-mark')).toHaveText('M');
  const deleted = insp.entry(DELETED);
  await expect(deleted).toHaveAttribute('data-change', 'removed');
  await expect(deleted.locator('.lyr-ft-mark')).toHaveText('R');
  await expect(insp.entry(LAST)).toHaveAttribute('data-change', 'unchanged');
  const rowsAtEnd = await rows.count();
  expect(rowsAtEnd).toBeLessThan(MAX_DOM_ROWS);
  console.log(`[layers-large] ${rowsAtEnd} rows in the DOM at the end`);

  // The mouse wheel, as a user scrolls: up a few screens and back down to the end.
  await insp.tree.hover();
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -600);
  await expect(insp.entry(LAST)).toHaveCount(0);
  for (let i = 0; i < 10; i++) await page.mouse.wheel(0, 600);
  await expect(insp.entry(LAST)).toBeVisible();
  expect(await rows.count()).toBeLessThan(MAX_DOM_ROWS);

  // Keyboard Home/End over the whole list.
  await insp.tree.focus();
  await page.keyboard.press('Home');
  await expect(insp.entry('/srv')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(insp.entry(LAST)).toHaveAttribute('aria-selected', 'true');

  // Collapse all: one row (/srv); its twisty opens 100 directories; Expand all restores everything.
  await page.getByRole('button', { name: 'Collapse all' }).click();
  await expect(rows).toHaveCount(1);
  await expect(insp.entry('/srv')).toHaveAttribute('aria-expanded', 'false');
  await insp.entry('/srv').locator('.lyr-ft-twisty').click();
  await expect(insp.entry('/srv')).toHaveAttribute('aria-expanded', 'true');
  await expect(insp.entry('/srv/d00')).toHaveAttribute('aria-expanded', 'false');
  const openSrv = await scrollInFrames(page, 10, 'to-end');
  expect(openSrv.maxRows).toBeLessThan(MAX_DOM_ROWS);
  await expect(insp.entry('/srv/d99')).toBeVisible();
  await page.getByRole('button', { name: 'Expand all' }).click();
  await insp.tree.focus();
  await page.keyboard.press('Home');
  await expect(insp.entry('/srv/d00/s0')).toHaveAttribute('aria-expanded', 'true');
  await expect(insp.entry('/srv/d00/s0/f00000')).toBeVisible();
  expect(await rows.count()).toBeLessThan(MAX_DOM_ROWS);

  // The path filter finds one deep file among the 100,000.
  const f0 = Date.now();
  await insp.pathFilter.fill(path.posix.basename(DEEP));
  await expect(insp.entry(DEEP)).toBeVisible();
  await expect(page.locator('.lyr-tree-status')).toContainText(/^1 of [\d,]+ entries match/);
  console.log(`[layers-large] filter "${path.posix.basename(DEEP)}" → row shown: ${Date.now() - f0} ms`);
  // The match and its three ancestors, nothing else.
  await expect(rows).toHaveCount(4);
  await expect(insp.entry(DEEP)).toHaveAttribute('aria-level', '4');
});
