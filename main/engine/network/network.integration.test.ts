/**
 * The bridge network for real, on namespaces and loopback only: two
 * sandboxes reach each other through the bridge, a published port is
 * reached from the host's 127.0.0.1, a raw frame to 127.0.0.1 from a sandbox
 * does not reach the host's loopback (and does once the guard is removed),
 * `none` has no route, and nothing is left behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../testing/containment/attempts';
import { LoopbackListener, buildProbe } from '../../testing/containment/runner';
import {
  GUARD_CHAIN,
  ensureBridge,
  hasGuard,
  publishPorts,
  removeBridge,
  unpublishPorts,
  type BridgeConfig,
} from './bridge';
import { Ipam } from './ipam';
import { createSandbox, destroySandbox, netnsName, parseNetDev, vethName, type NetworkSandbox } from './sandbox';
import { parseSubnet } from './subnet';

const isRoot = process.getuid?.() === 0;
const hasBusybox = fs.existsSync('/bin/busybox');

describe.runIf(isRoot && hasBusybox)('bridge networking', () => {
  const tag = Math.random().toString(16).slice(2, 8);
  const config: BridgeConfig = { name: `bt${tag}`, subnet: parseSubnet('10.249.7.0/24'), table: `berth_t${tag}` };
  const ids = [`a${tag}aaaaaaaaaaaa`, `b${tag}bbbbbbbbbbbb`, `c${tag}cccccccccccc`];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-net-'));
  const ipam = new Ipam(dir, config.subnet);
  const boxes: NetworkSandbox[] = [];
  let server: ChildProcess | null = null;
  const hostPort = 20000 + Math.floor(Math.random() * 20000);

  beforeAll(async () => {
    fs.mkdirSync(path.join(dir, 'www'));
    fs.writeFileSync(path.join(dir, 'www', 'hello.txt'), 'hello from b\n');
    await ensureBridge(config);
    boxes.push(await createSandbox(ids[0]!, 'bridge', { config, ip: ipam.allocate(ids[0]!) }));
    boxes.push(await createSandbox(ids[1]!, 'bridge', { config, ip: ipam.allocate(ids[1]!) }));
    boxes.push(await createSandbox(ids[2]!, 'none'));
    server = spawn(
      'ip',
      ['netns', 'exec', boxes[1]!.nsName!, '/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', path.join(dir, 'www')],
      {
        stdio: 'ignore',
      },
    );
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    for (const id of ids) await destroySandbox(id);
    await removeBridge(config);
    fs.rmSync(dir, { recursive: true, force: true });
    const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
    expect(links).not.toContain(config.name);
    for (const id of ids) expect(links).not.toContain(vethName(id));
    for (const id of ids) expect(fs.existsSync(`/run/netns/${netnsName(id)}`)).toBe(false);
  });

  it('gives each sandbox its own address and the gateway route', () => {
    expect(boxes[0]!.ip).toBe('10.249.7.2');
    expect(boxes[1]!.ip).toBe('10.249.7.3');
    const routes = execFileSync('ip', ['-n', boxes[0]!.nsName!, 'route'], { encoding: 'utf8' });
    expect(routes).toContain('default via 10.249.7.1 dev eth0');
  });

  it('two sandboxes reach each other through the bridge', () => {
    const out = execFileSync(
      'ip',
      ['netns', 'exec', boxes[0]!.nsName!, '/bin/busybox', 'wget', '-qO-', `http://${boxes[1]!.ip}:8080/hello.txt`],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    );
    expect(out).toBe('hello from b\n');
  });

  it('a published port is reached from the host on 127.0.0.1, and unpublished it is not', async () => {
    await publishPorts(config.table, [{ protocol: 'tcp', hostPort, containerPort: 8080 }], boxes[1]!.ip!);
    const r = await fetch(`http://127.0.0.1:${hostPort}/hello.txt`);
    expect(await r.text()).toBe('hello from b\n');
    await expect(
      publishPorts(config.table, [{ protocol: 'tcp', hostPort, containerPort: 80 }], boxes[0]!.ip!),
    ).rejects.toMatchObject({
      code: 'PORT_IN_USE',
    });
    await unpublishPorts(config.table, [{ protocol: 'tcp', hostPort, containerPort: 8080 }], boxes[1]!.ip!);
    await expect(
      fetch(`http://127.0.0.1:${hostPort}/hello.txt`, { signal: AbortSignal.timeout(3000) }),
    ).rejects.toThrow();
  });

  it('a raw frame to 127.0.0.1 from the bridge does not reach the host (CVE-2020-8558), and does without the guard', async () => {
    expect(fs.readFileSync(`/proc/sys/net/ipv4/conf/${config.name}/route_localnet`, 'utf8').trim()).toBe('1');
    const probe = buildProbe(dir);
    // The probe frames UDP to 127.0.0.1:P at the gateway's MAC between two
    // ordinary datagrams to the gateway: the verdict waits for the second one.
    const send = async (): Promise<string> => {
      const listener = await LoopbackListener.open();
      try {
        const spec = listener.attempt().spec;
        const out = execFileSync('ip', ['netns', 'exec', boxes[0]!.nsName!, probe, spec], { encoding: 'utf8' });
        expect(parseProbeOutput(out).get(spec)).toMatchObject({ outcome: 'SENT' });
        return await listener.verdict();
      } finally {
        listener.close();
      }
    };
    const listing = (): string => execFileSync('nft', ['list', 'table', 'ip', config.table], { encoding: 'utf8' });
    expect(hasGuard(listing(), config)).toBe(true);
    expect(await send()).toBe('DROPPED');
    // Without the guard the same frame arrives: the probe is able to reach it.
    execFileSync('nft', ['flush', 'chain', 'ip', config.table, GUARD_CHAIN]);
    try {
      expect(hasGuard(listing(), config)).toBe(false);
      expect(await send()).toBe('RECEIVED');
    } finally {
      await ensureBridge(config); // a table without the guard gets it back (an upgrade does the same)
    }
    expect(hasGuard(listing(), config)).toBe(true);
    expect(await send()).toBe('DROPPED');
  });

  it('`none` has loopback only', () => {
    const links = execFileSync('ip', ['-n', boxes[2]!.nsName!, '-o', 'link'], { encoding: 'utf8' });
    expect(links.trim().split('\n')).toHaveLength(1);
    expect(() =>
      execFileSync(
        'ip',
        [
          'netns',
          'exec',
          boxes[2]!.nsName!,
          '/bin/busybox',
          'wget',
          '-qO-',
          '-T',
          '2',
          `http://${boxes[1]!.ip}:8080/hello.txt`,
        ],
        {
          stdio: 'pipe',
        },
      ),
    ).toThrow();
  });

  it('counts traffic from the namespace in /proc/PID/net/dev', () => {
    const dev = parseNetDev(fs.readFileSync(`/proc/${server!.pid}/net/dev`, 'utf8'));
    const eth0 = dev.find((d) => d.name === 'eth0');
    expect(eth0?.rxBytes).toBeGreaterThan(0);
    expect(eth0?.txPackets).toBeGreaterThan(0);
  });
});
