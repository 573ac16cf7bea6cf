/**
 * The command palette (Ctrl+K): one input over the commands (commands.ts)
 * and, once something is typed, every search source (search-sources.ts).
 * A combobox with a listbox (aria-activedescendant), so the focus stays in
 * the input: ↑/↓ move, Enter runs or opens, Escape closes and gives the focus
 * back to where it was. A destructive command asks in a dialog of its own
 * (Remove opens the containers feature's remove dialog).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { toErrorShape } from '../../../../preload/errors';
import { useBerth } from '../client';
import { matches, runCommand, type Command } from './commands';
import type { SearchItem, SearchSource } from './search-sources';

type Entry =
  | { kind: 'command'; key: string; group: string; command: Command }
  | { kind: 'item'; key: string; group: string; item: SearchItem };

interface SourceState {
  items: SearchItem[];
  error: string | null;
}

const MAX_PER_SOURCE = 8;

function useSources(sources: readonly SearchSource[]): Map<string, SourceState> {
  const client = useBerth();
  const qc = useQueryClient();
  const [state, setState] = useState(() => new Map<string, SourceState>());
  useEffect(() => {
    let live = true;
    for (const s of sources) {
      s.load(client, qc).then(
        (items) => live && setState((m) => new Map(m).set(s.id, { items, error: null })),
        (err: unknown) => live && setState((m) => new Map(m).set(s.id, { items: [], error: toErrorShape(err).code })),
      );
    }
    return () => {
      live = false;
    };
  }, [client, qc, sources]);
  return state;
}

export function CommandPalette({
  commands,
  sources,
  onClose,
  navigate,
}: {
  commands: readonly Command[];
  sources: readonly SearchSource[];
  onClose: () => void;
  navigate: (href: string) => void;
}): ReactNode {
  const dialog = useRef<HTMLDialogElement>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const loaded = useSources(sources);
  const listId = useId();
  const titleId = useId();

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const entries = useMemo<Entry[]>(() => {
    const out: Entry[] = commands
      .filter((c) => matches(query, `${c.group} ${c.label}`))
      .map((c) => ({ kind: 'command', key: `cmd:${c.id}`, group: c.group, command: c }));
    if (query.trim() !== '') {
      for (const s of sources) {
        const items = (loaded.get(s.id)?.items ?? []).filter((i) => matches(query, `${i.label} ${i.detail}`));
        for (const item of items.slice(0, MAX_PER_SOURCE))
          out.push({ kind: 'item', key: `${s.id}:${item.key}`, group: s.label, item });
      }
    }
    return out;
  }, [commands, sources, loaded, query]);

  const current = entries[Math.min(active, entries.length - 1)];
  const optionId = (e: Entry) => `${listId}-${e.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  const run = (e: Entry | undefined) => {
    if (!e) return;
    if (e.kind === 'item') {
      onClose();
      navigate(e.item.href);
      return;
    }
    onClose();
    runCommand(e.command);
  };

  const onKeyDown = (ev: KeyboardEvent) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const n = entries.length;
      if (n > 0) setActive((i) => (Math.min(i, n - 1) + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      run(current);
    } else if (ev.key === 'Escape') {
      ev.preventDefault(); // the dialog's own cancel would close it too; one close, here
      onClose();
    }
  };

  const groups: [string, Entry[]][] = [];
  for (const e of entries) {
    const last = groups[groups.length - 1];
    if (last && last[0] === e.group) last[1].push(e);
    else groups.push([e.group, [e]]);
  }
  const failed = sources.filter((s) => loaded.get(s.id)?.error);

  return createPortal(
    <dialog
      ref={dialog}
      className="palette"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === dialog.current) onClose(); // a click on the backdrop
      }}
    >
      <h2 id={titleId} className="palette-title">
        Command palette
      </h2>
      <input
        className="palette-input"
        role="combobox"
        aria-label="Command or search"
        aria-expanded="true"
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={current ? optionId(current) : undefined}
        placeholder="Type a command, a container or an image…"
        value={query}
        autoFocus
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <div id={listId} role="listbox" aria-label="Results" className="palette-list">
        {groups.map(([group, list]) => (
          <div key={group} role="group" aria-label={group}>
            <div className="palette-group" aria-hidden="true">
              {group}
            </div>
            {list.map((e) => (
              <div
                key={e.key}
                id={optionId(e)}
                role="option"
                aria-selected={e === current}
                className="palette-option"
                onMouseMove={() => setActive(entries.indexOf(e))}
                onClick={() => run(e)}
              >
                <span className="palette-label">{e.kind === 'command' ? e.command.label : e.item.label}</span>
                {e.kind === 'item' && <span className="palette-detail mono">{e.item.detail}</span>}
                {e.kind === 'command' && e.command.shortcut && <kbd className="palette-kbd">{e.command.shortcut}</kbd>}
              </div>
            ))}
          </div>
        ))}
        {entries.length === 0 && (
          <div className="palette-empty" role="option" aria-selected="false" aria-disabled="true">
            Nothing matches “{query}”.
          </div>
        )}
      </div>
      {failed.length > 0 && (
        <p className="palette-foot muted">
          Not searched: {failed.map((s) => `${s.label} (${loaded.get(s.id)?.error ?? ''})`).join(', ')}
        </p>
      )}
    </dialog>,
    document.body,
  );
}
