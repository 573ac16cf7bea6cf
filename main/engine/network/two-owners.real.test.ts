/**
 * Two owners on one machine: two real helpers, each on its own data root,
 * sharing one (test) bridge, nftables table and subnet, as root's helper and
 * a user's do. Many bridge containers start in parallel from both: no
 * address is handed out twice (the shared IPAM table is changed only under
 * its flock) and every container answers on its address. A third helper on
 * an owned data root refuses with DATA_ROOT_IN_USE.
 *
 * Root only. Run alone, under the shared lock:
 *   flock /tmp/berth-root-tests.lock npx vitest run main/engine/network/two-owners.real.test.ts
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { loadBusybox, startHelperOn, waitUntil, type HelperOn, removeHelperDirs } from '../../testing/container-helper';
import { tempDir } from '../../testing/helper-process';
import { removeBridge } from './bridge';
import { netStateDir } from './ipam';
import { parseSubnet } from './subnet';

const isRoot = process.getuid?.() === 0;
const PER_OWNER = 10;

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('two owners, one bridge (root)', { timeout: 300_000 }, () => {
  const tag = Math.random().toString(16).slice(2, 8);
  // A /26: 61 host addresses; 20 containers fill a third of it, so a lost update shows as a duplicate.
  const third = 100 + Math.floor(Math.random() * 100);
  const env = { BERTH_BRIDGE: `bo${tag}`, BERTH_SUBNET: `10.248.${third}.0/26`, BERTH_NFT_TABLE: `berth_o${tag}` };
  const work = tempDir('berth-owners-work-');
  const owners = ['a', 'b'].map((n) => ({
    runDir: tempDir(`berth-owner-${n}-run-`),
    dataRoot: tempDir(`berth-owner-${n}-data-`),
  }));
  const helpers: HelperOn[] = [];
  const clients: RpcClient[] = [];

  beforeAll(async () => {
    for (const o of owners) helpers.push(await startHelperOn({ ...o, env }));
    for (const h of helpers) {
      await loadBusybox(h.socketPath, work);
      clients.push(await RpcClient.connect(h.socketPath));
    }
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const h of helpers) await h.stop();
    for (const o of owners) removeHelperDirs(o);
    await removeBridge({ name: env.BERTH_BRIDGE, subnet: parseSubnet(env.BERTH_SUBNET), table: env.BERTH_NFT_TABLE });
    fs.rmSync(netStateDir(env.BERTH_BRIDGE), { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a second engine on an owned data root refuses with DATA_ROOT_IN_USE', async () => {
    const runDir = tempDir('berth-owner-c-run-');
    try {
      const err = await startHelperOn({ runDir, dataRoot: owners[0]!.dataRoot, env }).then(
        () => null,
        (e: unknown) => String(e),
      );
      expect(err).toMatch(/DATA_ROOT_IN_USE/);
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });

  it(`${2 * PER_OWNER} bridge containers started in parallel from both owners get distinct, reachable addresses`, async () => {
    const started = await Promise.all(
      clients.flatMap((c, owner) =>
        Array.from({ length: PER_OWNER }, async (_, i) => {
          const { id } = (await c.call('containers.create', {
            image: 'busybox',
            name: `o${owner}-${i}-${tag}`,
            command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'],
            network: 'bridge',
          })) as { id: string };
          await c.call('containers.start', { id });
          const d = (await c.call('containers.inspect', { id })) as ContainerDetailT;
          return { owner, id, ip: d.network.ip };
        }),
      ),
    );
    const ips = started.map((s) => s.ip);
    expect(ips.every((ip) => typeof ip === 'string')).toBe(true);
    expect(new Set(ips).size).toBe(ips.length);
    // The shared table names every one of them, and nothing else.
    const table = JSON.parse(fs.readFileSync(path.join(netStateDir(env.BERTH_BRIDGE), 'ipam.json'), 'utf8')) as {
      allocations: Record<string, string>;
    };
    expect(Object.keys(table.allocations).sort()).toEqual([...ips].sort());
    for (const s of started) {
      const body = await waitUntil(`httpd on ${s.ip}`, () => get(`http://${s.ip}:8080/index.html`).catch(() => null));
      expect(body).toBe('hello from a berth container\n');
    }
    // Each engine sees only its own containers.
    for (const [owner, c] of clients.entries()) {
      const list = (await c.call('containers.list', { all: true })) as Array<{ id: string }>;
      expect(list.map((x) => x.id).sort()).toEqual(
        started
          .filter((s) => s.owner === owner)
          .map((s) => s.id)
          .sort(),
      );
    }
    // Removing them from both sides at once releases every address.
    await Promise.all(started.map((s) => clients[s.owner]!.call('containers.remove', { id: s.id, force: true })));
    const after = JSON.parse(fs.readFileSync(path.join(netStateDir(env.BERTH_BRIDGE), 'ipam.json'), 'utf8')) as {
      allocations: Record<string, string>;
    };
    expect(after.allocations).toEqual({});
    process.stdout.write(
      `two owners: ${started.length} bridge containers started in parallel from 2 helpers, ${new Set(ips).size} distinct addresses, all reachable\n`,
    );
  });
});
