/**
 * User-defined networks for real (root): a private helper on its own default
 * bridge and nft table, real bridges, veths, netns and nftables. Containers
 * on one network reach each other by name and alias (busybox wget / ping
 * through the managed /etc/hosts); one on another network reaches neither
 * the name nor the address; live connect and disconnect change that; an
 * internal network has no egress while a normal one has (to an "outside"
 * netns routed from the host); rm is refused while a container is attached;
 * and once everything is removed no bridge, veth, netns, set element or
 * address table is left.
 *
 *   flock /tmp/berth-root-tests.lock npx vitest run main/engine/network/networks.integration.test.ts
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import type { NetworkDetailT, NetworkSummaryT } from '../../../preload/schemas/networks';
import type { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  linkNames,
  netnsEntries,
  nftTableText,
  openContainerSuite,
  randomTag,
  testBridge,
  type ContainerSuite,
  removeAllContainers,
} from '../../testing/container-helper';
import { NET_STATE_ROOT } from './ipam';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('user-defined networks (root)', { timeout: 240_000 }, () => {
  const tag = randomTag();
  const bridge = testBridge('bn', 242);
  let suite: ContainerSuite;
  let rpc: RpcClient;
  const sock = (): string => suite.helper.socketPath;
  const net = (n: string): string => `${n}-${tag}`;
  const made: NetworkSummaryT[] = [];
  // An "outside" host: a netns behind a veth routed from the host, serving HTTP.
  const outside = { ns: `bxo${tag}`, host: `bxo${tag}h`, third: 1 + Math.floor(Math.random() * 250) };
  const outsideIp = `10.243.${outside.third}.2`;
  let outsideServer: ChildProcess | null = null;
  const www = path.join('/tmp', `berth-outside-${tag}`);

  const inspectNet = async (id: string): Promise<NetworkDetailT> =>
    (await rpc.call('networks.inspect', { id })) as NetworkDetailT;
  const inspect = async (id: string): Promise<ContainerDetailT> =>
    (await rpc.call('containers.inspect', { id })) as ContainerDetailT;
  const runD = async (...args: string[]): Promise<string> => (await berthOk(sock(), ['run', '-d', ...args])).trim();
  const exec = (id: string, ...cmd: string[]) => berthCli(sock(), ['exec', id, ...cmd]);
  /**
   * wget bounded by busybox timeout (this busybox's own wget -T crashes in a
   * static build): what a client inside gets. A dropped SYN ends as a kill.
   */
  const fetchFrom = (id: string, url: string) => exec(id, 'timeout', '-s', 'KILL', '4', 'wget', '-qO-', url);

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge, workPrefix: 'berth-net-it-' });
    rpc = suite.rpc;
    for (const [n, extra] of [
      ['a', []],
      ['b', []],
      ['int', ['--internal']],
    ] as const) {
      await berthOk(sock(), ['network', 'create', ...extra, '--label', `test=${tag}`, net(n)]);
    }
    const list = (await rpc.call('networks.list', {})) as NetworkSummaryT[];
    made.push(...list.filter((n) => n.labels.test === tag));
    // The outside host.
    fs.mkdirSync(www, { recursive: true });
    fs.writeFileSync(path.join(www, 'hello.txt'), 'hello from outside\n');
    execFileSync('ip', ['netns', 'add', outside.ns]);
    execFileSync('ip', ['link', 'add', outside.host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outside.ns]);
    execFileSync('ip', ['addr', 'add', `10.243.${outside.third}.1/30`, 'dev', outside.host]);
    execFileSync('ip', ['link', 'set', outside.host, 'up']);
    execFileSync('ip', ['-n', outside.ns, 'addr', 'add', `${outsideIp}/30`, 'dev', 'eth0']);
    execFileSync('ip', ['-n', outside.ns, 'link', 'set', 'eth0', 'up']);
    execFileSync('ip', ['-n', outside.ns, 'link', 'set', 'lo', 'up']);
    outsideServer = spawn('ip', ['netns', 'exec', outside.ns, BUSYBOX_BIN!, 'httpd', '-f', '-p', '8080', '-h', www], {
      stdio: 'ignore',
    });
  });

  afterAll(async () => {
    outsideServer?.kill('SIGKILL');
    try {
      execFileSync('ip', ['netns', 'del', outside.ns]);
    } catch {
      // already gone
    }
    fs.rmSync(www, { recursive: true, force: true });
    if (suite) {
      await removeAllContainers(sock()); // before their networks: an attached network is refused
      for (const n of made) await berthCli(sock(), ['network', 'rm', n.id]);
      await suite.close();
    }
  });

  it('create picks a free /24 per network and makes its bridge; ls --format json speaks docker', async () => {
    expect(made.map((n) => n.name).sort()).toEqual([net('a'), net('b'), net('int')].sort());
    const subnets = new Set(made.map((n) => n.subnet));
    expect(subnets.size).toBe(3);
    const links = linkNames();
    for (const n of made) {
      expect(n.subnet).toMatch(/^10\.89\.\d+\.0\/24$/);
      expect(links).toContain(n.bridge);
      expect(execFileSync('ip', ['-o', '-4', 'addr', 'show', 'dev', n.bridge!], { encoding: 'utf8' })).toContain(
        `${n.gateway}/24`,
      );
    }
    const lines = (await berthOk(sock(), ['network', 'ls', '--format', 'json'])).trim().split('\n');
    const objs = lines.map((l) => JSON.parse(l) as Record<string, string>);
    expect(objs.map((o) => o.Name)).toEqual(expect.arrayContaining(['bridge', 'host', 'none', net('a')]));
    const a = objs.find((o) => o.Name === net('a'))!;
    expect(Object.keys(a).sort()).toEqual(['CreatedAt', 'Driver', 'ID', 'IPv6', 'Internal', 'Labels', 'Name', 'Scope']);
    expect(a).toMatchObject({ Driver: 'bridge', Scope: 'local', Internal: 'false', Labels: `test=${tag}` });
    expect(objs.find((o) => o.Name === net('int'))!.Internal).toBe('true');
    // The isolation sets hold the bridges.
    const nft = await nftTableText(bridge.table);
    for (const n of made) expect(nft).toContain(`"${n.bridge}"`);
  });

  it('bad names, subnets, overlaps and gateways get stable codes', async () => {
    const a = made.find((n) => n.name === net('a'))!;
    await expect(rpc.call('networks.create', { name: net('a') })).rejects.toMatchObject({
      code: 'NETWORK_NAME_IN_USE',
    });
    await expect(rpc.call('networks.create', { name: 'bridge' })).rejects.toMatchObject({ code: 'NETWORK_BUILTIN' });
    await expect(rpc.call('networks.create', { name: `x-${tag}`, subnet: a.subnet })).rejects.toMatchObject({
      code: 'NETWORK_SUBNET_OVERLAP',
    });
    await expect(rpc.call('networks.create', { name: `x-${tag}`, subnet: bridge.subnet.cidr })).rejects.toMatchObject({
      code: 'NETWORK_SUBNET_OVERLAP',
    });
    await expect(rpc.call('networks.create', { name: `x-${tag}`, subnet: '10.230.0.1/24' })).rejects.toMatchObject({
      code: 'NET_BAD_SUBNET',
    });
    await expect(
      rpc.call('networks.create', { name: `x-${tag}`, subnet: '10.230.9.0/24', gateway: '10.230.10.1' }),
    ).rejects.toMatchObject({ code: 'NETWORK_GATEWAY_OUTSIDE' });
    await expect(rpc.call('networks.create', { name: 'bad name!' })).rejects.toMatchObject({ code: 'BAD_PARAMS' });
    await expect(rpc.call('networks.inspect', { id: `nope-${tag}` })).rejects.toMatchObject({
      code: 'NETWORK_NOT_FOUND',
    });
  });

  it('containers on one network reach each other by name and alias; another network reaches neither', async () => {
    const web = await runD(
      '--network',
      net('a'),
      '--name',
      `web-${tag}`,
      '--network-alias',
      `www-${tag}`,
      'busybox',
      'httpd',
      '-f',
      '-p',
      '8080',
      '-h',
      '/etc',
    );
    const client = await runD('--network', net('a'), '--name', `cli-${tag}`, 'busybox', 'sleep', '600');
    const stranger = await runD('--network', net('b'), '--name', `str-${tag}`, 'busybox', 'sleep', '600');
    const w = await inspect(web);
    expect(w.network.networks).toEqual([
      expect.objectContaining({ network: net('a'), aliases: [`www-${tag}`], ifname: 'eth0' }),
    ]);
    const webIp = w.network.networks[0]!.ip!;
    expect(w.network.ip).toBe(webIp);
    // By name, by alias (wget: TCP through the bridge), and ping by name.
    // What answers is web itself: its own hosts file starts its line with its hostname (peers' lines with their name).
    const own = new RegExp(`^${webIp.replace(/\./g, '\\.')}\t${web.slice(0, 12)} web-${tag} www-${tag}$`, 'm');
    const byName = await fetchFrom(client, `http://web-${tag}:8080/hosts`);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(own);
    expect((await fetchFrom(client, `http://www-${tag}:8080/hosts`)).stdout).toMatch(own);
    expect(await exec(client, 'ping', '-c', '1', '-W', '2', `web-${tag}`)).toMatchObject({ code: 0 });
    // The web container knows its peer's name too (its hosts file was rewritten when the client started).
    expect((await exec(web, 'cat', '/etc/hosts')).stdout).toMatch(new RegExp(`\\scli-${tag}\\s`));
    // From network b: the name does not resolve and the address is not reachable (isolation drops it);
    // nor from the default bridge. A dropped packet costs its whole timeout: the four tries run side by side.
    const onDefault = await runD('--name', `def-${tag}`, 'busybox', 'sleep', '600');
    const [byNameB, byIpB, pingB, byIpDefault] = await Promise.all([
      fetchFrom(stranger, `http://web-${tag}:8080/hostname`),
      fetchFrom(stranger, `http://${webIp}:8080/hostname`),
      exec(stranger, 'ping', '-c', '1', '-W', '2', webIp),
      fetchFrom(onDefault, `http://${webIp}:8080/hostname`),
    ]);
    expect(byNameB.code).not.toBe(0);
    expect(byIpB.code).not.toBe(0);
    expect(pingB.code).not.toBe(0);
    expect(byIpDefault.code).not.toBe(0);
  });

  it('connect and disconnect work live: a new veth in the running container, hosts files follow', async () => {
    const stranger = `str-${tag}`;
    await berthOk(sock(), ['network', 'connect', '--alias', `strange-${tag}`, net('a'), stranger]);
    const d = await inspect(stranger);
    const onA = d.network.networks.find((e) => e.network === net('a'))!;
    expect(onA).toMatchObject({ ifname: 'eth1', aliases: [`strange-${tag}`] });
    expect((await exec(stranger, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth1')).stdout).toContain(onA.ip!);
    expect(await fetchFrom(stranger, `http://web-${tag}:8080/hostname`)).toMatchObject({ code: 0 });
    // The web container resolves the newcomer's alias.
    expect(await exec(`web-${tag}`, 'ping', '-c', '1', '-W', '2', `strange-${tag}`)).toMatchObject({ code: 0 });
    const a = await inspectNet(net('a'));
    const veth = a.containers.find((c) => c.containerName === stranger)!.hostVeth!;
    expect(linkNames()).toContain(veth);
    expect(a.containers.map((c) => c.containerName).sort()).toEqual([`cli-${tag}`, stranger, `web-${tag}`].sort());
    await expect(rpc.call('networks.connect', { network: net('a'), container: stranger })).rejects.toMatchObject({
      code: 'NETWORK_ALREADY_CONNECTED',
    });

    await berthOk(sock(), ['network', 'disconnect', net('a'), stranger]);
    expect(linkNames()).not.toContain(veth);
    expect((await exec(stranger, 'ip', 'link', 'show', 'eth1')).code).not.toBe(0);
    expect((await fetchFrom(stranger, `http://web-${tag}:8080/hostname`)).code).not.toBe(0);
    expect((await exec(`web-${tag}`, 'cat', '/etc/hosts')).stdout).not.toContain(`strange-${tag}`);
    await expect(rpc.call('networks.disconnect', { network: net('a'), container: stranger })).rejects.toMatchObject({
      code: 'NETWORK_NOT_CONNECTED',
    });
    await expect(rpc.call('networks.connect', { network: 'host', container: stranger })).rejects.toMatchObject({
      code: 'NETWORK_BUILTIN',
    });
  });

  it('a normal network reaches the outside; an internal one has no egress', async () => {
    const out = await runD('--network', net('a'), '--name', `egress-${tag}`, 'busybox', 'sleep', '600');
    expect(await fetchFrom(out, `http://${outsideIp}:8080/hello.txt`)).toMatchObject({
      code: 0,
      stdout: 'hello from outside\n',
    });
    const shut = await runD('--network', net('int'), '--name', `internal-${tag}`, 'busybox', 'sleep', '600');
    expect((await exec(shut, 'ip', 'route')).stdout).not.toContain('default');
    expect((await fetchFrom(shut, `http://${outsideIp}:8080/hello.txt`)).code).not.toBe(0);
    // Even with a route (as CAP_NET_ADMIN could add), the bridge forwards nothing out.
    const gw = made.find((n) => n.name === net('int'))!.gateway!;
    const nsName = `berth-${shut.slice(0, 12)}`;
    execFileSync('ip', ['-n', nsName, 'route', 'add', 'default', 'via', gw]);
    expect((await fetchFrom(shut, `http://${outsideIp}:8080/hello.txt`)).code).not.toBe(0);
  });

  it('--ip fixes the address; one taken or outside the subnet is refused', async () => {
    const a = made.find((n) => n.name === net('a'))!;
    const want = a.subnet!.replace(/\.0\/24$/, '.200');
    const fixed = await runD('--network', net('a'), '--ip', want, '--name', `fixed-${tag}`, 'busybox', 'sleep', '600');
    expect((await inspect(fixed)).network.ip).toBe(want);
    const again = await berthCli(sock(), ['run', '-d', '--network', net('a'), '--ip', want, 'busybox', 'true']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already in use/);
    await expect(
      rpc.call('containers.create', { image: 'busybox', network: net('a'), ip: '10.1.2.3' }),
    ).rejects.toMatchObject({ code: 'NETWORK_IP_OUTSIDE' });
    await expect(rpc.call('containers.create', { image: 'busybox', ip: want })).rejects.toMatchObject({
      code: 'NETWORK_MODE_CONFLICT',
    });
    await expect(rpc.call('containers.create', { image: 'busybox', network: `nope-${tag}` })).rejects.toMatchObject({
      code: 'NETWORK_NOT_FOUND',
    });
    // Clean up the failed run's container (created, then its start failed).
    const ids = (await berthCli(sock(), ['ps', '-a', '-q'])).stdout.split('\n').filter(Boolean);
    for (const id of ids) {
      const d = await inspect(id);
      if (d.state === 'exited' && d.error) await berthOk(sock(), ['rm', id]);
    }
  });

  it('rm is refused while containers are attached, naming them; prune keeps used networks', async () => {
    const r = await berthCli(sock(), ['network', 'rm', net('a')]);
    expect(r.code).toBe(1);
    await expect(rpc.call('networks.remove', { id: net('a') })).rejects.toMatchObject({
      code: 'NETWORK_IN_USE',
      details: expect.objectContaining({ containers: expect.arrayContaining([`web-${tag}`, `cli-${tag}`]) }),
    });
    await expect(rpc.call('networks.remove', { id: 'bridge' })).rejects.toMatchObject({ code: 'NETWORK_BUILTIN' });
    const pruned = (await rpc.call('networks.prune', {})) as { removed: string[] };
    expect(pruned.removed).not.toContain(net('a'));
    const left = ((await rpc.call('networks.list', {})) as NetworkSummaryT[]).map((n) => n.name);
    expect(left).toContain(net('a'));
    for (const n of pruned.removed) expect(left).not.toContain(n);
  });

  it('removing the containers and networks leaves no bridge, veth, netns, set element or address table', async () => {
    const ids = (await berthCli(sock(), ['ps', '-a', '-q'])).stdout.split('\n').filter(Boolean);
    const full = await Promise.all(ids.map((id) => inspect(id)));
    for (const id of ids) await berthOk(sock(), ['rm', '-f', id]);
    const listed = ((await rpc.call('networks.list', {})) as NetworkSummaryT[]).map((n) => n.name);
    for (const n of made) if (listed.includes(n.name)) await berthOk(sock(), ['network', 'rm', n.name]);
    const links = linkNames();
    for (const n of made) {
      expect(links).not.toContain(n.bridge);
      expect(fs.existsSync(path.join(NET_STATE_ROOT, n.bridge!))).toBe(false);
    }
    for (const d of full) {
      expect(links.some((l) => l.startsWith(`vb${d.id.slice(0, 9)}`))).toBe(false);
      expect(netnsEntries()).not.toContain(`berth-${d.id.slice(0, 12)}`);
    }
    const nft = await nftTableText(bridge.table);
    for (const n of made) {
      expect(nft).not.toContain(`"${n.bridge}"`);
      expect(nft).not.toContain(n.subnet!);
    }
    made.length = 0;
    expect(((await rpc.call('networks.list', {})) as NetworkSummaryT[]).map((n) => n.name).sort()).toEqual([
      'bridge',
      'host',
      'none',
    ]);
  });
});
