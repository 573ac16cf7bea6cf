import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Networks } from '../network/networks';
import { parseSubnet } from '../network/subnet';
import { Endpoints } from './endpoints';
import type { ContainerRecord, EndpointRecord } from './record';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-endpoints-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function ep(networkId: string, ip: string | null, aliases: string[] = []): EndpointRecord {
  return { networkId, aliases, ipRequested: null, ip, ifname: ip ? 'eth0' : null, hostVeth: null };
}

function rec(id: string, name: string, state: ContainerRecord['state'], endpoints: EndpointRecord[]): ContainerRecord {
  return {
    id: id.repeat(64 / id.length),
    name,
    hostname: id.repeat(12 / id.length),
    state,
    endpoints,
  } as ContainerRecord;
}

describe('the managed /etc/hosts of a container', () => {
  const records = [
    rec('a', 'web', 'running', [ep('A', '10.89.1.2', ['www'])]),
    rec('b', 'db', 'running', [ep('B', '10.89.2.2', ['database'])]),
    rec('c', 'both', 'running', [ep('A', '10.89.1.3'), ep('B', '10.89.2.3', ['api'])]),
    rec('d', 'stopped', 'exited', [ep('A', null, ['old'])]),
  ];
  const networks = new Networks({
    dataRoot: dir,
    defaultBridge: { name: 'berth0', subnet: parseSubnet('10.89.0.0/24'), table: 'berth' },
    ensureDefault: async () => undefined,
    log: () => undefined,
  });
  const e = new Endpoints(
    networks,
    () => records,
    (id) => path.join(dir, id),
    () => undefined,
  );

  it('lists itself and the running peers of its own networks only, with their aliases', () => {
    expect(e.hostsFor(records[0]!, null)).toEqual([
      { ip: '10.89.1.2', names: ['aaaaaaaaaaaa', 'web', 'www'] },
      { ip: '10.89.1.3', names: ['both', 'cccccccccccc'] },
    ]);
  });

  it('a container on two networks sees the peers of both, each at its address there', () => {
    const lines = e.hostsFor(records[2]!, null);
    expect(lines).toContainEqual({ ip: '10.89.1.2', names: ['web', 'www', 'aaaaaaaaaaaa'] });
    expect(lines).toContainEqual({ ip: '10.89.2.2', names: ['db', 'database', 'bbbbbbbbbbbb'] });
    expect(lines.flatMap((l) => l.names)).not.toContain('old');
  });

  it('a default-bridge container lists only itself', () => {
    expect(e.hostsFor(rec('f', 'solo', 'running', []), '10.89.0.5')).toEqual([
      { ip: '10.89.0.5', names: ['ffffffffffff', 'solo'] },
    ]);
  });
});
