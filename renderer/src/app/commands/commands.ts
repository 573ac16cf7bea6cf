/**
 * The commands of the palette and their keyboard shortcuts, built from what
 * the app already lists: a "Go to" per route (so a page another feature adds
 * is reachable with no edit here), lifecycle actions on the selected
 * container, search focus, and the theme. Remove opens the containers
 * feature's own remove dialog (force, -v and the volumes that would go), as
 * the actions bar does, so both paths ask and send the same.
 *
 * The selected container is the one whose details are shown, or whose row
 * of the Containers table holds the focus.
 */
import { MutationObserver, type QueryClient } from '@tanstack/react-query';
import type { PreferencesPatchT, PreferencesT } from '../../../../preload/schemas/preferences';
import { toErrorShape } from '../../../../preload/errors';
import type { BerthClient } from '../client';
import { notes } from '../notifications/notes';
import type { ContainerSummaryT } from '../../../../preload/schemas/containers';
import { containerMutationKeys, runContainerAction, type Action } from '../../features/containers/hooks';
import { parseContainersHash } from '../../features/containers/route';
import { hrefFor } from '../router';
import type { RouteEntry } from '../routes';

export interface Command {
  id: string;
  label: string;
  group: 'Go to' | 'Container' | 'View';
  /** Shown next to it, e.g. "Alt+1"; `key` in shortcuts.ts matches it. */
  shortcut?: string;
  run(): void | Promise<unknown>;
}

export type SelectedContainer = Pick<ContainerSummaryT, 'id' | 'name' | 'state'>;

export interface CommandContext {
  client: BerthClient;
  qc: QueryClient;
  routes: readonly RouteEntry[];
  prefs: PreferencesT;
  setPrefs(patch: PreferencesPatchT): void;
  selected: SelectedContainer | null;
  focusSearch(): void;
  navigate(href: string): void;
  /** Opens the remove dialog for it (the dialog asks, and sends force and -v). */
  askRemove(c: SelectedContainer): void;
}

/** Which container the user has in front of them (see the file comment). */
export function selectedContainerId(doc: Document, hash: string): string | null {
  const loc = parseContainersHash(hash);
  if (loc?.view === 'details') return loc.id;
  const row = doc.activeElement?.closest<HTMLElement>('.ctr-table tr[data-id]');
  return row?.dataset.id ?? null;
}

/** Runs a lifecycle action through the containers feature's own mutation (same key, same notification rules). */
function containerAction(ctx: CommandContext, id: string, a: Action): Promise<unknown> {
  return new MutationObserver(ctx.qc, {
    mutationKey: containerMutationKeys.action(id),
    mutationFn: (v: Action) => runContainerAction(ctx.client, id, v),
  }).mutate(a);
}

export function buildCommands(ctx: CommandContext): Command[] {
  const out: Command[] = ctx.routes.map((r, i) => ({
    id: `go:${r.path}`,
    label: `Go to ${r.label}`,
    group: 'Go to',
    ...(i < 9 ? { shortcut: `Alt+${i + 1}` } : {}),
    run: () => ctx.navigate(hrefFor(r.path)),
  }));
  const c = ctx.selected;
  if (c) {
    const live = c.state === 'running' || c.state === 'paused';
    const timeoutSec = ctx.prefs.stopTimeoutSeconds;
    if (!live && c.state !== 'restarting') {
      out.push({
        id: 'ctr:start',
        label: `Start ${c.name}`,
        group: 'Container',
        shortcut: 'S',
        run: () => containerAction(ctx, c.id, { kind: 'start' }),
      });
    }
    if (live || c.state === 'restarting') {
      out.push({
        id: 'ctr:stop',
        label: `Stop ${c.name} (SIGKILL after ${timeoutSec} s)`,
        group: 'Container',
        shortcut: 'X',
        run: () => containerAction(ctx, c.id, { kind: 'stop', timeoutSec }),
      });
    }
    out.push({
      id: 'ctr:restart',
      label: `Restart ${c.name}`,
      group: 'Container',
      shortcut: 'R',
      run: () => containerAction(ctx, c.id, { kind: 'restart', timeoutSec }),
    });
    // Offered in every state, as the actions bar's Remove: the dialog says
    // when a live one needs "force".
    out.push({
      id: 'ctr:remove',
      label: `Remove ${c.name}…`,
      group: 'Container',
      shortcut: 'Delete',
      run: () => ctx.askRemove(c),
    });
  }
  out.push({ id: 'view:search', label: 'Focus search', group: 'View', shortcut: '/', run: ctx.focusSearch });
  for (const theme of ['light', 'dark', 'system'] as const) {
    if (theme === ctx.prefs.theme) continue;
    out.push({
      id: `view:theme-${theme}`,
      label: theme === 'system' ? 'Theme: follow the system' : `Theme: ${theme}`,
      group: 'View',
      run: () => ctx.setPrefs({ theme }),
    });
  }
  return out;
}

/** Every word of the query appears in the text (case-insensitive). */
export function matches(query: string, text: string): boolean {
  const hay = text.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** Runs a command; a failure becomes a note in the window (the palette is gone by then). */
export function runCommand(c: Command): void {
  void Promise.resolve()
    .then(() => c.run())
    .catch((err: unknown) => {
      const shape = toErrorShape(err);
      notes.push({ kind: 'error', title: `${c.label} failed`, body: `${shape.code}: ${shape.message}` });
    });
}
