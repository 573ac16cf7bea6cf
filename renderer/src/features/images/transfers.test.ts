import { describe, expect, it } from 'vitest';
import type { EventName, EventPayload, MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';
import { TransferStore, type TransferClient, type TransferPhase } from './transfers';

/** A client whose helper emits images.progress for the opId it was given, like helper/server/features/images.ts. */
function fakeClient(opts: { failCommit?: boolean } = {}) {
  const listeners = new Set<(p: EventPayload<'images.progress'>) => void>();
  let opId = '';
  let received = 0;
  const emit = (p: EventPayload<'images.progress'>) => listeners.forEach((l) => l(p));
  const client: TransferClient = {
    invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const p = params as Record<string, unknown>;
      const ok = (r: unknown) => Promise.resolve(r as Result<M>);
      switch (method) {
        case 'images.ingest.begin':
          opId = String(p.opId);
          received = 0;
          return ok({ ingestId: '0'.repeat(32) });
        case 'images.ingest.chunk':
          received += atob(String(p.data)).length;
          return ok({ received });
        case 'images.ingest.commit':
          emit({ opId: 'someone-else', phase: 'unpack', current: 9, total: 9 });
          emit({ opId, phase: 'verify', current: received, total: received });
          emit({ opId, phase: 'unpack', current: 1, total: 1 });
          if (opts.failCommit) return Promise.reject(new BerthError('DIGEST_MISMATCH', 'bad layer'));
          return ok({
            opId,
            images: [
              {
                id: `sha256:${'a'.repeat(64)}`,
                digest: '',
                repoTags: ['e2e/x:1'],
                names: [],
                layers: 1,
                format: 'docker-save',
              },
            ],
          });
        case 'images.save':
          emit({ opId: String(p.opId), phase: 'export', current: 5, total: 10 });
          return ok({ path: String(p.path), size: 10, images: [] });
        default:
          return Promise.reject(new BerthError('METHOD_NOT_FOUND', method));
      }
    },
    subscribe<E extends EventName>(_event: E, cb: (payload: EventPayload<E>) => void): () => void {
      const l = cb as (p: EventPayload<'images.progress'>) => void;
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { client, listeners };
}

function phasesOf(store: TransferStore, id: () => string): TransferPhase[] {
  const seen: TransferPhase[] = [];
  store.subscribe(() => {
    const t = store.get(id());
    if (t && seen.at(-1) !== t.phase) seen.push(t.phase);
  });
  return seen;
}

describe('TransferStore', () => {
  it('a load goes upload → verify → unpack → done, following only its own opId', async () => {
    const store = new TransferStore();
    const { client, listeners } = fakeClient();
    let id = '';
    const seen = phasesOf(store, () => id);
    const started = store.load(client, new File([new Uint8Array(3000)], 'x.tar'));
    id = started.id;
    const t = await started.done;
    expect(t).toMatchObject({ phase: 'done', images: ['e2e/x:1'], name: 'x.tar' });
    expect(seen).toEqual(['upload', 'verify', 'unpack', 'done']);
    expect(listeners.size).toBe(0);
  });

  it('a failed load keeps the engine code', async () => {
    const store = new TransferStore();
    const { client } = fakeClient({ failCommit: true });
    const t = await store.load(client, new File([new Uint8Array(10)], 'bad.tar')).done;
    expect(t.phase).toBe('error');
    expect(t.error).toMatchObject({ code: 'DIGEST_MISMATCH', message: 'bad layer' });
  });

  it('loads run one after another', async () => {
    const store = new TransferStore();
    const { client } = fakeClient();
    const a = store.load(client, new File([new Uint8Array(10)], 'a.tar'));
    const b = store.load(client, new File([new Uint8Array(10)], 'b.tar'));
    expect(store.get(b.id)?.phase).toBe('queued');
    await a.done;
    expect((await b.done).phase).toBe('done');
  });

  it('a save reports export progress then done', async () => {
    const store = new TransferStore();
    const { client } = fakeClient();
    const t = await store.save(client, ['busybox:latest'], '/tmp/b.tar').done;
    expect(t).toMatchObject({ kind: 'save', phase: 'done', total: 10, name: '/tmp/b.tar' });
    store.dismissFinished();
    expect(store.snapshot()).toEqual([]);
  });
});
