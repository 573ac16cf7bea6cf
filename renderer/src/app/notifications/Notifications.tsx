/**
 * Container notifications, mounted once in App: `containers.changed` events
 * go through the rules (rules.ts); a note is shown in the window's own list
 * (a polite live region, so screen readers hear it too) and, when the user
 * has notifications on, on the desktop (deliver.ts). Stops, kills, restarts
 * and removals asked from this window are told to the rules through the
 * container mutations' keys, so their exits stay quiet.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { useBerth, useEvent } from '../client';
import { usePreferences } from '../preferences/preferences';
import { deliverToDesktop } from './deliver';
import { notes as defaultNotes, useNotes, type NoteStore } from './notes';
import { NotificationRules, type LoopRule } from './rules';

interface Named {
  id: string;
  name: string;
}

/** The name the user knows, from whatever container list or detail is cached. */
export function containerName(qc: QueryClient, id: string): string {
  for (const [, data] of qc.getQueriesData<Named[] | Named>({ queryKey: ['containers'] })) {
    const found = Array.isArray(data) ? data.find((c) => c.id === id) : data?.id === id ? data : undefined;
    if (found?.name) return found.name;
  }
  return id.slice(0, 12);
}

/** Action kinds after which an exit was asked for. */
const STOPPING = new Set(['stop', 'restart', 'kill']);

/** Feeds the rules; posts notes. No markup: <NoteList/> shows them. */
export function useContainerNotifications(store: NoteStore = defaultNotes, rule?: LoopRule): void {
  const client = useBerth();
  const qc = useQueryClient();
  const prefs = usePreferences();
  const rules = useRef<NotificationRules>(null);
  rules.current ??= new NotificationRules(rule);

  useEffect(
    () =>
      qc.getMutationCache().subscribe((ev) => {
        if (ev.type !== 'updated' || ev.action.type !== 'pending') return;
        const key = ev.mutation.options.mutationKey;
        if (!key || key[0] !== 'containers' || typeof key[2] !== 'string') return;
        const vars: unknown = ev.mutation.state.variables;
        const kind = typeof vars === 'object' && vars !== null && 'kind' in vars ? String(vars.kind) : null;
        if (key[1] === 'remove' || (key[1] === 'action' && kind !== null && STOPPING.has(kind))) {
          rules.current?.expectStop(key[2]);
        }
      }),
    [qc],
  );

  useEvent('containers.changed', (e) => {
    const note = rules.current?.feed(e, containerName(qc, e.id));
    if (!note || !prefs.notifications) return;
    store.push(note);
    void deliverToDesktop(client, note);
  });
}

export function NoteList({ store = defaultNotes }: { store?: NoteStore }): ReactNode {
  const list = useNotes(store);
  return (
    <section className="notes" aria-label="Notifications" aria-live="polite">
      {list.map((n) => (
        <div key={n.key} className={`note note-${n.kind}`} role="status">
          <div className="note-text">
            <strong>{n.title}</strong>
            <span>{n.body}</span>
          </div>
          <button
            type="button"
            className="note-close"
            aria-label={`Dismiss: ${n.title}`}
            onClick={() => store.dismiss(n.key)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}

export function Notifications(): ReactNode {
  useContainerNotifications();
  return <NoteList />;
}
