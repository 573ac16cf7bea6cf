/**
 * The namespaces contract's types as the renderer sees them (inferred from
 * preload/contract.ts, so they cannot drift), plus the renderer's own
 * constants: the display order of the types and their colours.
 */
import type { Params, Result } from '../../../../preload/contract';

export type NamespaceGraph = Result<'namespaces.graph'>;
export type Namespace = NamespaceGraph['namespaces'][number];
export type NamespaceType = Namespace['type'];
export type NamespaceProcess = Namespace['processes'][number];
export type NamespaceHolder = Namespace['holders'][number];
export type NamespaceInitial = NamespaceGraph['initial'][number];
export type SharedNamespaces = Result<'namespaces.shared'>;
export type SharedEntry = SharedNamespaces['namespaces'][number];
export type GraphParams = Params<'namespaces.graph'>;
export type ContainerSummary = Result<'containers.list'>[number];

/** Every type, in the order the UI lists them (user first: it owns the others). */
export const NS_TYPES: readonly NamespaceType[] = ['user', 'mnt', 'pid', 'net', 'uts', 'ipc', 'cgroup', 'time'];

/** The types laid out as grid columns under their owning user namespace. */
export const GRID_TYPES: readonly NamespaceType[] = ['mnt', 'pid', 'net', 'uts', 'ipc', 'cgroup', 'time'];

/** One colour per type: node stripe, chip, legend swatch (styles.css uses the same values). */
export const TYPE_COLORS: Readonly<Record<NamespaceType, string>> = {
  user: '#7b4fc9',
  mnt: '#c8553d',
  pid: '#2f6fde',
  net: '#1d8a5a',
  uts: '#b07d00',
  ipc: '#c2417f',
  cgroup: '#0e8a9a',
  time: '#6b7280',
};

/** What each type isolates, for the legend's tooltips. */
export const TYPE_TITLES: Readonly<Record<NamespaceType, string>> = {
  user: 'user: uid/gid mappings and capabilities; owns every other namespace',
  mnt: 'mnt: the mount table',
  pid: 'pid: process ids (nested: a parent sees its children)',
  net: 'net: interfaces, routes, sockets, firewall',
  uts: 'uts: hostname and domain name',
  ipc: 'ipc: System V IPC and POSIX message queues',
  cgroup: 'cgroup: the cgroup root a process sees',
  time: 'time: CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets',
};

/** The parts of a container the graph needs (from containers.list, or just an id seen in the scan). */
export interface ContainerRef {
  id: string;
  name: string;
  state: string | null;
  pid: number | null;
  network: string | null;
}

export function containerRef(c: ContainerSummary): ContainerRef {
  return { id: c.id, name: c.name, state: c.state, pid: c.pid, network: c.network.mode };
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}
