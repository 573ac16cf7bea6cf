/**
 * The palette's state and the app's keyboard shortcuts, used once by Shell.
 *
 * Ctrl+K (⌘K) opens the palette anywhere. The rest act only when the focus
 * is not in a text field, a terminal or a dialog, so typing is never taken:
 * Alt+1…9 go to the n-th page of the route list, "/" focuses the page's
 * search (or opens the palette), S / X / R start, stop, restart the selected
 * container, Delete opens its remove dialog (the one the actions bar opens).
 *
 * The focus goes back to where it was when the palette or the remove dialog
 * closes; when the palette hands over to the remove dialog, only the
 * dialog's close gives it back.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useBerth } from '../client';
import { usePreferences, useSetPreferences } from '../preferences/preferences';
import { routes } from '../routes';
import { containersHref, parseContainersHash } from '../../features/containers/route';
import { buildCommands, runCommand, selectedContainerId, type Command, type SelectedContainer } from './commands';

function findContainer(qc: QueryClient, id: string): SelectedContainer | null {
  for (const [, data] of qc.getQueriesData<SelectedContainer[] | SelectedContainer>({ queryKey: ['containers'] })) {
    const c = Array.isArray(data) ? data.find((x) => x.id === id) : data?.id === id ? data : undefined;
    if (c && typeof c.state === 'string') return { id: c.id, name: c.name, state: c.state };
  }
  return null;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], .xterm')) return true;
  return target.closest('dialog[open]') !== null;
}

/** The page's own search field: a search landmark's input, or a search input. */
export function focusPageSearch(doc: Document): boolean {
  const field = doc.querySelector<HTMLElement>('main [role="search"] input, main input[type="search"]');
  field?.focus();
  return field !== null;
}

export interface PaletteState {
  commands: Command[];
}

export function useCommandCenter() {
  const client = useBerth();
  const qc = useQueryClient();
  const prefs = usePreferences();
  const setPrefs = useSetPreferences();
  const [palette, setPalette] = useState<PaletteState | null>(null);
  const [removing, setRemoving] = useState<SelectedContainer | null>(null);
  const removingRef = useRef(false);
  const returnFocus = useRef<HTMLElement | null>(null);

  const giveFocusBack = useCallback(() => {
    // After the dialog is gone, or the browser puts the focus on <body>. A
    // remove dialog opened meanwhile (from the palette) gives it back itself.
    requestAnimationFrame(() => {
      if (removingRef.current) return;
      const back = returnFocus.current;
      returnFocus.current = null;
      if (back?.isConnected) back.focus();
    });
  }, []);

  const askRemove = useCallback((c: SelectedContainer) => {
    // From the palette the focus to give back is already kept; from Delete it is the row.
    returnFocus.current ??= document.activeElement instanceof HTMLElement ? document.activeElement : null;
    removingRef.current = true;
    setRemoving(c);
  }, []);

  const closeRemove = useCallback(() => {
    removingRef.current = false;
    setRemoving(null);
    giveFocusBack();
  }, [giveFocusBack]);

  const navigate = useCallback((href: string) => {
    window.location.hash = href.replace(/^#/, '');
  }, []);

  const commands = useCallback((): Command[] => {
    const id = selectedContainerId(document, window.location.hash);
    return buildCommands({
      client,
      qc,
      routes,
      prefs,
      setPrefs: (patch) => setPrefs.mutate(patch),
      selected: id ? findContainer(qc, id) : null,
      navigate,
      askRemove,
      focusSearch: () => {
        if (!focusPageSearch(document)) openPalette();
      },
    });
    // openPalette is stable (below) and reads this through a ref.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, qc, prefs, setPrefs.mutate, navigate, askRemove]);
  const commandsRef = useRef(commands);
  commandsRef.current = commands;

  const openPalette = useCallback(() => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setPalette({ commands: commandsRef.current() });
  }, []);

  const closePalette = useCallback(() => {
    setPalette(null);
    giveFocusBack();
  }, [giveFocusBack]);

  /** After a remove: the details of a container that is gone leave for the table, as the details' own Remove does. */
  const removed = useCallback(
    (c: SelectedContainer) => {
      const loc = parseContainersHash(window.location.hash);
      if (loc?.view === 'details' && loc.id === c.id) navigate(containersHref());
    },
    [navigate],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        if (!document.querySelector('dialog.palette[open]')) openPalette();
        return;
      }
      if (e.defaultPrevented || isTyping(e.target)) return;
      const digit = /^Digit([1-9])$/.exec(e.code);
      if (e.altKey && !e.ctrlKey && !e.metaKey && digit) {
        const r = routes[Number(digit[1]) - 1];
        if (r) {
          e.preventDefault();
          navigate(`#${r.path}`);
        }
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const key = e.key === '/' || e.key === 'Delete' ? e.key : e.key.length === 1 ? e.key.toUpperCase() : null;
      if (!key) return;
      const cmd = commandsRef.current().find((c) => c.shortcut === key);
      if (!cmd) return;
      e.preventDefault();
      runCommand(cmd);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openPalette, navigate]);

  return { palette, openPalette, closePalette, navigate, removing, closeRemove, removed };
}
