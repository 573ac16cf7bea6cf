/**
 * Page objects for the Namespaces page and a container's namespaces view,
 * found by role and name; plus invoking the contract through the app's own
 * WebSocket (to set things up the way the UI itself talks to the engine).
 */
import type { Locator, Page } from '@playwright/test';
import { pageSessionProtocols } from './session';

export class NamespacesPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Namespaces' });
  }

  get graph(): Locator {
    return this.page.getByTestId('namespace-graph');
  }

  get refresh(): Locator {
    return this.page.getByRole('button', { name: /^(Refresh|Scanning…)$/ });
  }

  /** A container's node: "container NAME (SHORTID)". */
  containerNode(name: string, id: string): Locator {
    return this.graph.getByRole('button', { name: `container ${name} (${id.slice(0, 12)})`, exact: true });
  }

  /** A namespace node by its accessible name ("net namespace 4026531840, host initial, 12 processes, …"). */
  namespaceNode(name: RegExp): Locator {
    return this.graph.getByRole('button', { name });
  }

  get containerFilter(): Locator {
    return this.page.getByLabel('Container', { exact: true });
  }

  get compareSelect(): Locator {
    return this.page.getByLabel('Highlight what it shares with the host');
  }

  typeFilter(type: string): Locator {
    return this.page.getByRole('group', { name: 'Types' }).getByRole('checkbox', { name: new RegExp(`^${type}\\b`) });
  }

  /** The "What NAME shares with the host" summary. */
  summary(name: string): Locator {
    return this.page.getByRole('region', { name: `What ${name} shares with the host` });
  }

  /** The types listed as shared / separate in a summary. */
  async summaryTypes(name: string, which: 'shared' | 'separate'): Promise<string[]> {
    const label = which === 'shared' ? 'Shared with the host' : 'Separate (its own)';
    const items = this.summary(name).getByRole('list', { name: label }).getByRole('listitem');
    return (await items.allTextContents()).map((t) => t.trim());
  }

  get details(): Locator {
    return this.page.getByTestId('namespace-details');
  }
}

export interface InvokeReply {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

/**
 * Invokes contract methods in order through a fresh WebSocket to the page's
 * own server (`/ws`, authenticated by the page's session secret), as the renderer
 * does; returns each reply's envelope.
 */
export async function invokeViaPage(
  page: Page,
  calls: readonly { method: string; params: unknown }[],
): Promise<InvokeReply[]> {
  const protocols = await pageSessionProtocols(page);
  return page.evaluate(
    async ({ list, protocols }) => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws', protocols);
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('the WebSocket did not open'));
      });
      const out: { ok: boolean; result?: unknown; error?: { code: string; message: string } }[] = [];
      let n = 0;
      for (const { method, params } of list) {
        const id = 900_000 + ++n;
        const reply = await new Promise<(typeof out)[number]>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${method}: no reply in 60 s`)), 60_000);
          const onMessage = (ev: MessageEvent) => {
            const msg = JSON.parse(String(ev.data)) as { type?: string; id?: unknown; envelope?: (typeof out)[number] };
            if (msg.type !== 'result' || msg.id !== id || !msg.envelope) return;
            clearTimeout(timer);
            ws.removeEventListener('message', onMessage);
            resolve(msg.envelope);
          };
          ws.addEventListener('message', onMessage);
          ws.send(JSON.stringify({ type: 'invoke', id, method, params }));
        });
        out.push(reply);
        if (!reply.ok) break;
      }
      ws.close();
      return out;
    },
    { list: calls, protocols },
  );
}
