/**
 * Words and paths the views show: the /proc files that name a namespace
 * (the "kernel truth"), holders, counts. Pure.
 */
import type { Namespace, NamespaceGraph, NamespaceHolder, NamespaceProcess } from './types';

/** What `readlink` prints for a namespace link: `net:[4026531840]`. */
export function linkText(ns: Pick<Namespace, 'type' | 'inode'>): string {
  return `${ns.type}:[${ns.inode}]`;
}

/** The /proc link through which this process (or thread) shows the namespace. */
export function procPath(ns: Pick<Namespace, 'type'>, p: NamespaceProcess): string {
  switch (p.via) {
    case 'task':
      return `/proc/${p.pid}/task/${p.tid ?? p.pid}/ns/${ns.type}`;
    case 'children':
      return `/proc/${p.pid}/ns/${ns.type}_for_children`;
    default:
      return `/proc/${p.pid}/ns/${ns.type}`;
  }
}

/** Where a holder can be opened from the host: the bind mount through that process's root, or the fd link. */
export function holderPath(h: NamespaceHolder): string {
  return h.kind === 'mount' ? `/proc/${h.pid}/root${h.path}` : `/proc/${h.pid}/fd/${h.fd}`;
}

export function holderText(h: NamespaceHolder): string {
  return h.kind === 'mount' ? `bind mount ${h.path}` : `fd ${h.fd} of pid ${h.pid}`;
}

/** "12 processes", "1 process", "no processes". */
export function processesText(n: number): string {
  return n === 0 ? 'no processes' : `${n.toLocaleString('en-US')} ${n === 1 ? 'process' : 'processes'}`;
}

/** The one-line subtitle of a namespace node: its count, or what holds it. */
export function nodeSubtitle(ns: Namespace): string {
  if (ns.processCount > 0) {
    const first = ns.processes[0];
    const who = ns.processCount <= 3 && first ? ` · ${uniq(ns.processes.map((p) => p.comm)).join(', ')}` : '';
    return `${processesText(ns.processCount)}${who}`;
  }
  if (ns.holders.length > 0) return ns.holders.map(holderText).join(', ');
  return ns.hidden ? 'only named by another' : 'no processes';
}

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/** "NSpid 31337 → 1": the process's id in each pid namespace, the host's first. */
export function nspidText(p: NamespaceProcess): string {
  return p.nspid.join(' → ');
}

/** How sure the scan is that a namespace is the host's initial one (graph.initial). */
export function initialSource(graph: Pick<NamespaceGraph, 'initial'>, ns: Namespace): string | null {
  const i = graph.initial.find((e) => e.type === ns.type);
  if (!i || i.id !== ns.id) return null;
  switch (i.source) {
    case 'static-inode':
      return "the kernel's fixed inode for the initial namespace (linux/nsfs.h)";
    case 'init':
      return '/proc/1/ns of the initial pid namespace';
    case 'kthreadd':
      return '/proc/2/ns (kthreadd: kernel threads use the initial namespaces)';
    case 'scanner':
      return "the scanner's own (a guess: it runs in the initial user namespace)";
    default:
      return null;
  }
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
