import { describe, expect, it } from 'vitest';
import type { NamespaceTypeT } from '../../../preload/schemas/namespaces';
import { INIT_NS_INO as I, type InitialEvidence, type NsInodes, resolveInitial } from './initial';

const DYN_NET = 4026531992; // init_net's inode on kernels before 6.18 (dynamic)
const DYN_MNT = 4026531840;
const OTHER_NET = 4026532500;
const OTHER_MNT = 4026532501;
const CHILD_USER = 4026532600;
const CHILD_PID = 4026532601;

const HOST_OLD: NsInodes = { ...I, net: DYN_NET, mnt: DYN_MNT };

function evidence(over: Partial<InitialEvidence> & { inventory: number[] }): InitialEvidence {
  const inv = new Set(over.inventory);
  return {
    has: (_t: NamespaceTypeT, ino: number) => inv.has(ino),
    scanner: HOST_OLD,
    procIsScannerPidNs: true,
    pid1: null,
    kthreadd: null,
    kernel: [6, 1],
    ...over,
  };
}

const pick = (ev: InitialEvidence, t: NamespaceTypeT) => resolveInitial([t], ev)[0]!;

describe('the "initial" rule', () => {
  it('1. a static inode wins over everything', () => {
    const ev = evidence({
      inventory: [...Object.values(I), OTHER_NET],
      pid1: { net: OTHER_NET }, // even if PID 1 were elsewhere
      kernel: [6, 18],
    });
    expect(pick(ev, 'net')).toEqual({ type: 'net', id: `net:${I.net}`, source: 'static-inode' });
    expect(pick(ev, 'user')).toEqual({ type: 'user', id: `user:${I.user}`, source: 'static-inode' });
  });

  it('2. before 6.18 net and mnt come from PID 1 of the initial pid namespace', () => {
    const ev = evidence({ inventory: [...Object.values(HOST_OLD)], pid1: HOST_OLD });
    expect(pick(ev, 'net')).toEqual({ type: 'net', id: `net:${DYN_NET}`, source: 'init' });
    expect(pick(ev, 'mnt')).toEqual({ type: 'mnt', id: `mnt:${DYN_MNT}`, source: 'init' });
  });

  it('3. then kthreadd', () => {
    const ev = evidence({ inventory: [...Object.values(HOST_OLD)], kthreadd: HOST_OLD });
    expect(pick(ev, 'net')).toEqual({ type: 'net', id: `net:${DYN_NET}`, source: 'kthreadd' });
  });

  it('PID 1 is not the host’s init when the scanner’s /proc is of a child pid namespace', () => {
    const scanner = { ...HOST_OLD, pid: CHILD_PID, net: OTHER_NET };
    const ev = evidence({ inventory: [OTHER_NET, CHILD_PID], scanner, pid1: { net: OTHER_NET } });
    expect(pick(ev, 'net')).toEqual({ type: 'net', id: null, source: 'unknown' });
    // Nor when /proc is of another pid namespace than the scanner's own.
    const ev2 = evidence({ inventory: [OTHER_NET], procIsScannerPidNs: false, pid1: { net: OTHER_NET } });
    expect(pick(ev2, 'net').source).toBe('unknown');
  });

  it('4. the scanner’s own, as a guess, only in the initial user and pid namespaces', () => {
    const ev = evidence({ inventory: [...Object.values(HOST_OLD)] });
    expect(pick(ev, 'net')).toEqual({ type: 'net', id: `net:${DYN_NET}`, source: 'scanner' });
    const inChildUserNs = evidence({
      inventory: [...Object.values(HOST_OLD), CHILD_USER],
      scanner: { ...HOST_OLD, user: CHILD_USER },
    });
    expect(pick(inChildUserNs, 'net').source).toBe('unknown');
  });

  it('no guess where the kernel has a static inode: the initial one is just not visible', () => {
    // 6.18: net has a static inode; a scanner in another net namespace is not initial.
    const ev = evidence({
      inventory: [I.user, I.pid, OTHER_NET, OTHER_MNT],
      scanner: { ...I, net: OTHER_NET, mnt: OTHER_MNT },
      kernel: [6, 18],
    });
    expect(pick(ev, 'net')).toEqual({ type: 'net', id: null, source: 'unknown' });
    // Types static since 3.8 never fall back to the scanner.
    const noUts = evidence({ inventory: [I.user, I.pid, 4026532700], scanner: { ...I, uts: 4026532700 } });
    expect(pick(noUts, 'uts').source).toBe('unknown');
  });

  it('unknown kernel: the guess is allowed for net and mnt only after PID 1 and kthreadd', () => {
    const ev = evidence({ inventory: [...Object.values(HOST_OLD)], kernel: null });
    expect(pick(ev, 'mnt').source).toBe('scanner');
    const noUts = evidence({
      inventory: [I.user, I.pid, 4026532700],
      scanner: { ...I, uts: 4026532700 },
      kernel: null,
    });
    expect(pick(noUts, 'uts').source).toBe('unknown');
  });
});
