/**
 * The palette's state and the app's keyboard shortcuts, used once by Shell.
 *
 * Ctrl+K (⌘K) opens the palette anywhere. The rest act only when the focus
 * is not in a text field, a terminal or a dialog, so typing is never taken:
 * Alt+1…9 go to the n-th page of the route list, "/" focuses the page's
 * search (or opens the palette), S / X / R start, stop, restart the selected
 * container, Delete asks to remove it (in the palette).
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useBerth } from '../client';
import { usePreferences, useSetPreferences } from '../preferences/preferences';
import { routes } from '../routes';
import { buildCommands, runCommand, selectedContainerId, type Command, type SelectedContainer } from './commands';

interface Summary {
  id: string;
  name: string;
  state: string;
}

function findContainer(qc: QueryClient, id: string): SelectedContainer | null {
  for (const [, data] of qc.getQueriesData<Summary[] | Summary>({ queryKey: ['containers'] })) {
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
  /** A command to ask about at once (Delete's remove). */
  confirm: Command | null;
}

export function useCommandCenter() {
  const client = useBerth();
  const qc = useQueryClient();
  const prefs = usePreferences();
  const setPrefs = useSetPreferences();
  const [palette, setPalette] = useState<PaletteState | null>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

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
      focusSearch: () => {
        if (!focusPageSearch(document)) openPalette(null);
      },
    });
    // openPalette is stable (below) and reads this through a ref.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, qc, prefs, setPrefs.mutate, navigate]);
  const commandsRef = useRef(commands);
  commandsRef.current = commands;

  const openPalette = useCallback((confirm: Command | null) => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setPalette({ commands: commandsRef.current(), confirm });
  }, []);

  const closePalette = useCallback(() => {
    setPalette(null);
    const back = returnFocus.current;
    returnFocus.current = null;
    // After the dialog is gone, or the browser puts the focus on <body>.
    if (back?.isConnected) requestAnimationFrame(() => back.focus());
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        if (!document.querySelector('dialog.palette[open]')) openPalette(null);
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
      if (cmd.confirm) openPalette(cmd);
      else runCommand(cmd);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openPalette, navigate]);

  return { palette, openPalette, closePalette, navigate };
}
