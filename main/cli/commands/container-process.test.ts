import { describe, expect, it } from 'vitest';
import { DetachScanner } from '../session-relay';
import { filterPs, portLines } from './container-process';
import { eventLine, eventMatches, parseEventFilters, dockerMessage } from './events';

describe('docker top: ps output filtered by the container’s pids', () => {
  const ps = [
    'UID          PID    PPID  C STIME TTY          TIME CMD',
    'root           1       0  0 12:00 ?        00:00:01 /sbin/init',
    'root        4242    4240  0 12:01 ?        00:00:00 sh -c while :; do sleep 1; done',
    'root        4250    4242  0 12:01 ?        00:00:00 sleep 1',
    '',
  ].join('\n');

  it('keeps the rows whose PID is the container’s; the command keeps its spaces', () => {
    expect(filterPs(ps, new Set([4242, 4250]))).toEqual({
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      rows: [
        ['root', '4242', '4240', '0', '12:01', '?', '00:00:00', 'sh -c while :; do sleep 1; done'],
        ['root', '4250', '4242', '0', '12:01', '?', '00:00:00', 'sleep 1'],
      ],
    });
  });

  it('ps options without a PID column are refused', () => {
    expect(() => filterPs('CMD\nsleep\n', new Set([1]))).toThrow(/PID field/);
  });
});

describe('docker port', () => {
  const c = {
    name: 'web',
    network: {
      mode: 'bridge' as const,
      ip: null,
      ports: [
        { hostPort: 8080, containerPort: 80, protocol: 'tcp' as const },
        { hostPort: 5353, containerPort: 53, protocol: 'udp' as const },
      ],
      networks: [],
    },
  };
  it('lists every mapping, or the host side of one', () => {
    expect(portLines(c)).toEqual(['80/tcp -> 0.0.0.0:8080', '53/udp -> 0.0.0.0:5353']);
    expect(portLines(c, '80')).toEqual(['0.0.0.0:8080']);
    expect(portLines(c, '53/udp')).toEqual(['0.0.0.0:5353']);
    expect(() => portLines(c, '53')).toThrow("no public port '53/tcp' published for web");
    expect(() => portLines(c, 'http')).toThrow(/invalid port/);
  });
});

describe('docker events: filters and lines', () => {
  const e = {
    seq: 1,
    type: 'container' as const,
    action: 'die',
    id: 'a1b2c3d4e5f6' + '0'.repeat(52),
    attributes: { name: 'web', image: 'busybox', exitCode: '3' },
    time: '2024-03-01T12:00:00.123Z',
  };

  it('same key: any value; different keys: all', () => {
    expect(eventMatches(e, parseEventFilters(['event=start', 'event=die']))).toBe(true);
    expect(eventMatches(e, parseEventFilters(['type=image']))).toBe(false);
    expect(eventMatches(e, parseEventFilters(['container=web', 'event=die']))).toBe(true);
    expect(eventMatches(e, parseEventFilters(['container=a1b2c3', 'event=start']))).toBe(false);
    expect(eventMatches(e, parseEventFilters(['image=busybox']))).toBe(true);
    expect(() => parseEventFilters(['volume=x'])).toThrow(/unknown filter volume/);
    expect(() => parseEventFilters(['type=network'])).toThrow(/container and image events/);
  });

  it("prints docker's line and message", () => {
    expect(eventLine(e)).toBe(
      `2024-03-01T12:00:00.123000000Z container die ${e.id} (exitCode=3, image=busybox, name=web)`,
    );
    expect(dockerMessage(e)).toEqual({
      status: 'die',
      id: e.id,
      from: 'busybox',
      Type: 'container',
      Action: 'die',
      Actor: { ID: e.id, Attributes: { name: 'web', image: 'busybox', exitCode: '3' } },
      scope: 'local',
      time: 1709294400,
      timeNano: 1709294400123000000,
    });
  });
});

describe("attach's detach keys (ctrl-p ctrl-q)", () => {
  it('finds the sequence across chunks and passes a lone ctrl-p on', () => {
    const s = new DetachScanner();
    expect(s.push(Buffer.from('ab\x10'))).toEqual({ send: Buffer.from('ab'), detach: false });
    expect(s.push(Buffer.from('x'))).toEqual({ send: Buffer.from('\x10x'), detach: false });
    expect(s.push(Buffer.from('y\x10\x11z'))).toEqual({ send: Buffer.from('y'), detach: true });
  });
});
