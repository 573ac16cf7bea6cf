import { describe, expect, it } from 'vitest';
import { holderPath, holderText, initialSource, linkText, nodeSubtitle, nspidText, procPath } from './format';
import { containerNamespacesHref, parseNamespacesHash } from './route';
import { hostId, syntheticGraph } from './synthetic';
import type { Namespace, NamespaceProcess } from './types';

describe('parseNamespacesHash', () => {
  it('reads the host view and both forms of a container view', () => {
    expect(parseNamespacesHash('#/namespaces')).toEqual({ view: 'host' });
    expect(parseNamespacesHash('#/namespaces/')).toEqual({ view: 'host' });
    expect(parseNamespacesHash('#/namespaces/container/abc123')).toEqual({ view: 'container', id: 'abc123' });
    expect(parseNamespacesHash('#/namespaces/container/my%20box/')).toEqual({ view: 'container', id: 'my box' });
    expect(parseNamespacesHash('#/namespaces?container=abc')).toEqual({ view: 'container', id: 'abc' });
    expect(parseNamespacesHash('#/namespaces/container/%E0%A4%A')).toEqual({ view: 'host' });
    expect(parseNamespacesHash('#/containers')).toBeNull();
    expect(parseNamespacesHash('#/namespaces/other')).toBeNull();
  });

  it('links to the form the router can serve', () => {
    expect(containerNamespacesHref('a b')).toBe('#/namespaces/container/a%20b');
    expect(parseNamespacesHash(containerNamespacesHref('x/y'))).toEqual({ view: 'container', id: 'x/y' });
  });
});

describe('kernel-truth paths and words', () => {
  const p = (over: Partial<NamespaceProcess>): NamespaceProcess => ({
    pid: 31337,
    nspid: [31337, 1],
    comm: 'sh',
    via: 'proc',
    container: null,
    ...over,
  });

  it('names the /proc link a process shows the namespace through', () => {
    expect(procPath({ type: 'net' }, p({}))).toBe('/proc/31337/ns/net');
    expect(procPath({ type: 'mnt' }, p({ via: 'task', tid: 31340 }))).toBe('/proc/31337/task/31340/ns/mnt');
    expect(procPath({ type: 'pid' }, p({ via: 'children' }))).toBe('/proc/31337/ns/pid_for_children');
    expect(linkText({ type: 'net', inode: 4026531840 })).toBe('net:[4026531840]');
    expect(nspidText(p({}))).toBe('31337 → 1');
  });

  it('says where a holder can be opened', () => {
    const mount = { kind: 'mount', path: '/run/netns/x', mountNs: 'mnt:1', pid: 402 } as const;
    expect(holderPath(mount)).toBe('/proc/402/root/run/netns/x');
    expect(holderText(mount)).toBe('bind mount /run/netns/x');
    expect(holderPath({ kind: 'fd', pid: 9, fd: 4 })).toBe('/proc/9/fd/4');
  });

  it('subtitles a node with its count, its few comms, or its holders', () => {
    const g = syntheticGraph({ hostProcesses: 5, containers: 1, processesPerContainer: 2 });
    const host = g.namespaces.find((n) => n.id === hostId('net'))!;
    expect(nodeSubtitle(host)).toBe(`${host.processCount} processes`);
    const few: Namespace = { ...host, processCount: 2, processes: host.processes.slice(0, 2) };
    expect(nodeSubtitle(few)).toBe(`2 processes · ${few.processes[0]!.comm}, ${few.processes[1]!.comm}`);
    const orphan = g.namespaces.find((n) => n.holders.some((h) => h.kind === 'mount'))!;
    expect(nodeSubtitle(orphan)).toBe('bind mount /run/netns/orphan');
    expect(initialSource(g, host)).toMatch(/fixed inode/);
    expect(initialSource(g, orphan)).toBeNull();
  });
});
