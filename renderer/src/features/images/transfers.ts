/**
 * Loads and saves in progress, outside React: an upload keeps going when
 * the user leaves the Images page, and its progress is there when they come
 * back. Each transfer follows its own opId in `images.progress`:
 *   load: upload (bytes sent from this window) → verify → unpack → done | error
 *   save: export (bytes main has written) → done | error
 * Loads run one at a time (a queue), so dropping ten archives does not open
 * ten helper sessions at once.
 */
import { useSyncExternalStore } from 'react';
import type { EventName, EventPayload, MethodName, Params, Result } from '../../../../preload/contract';
import { toErrorShape, type ErrorShape } from '../../../../preload/errors';
import { ingestArchive, newOpId, type Invoker } from './ingest';

export type TransferPhase = 'queued' | 'upload' | 'verify' | 'unpack' | 'export' | 'done' | 'error';

export interface Transfer {
  /** The opId its `images.progress` events carry. */
  id: string;
  kind: 'load' | 'save';
  /** File name (load) or destination path (save). */
  name: string;
  phase: TransferPhase;
  /** Progress within the phase: bytes for upload/verify/export, layers for unpack. */
  current: number;
  total: number;
  message?: string;
  error?: ErrorShape;
  /** What a load brought in ("busybox:latest", or a short ID when untagged). */
  images?: string[];
  startedAt: number;
  finishedAt?: number;
}

/** What the transfer store needs of the client. */
export interface TransferClient {
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  subscribe<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void;
  /** Web mode's byte path for the upload (BerthClient.putChunk). */
  putChunk?: Invoker['putChunk'];
}

/** A transfer that has started: its id (to follow it) and its outcome. */
export interface Started {
  id: string;
  done: Promise<Transfer>;
}

const FINAL: ReadonlySet<TransferPhase> = new Set(['done', 'error']);

export class TransferStore {
  private items: readonly Transfer[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly controllers = new Map<string, AbortController>();
  private queue: Promise<unknown> = Promise.resolve();

  readonly subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  readonly snapshot = (): readonly Transfer[] => this.items;

  private emit(): void {
    for (const l of this.listeners) l();
  }

  private add(t: Transfer): void {
    this.items = [...this.items, t];
    this.emit();
  }

  private update(id: string, patch: Partial<Transfer>): void {
    let changed = false;
    this.items = this.items.map((t) => {
      if (t.id !== id || FINAL.has(t.phase)) return t;
      changed = true;
      const next = { ...t, ...patch };
      if (patch.phase && FINAL.has(patch.phase)) next.finishedAt = Date.now();
      return next;
    });
    if (changed) this.emit();
  }

  get(id: string): Transfer | undefined {
    return this.items.find((t) => t.id === id);
  }

  dismiss(id: string): void {
    this.items = this.items.filter((t) => t.id !== id);
    this.emit();
  }

  dismissFinished(): void {
    this.items = this.items.filter((t) => !FINAL.has(t.phase));
    this.emit();
  }

  /** Cancels an upload that has not been committed yet (the helper then drops it). */
  cancel(id: string): void {
    this.controllers.get(id)?.abort();
  }

  cancellable(t: Transfer): boolean {
    return t.kind === 'load' && (t.phase === 'queued' || t.phase === 'upload') && this.controllers.has(t.id);
  }

  private follow(client: TransferClient, id: string, phases: ReadonlySet<string>): () => void {
    return client.subscribe('images.progress', (p) => {
      // "done" and "error" are taken from the call's own answer, which carries the error code.
      if (p.opId !== id || !phases.has(p.phase)) return;
      this.update(id, {
        phase: p.phase as TransferPhase,
        current: p.current,
        total: p.total,
        ...(p.message !== undefined ? { message: p.message } : {}),
      });
    });
  }

  /** Uploads and loads a File the browser holds (file picker or drop). */
  load(client: TransferClient, file: Blob & { name?: string }): Started {
    const id = newOpId('load');
    const ac = new AbortController();
    this.controllers.set(id, ac);
    this.add({
      id,
      kind: 'load',
      name: file.name || 'archive.tar',
      phase: 'queued',
      current: 0,
      total: file.size,
      startedAt: Date.now(),
    });
    const run = async (): Promise<void> => {
      const stop = this.follow(client, id, new Set(['verify', 'unpack']));
      try {
        const r = await ingestArchive(client, file, {
          opId: id,
          signal: ac.signal,
          onUpload: (received, total) => this.update(id, { phase: 'upload', current: received, total }),
          onCommit: () => {
            this.controllers.delete(id);
            this.update(id, { phase: 'verify', current: 0, total: file.size, message: 'verifying digests' });
          },
        });
        const names = r.images.flatMap((i) => (i.repoTags.length ? i.repoTags : [i.id.slice(7, 19)]));
        this.update(id, {
          phase: 'done',
          current: r.images.length,
          total: r.images.length,
          images: names,
          message: `loaded ${names.join(', ') || 'nothing'}`,
        });
      } catch (err) {
        this.update(id, { phase: 'error', error: toErrorShape(err) });
      } finally {
        stop();
        this.controllers.delete(id);
      }
    };
    const ran = this.queue.then(run, run);
    this.queue = ran;
    return { id, done: ran.then(() => this.get(id) as Transfer) };
  }

  /** `images.save` in main: the archive is written on the host, by main, as the user running Berth. */
  save(client: TransferClient, refs: string[], path: string): Started {
    const id = newOpId('save');
    this.add({ id, kind: 'save', name: path, phase: 'export', current: 0, total: 0, startedAt: Date.now() });
    const stop = this.follow(client, id, new Set(['export']));
    const done = client
      .invoke('images.save', { refs, path, opId: id })
      .then(
        (r) => this.update(id, { phase: 'done', current: r.size, total: r.size, name: r.path }),
        (err: unknown) => this.update(id, { phase: 'error', error: toErrorShape(err) }),
      )
      .finally(stop)
      .then(() => this.get(id) as Transfer);
    return { id, done };
  }
}

/** The app's one store (transfers outlive the pages that started them). */
export const transfers = new TransferStore();

export function useTransfers(store: TransferStore = transfers): readonly Transfer[] {
  return useSyncExternalStore(store.subscribe, store.snapshot);
}
