/**
 * Page objects for the Images page and the Layer inspector (by role and
 * name, as a user or a screen reader finds them), and dropping a file on
 * the window the way a desktop drag does: a DataTransfer holding a File
 * built in the page from bytes the test read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';

/** Dispatches dragenter → dragover → drop of `file` on `target` (default: the page content). */
export async function dropFile(page: Page, file: string, target = 'main.content'): Promise<void> {
  const name = path.basename(file);
  const b64 = fs.readFileSync(file).toString('base64');
  const dataTransfer = await page.evaluateHandle(
    ({ b64, name }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: 'application/x-tar' }));
      return dt;
    },
    { b64, name },
  );
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent(target, type, { dataTransfer });
  }
  await dataTransfer.dispose();
}

/** Records the ingest/progress traffic of the page's WebSocket (web mode). */
export function recordIngest(page: Page): {
  chunkOffsets: () => number[];
  progress: () => Array<{ opId: string; phase: string; current: number; total: number }>;
} {
  const offsets: number[] = [];
  const events: Array<{ opId: string; phase: string; current: number; total: number }> = [];
  // Web mode sends chunks as raw-byte PUTs (preload/api.ts CHUNK_PUT_PATH).
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (req.method() === 'PUT' && url.pathname === '/chunks/images.ingest.chunk') {
      offsets.push(Number(url.searchParams.get('offset')));
    }
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => {
      if (typeof f.payload !== 'string' || !f.payload.includes('"phase"')) return;
      const m = JSON.parse(f.payload) as { type: string; payload?: { opId?: string; phase?: string } };
      if (m.type === 'event' && m.payload?.opId && m.payload.phase) {
        events.push(m.payload as { opId: string; phase: string; current: number; total: number });
      }
    });
  });
  return { chunkOffsets: () => [...offsets], progress: () => [...events] };
}

export class ImagesPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Images' });
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Images' });
  }

  /** The row of `name` ("busybox:latest"). */
  row(name: string): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  get loadButton(): Locator {
    return this.page.getByRole('button', { name: 'Load archive…' });
  }

  /** The transfer entry of a file name (load) or path (save). */
  transfer(name: string): Locator {
    return this.page.getByTestId('transfer').filter({ hasText: name });
  }

  async action(name: string, action: 'Inspect' | 'Tag' | 'Save' | 'Remove'): Promise<void> {
    const row = this.row(name);
    if (action === 'Inspect') await row.getByRole('link', { name: `Inspect ${name}` }).click();
    else await row.getByRole('button', { name: `${action} ${name}` }).click();
  }

  dialog(title: string | RegExp): Locator {
    return this.page.getByRole('dialog', { name: title });
  }

  async waitLoaded(fileName: string): Promise<Locator> {
    const t = this.transfer(fileName);
    await expect(t).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
    return t;
  }
}

export class LayerInspector {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Layer inspector' });
  }

  get layers(): Locator {
    return this.page.getByRole('table', { name: 'Layers' });
  }

  selectLayer(n: number): Promise<void> {
    return this.layers.getByRole('button', { name: `Layer ${n}`, exact: true }).click();
  }

  get tree(): Locator {
    return this.page.getByRole('tree');
  }

  get pathFilter(): Locator {
    return this.page.getByRole('searchbox', { name: 'Path filter' });
  }

  /** A tree row by its absolute path. */
  entry(absPath: string): Locator {
    return this.tree.locator(`[role="treeitem"][data-path="${absPath}"]`);
  }

  view(name: 'Merged up to this layer' | "This layer's changes"): Locator {
    return this.page.getByRole('radio', { name });
  }

  get efficiency(): Locator {
    return this.page.getByTestId('efficiency');
  }

  get wastefulPaths(): Locator {
    return this.page.getByRole('region', { name: 'Wasteful paths' });
  }

  /** The selected entry's contents as of the selected layer (FilePreview). */
  get preview(): Locator {
    return this.page.getByTestId('file-preview');
  }

  /** Filters the tree down to `absPath` and clicks its row: the preview follows. */
  async open(absPath: string): Promise<Locator> {
    await this.pathFilter.fill(absPath);
    await this.entry(absPath).click();
    await expect(this.preview.getByRole('heading', { name: absPath })).toBeVisible();
    return this.preview;
  }
}
