/**
 * `berth compose` for real (root): a private helper, the busybox test image,
 * real networks, volumes, cgroups and mounts. A two-service app comes up
 * (plus a third service built from a Containerfile with `build:`)
 * (web: busybox httpd serving a bind-mounted file, healthchecked; client:
 * fetches it BY SERVICE NAME once web is healthy and keeps the copy in a
 * named volume); a second `up` leaves unchanged services alone and
 * recreates a changed one; `restart` keeps the name resolving; a restart
 * policy restarts a failing service; an attached `up` streams prefixed logs
 * and stops the project on Ctrl+C; `down -v` leaves no container, network,
 * volume, bridge, nft element, netns, cgroup or mount of the project.
 *
 *   flock /tmp/berth-root-tests.lock ./node_modules/.bin/vitest run --configLoader runner --project integration main/cli/compose/compose.integration.test.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import type { NetworkSummaryT } from '../../../preload/schemas/networks';
import type { VolumeT } from '../../../preload/schemas/volumes';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  cgroupDirsOf,
  linkNames,
  mountLinesMatching,
  netnsEntries,
  nftTableText,
  openContainerSuite,
  randomTag,
  testBridge,
  waitUntil,
  type ContainerSuite,
} from '../../testing/container-helper';
import { CLI_JS } from '../../testing/helper-process';

const isRoot = process.getuid?.() === 0;

// The long-running services end on SIGTERM (trap; a shell or httpd as pid 1 has no default
// action for it), so stop, restart, recreate and down do not wait out the 10 s stop timeout
// each; the SIGKILL after the timeout is containers.integration.test.ts's.
const composeYaml = (clientExtra = ''): string => `
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 80 -h /srv & wait"]
    volumes:
      - ./site:/srv:ro
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://localhost/index.html"]
      interval: 1s
      timeout: 5s
      retries: 30
    deploy:
      resources:
        limits: {memory: 64m, pids: 64}
  client:
    image: busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; wget -q -O /data/fetched.txt http://web/index.html && cat /data/fetched.txt && echo ${'$$'}{GREETING}${clientExtra} && sleep 3600 & wait"]
    environment:
      GREETING: \${GREETING:-hi}
    depends_on:
      web: {condition: service_healthy}
    volumes:
      - data:/data
    cap_add: [NET_ADMIN]
  flaky:
    build: ./flaky
    command: sh -c 'cat /msg; exit 3'
    restart: on-failure:2
volumes:
  data: {}
`;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('berth compose (root)', { timeout: 300_000 }, () => {
  const tag = randomTag();
  const project = `ct${tag}`;
  let suite: ContainerSuite;
  let dir = '';
  let file = '';
  const sock = (): string => suite.helper.socketPath;
  const compose = (...args: string[]) =>
    berthCli(sock(), ['compose', '-p', project, '-f', file, ...args], { timeoutMs: 120_000 });
  const inspect = async (id: string): Promise<ContainerDetailT> =>
    (await suite.rpc.call('containers.inspect', { id })) as ContainerDetailT;
  const projectNetworks = async (): Promise<NetworkSummaryT[]> =>
    ((await suite.rpc.call('networks.list', {})) as NetworkSummaryT[]).filter(
      (n) => n.labels['com.docker.compose.project'] === project,
    );
  const projectVolumes = async (): Promise<VolumeT[]> =>
    ((await suite.rpc.call('volumes.list', {})) as VolumeT[]).filter(
      (v) => v.labels['com.docker.compose.project'] === project,
    );

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge: testBridge('bc', 245), workPrefix: 'berth-compose-it-' });
    dir = path.join(suite.work, 'app');
    fs.mkdirSync(path.join(dir, 'site'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'site', 'index.html'), `compose says hello ${tag}\n`);
    fs.writeFileSync(path.join(dir, '.env'), 'GREETING=from-dotenv\n');
    fs.mkdirSync(path.join(dir, 'flaky'));
    fs.writeFileSync(path.join(dir, 'flaky', 'Containerfile'), 'FROM busybox:latest\nCOPY msg /msg\n');
    fs.writeFileSync(path.join(dir, 'flaky', 'msg'), 'try\n');
    file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(file, composeYaml());
  });

  afterAll(async () => {
    if (suite) {
      await compose('down', '-v').catch(() => undefined);
      await suite.close();
    }
  });

  const first: Record<string, ContainerDetailT> = {};

  it('up -d: web becomes healthy before client starts, client fetches from web by service name', async () => {
    const r = await compose('up', '-d');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`WARNING: services.client.cap_add is not supported; ignored`);
    const lines = r.stdout.split('\n');
    const at = (s: string): number => lines.findIndex((l) => l.includes(s));
    expect(at(`Network ${project}_default  Created`)).toBeGreaterThanOrEqual(0);
    expect(at(`Image ${project}-flaky  Built`)).toBeGreaterThanOrEqual(0);
    expect(at(`Volume ${project}_data  Created`)).toBeGreaterThanOrEqual(0);
    expect(at(`Container ${project}-web-1  Started`)).toBeGreaterThanOrEqual(0);
    expect(at(`Container ${project}-web-1  Healthy`)).toBeGreaterThan(at(`Container ${project}-web-1  Started`));
    expect(at(`Container ${project}-client-1  Created`)).toBeGreaterThan(at(`Container ${project}-web-1  Healthy`));

    const logs = await waitUntil('the client fetched', async () => {
      const l = await compose('logs', 'client');
      return l.stdout.includes('from-dotenv') ? l.stdout : null;
    });
    expect(logs).toContain(`client | compose says hello ${tag}`);
    expect(logs).toContain('client | from-dotenv');

    // docker compose v2's names and labels (the UI groups by these alone).
    for (const svc of ['web', 'client', 'flaky']) {
      const c = await inspect(`${project}-${svc}-1`);
      first[svc] = c;
      expect(c.labels).toMatchObject({
        'com.docker.compose.project': project,
        'com.docker.compose.service': svc,
        'com.docker.compose.container-number': '1',
        'com.docker.compose.project.working_dir': dir,
        'com.docker.compose.project.config_files': file,
        'com.docker.compose.oneoff': 'False',
      });
      expect(c.labels['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
      expect(c.network.networks.map((n) => [n.network, n.aliases.includes(svc)])).toEqual([
        [`${project}_default`, true],
      ]);
    }
    expect(first['web']!.config!.resources).toMatchObject({ memory: { max: 64 * 1024 * 1024 }, pids: { max: 64 } });
    const nets = await projectNetworks();
    expect(nets.map((n) => [n.name, n.labels['com.docker.compose.network']])).toEqual([
      [`${project}_default`, 'default'],
    ]);
    const vols = await projectVolumes();
    expect(vols.map((v) => [v.name, v.labels['com.docker.compose.volume']])).toEqual([[`${project}_data`, 'data']]);
    // The fetched copy is in the named volume.
    expect(fs.readFileSync(path.join(vols[0]!.mountpoint, 'fetched.txt'), 'utf8')).toBe(`compose says hello ${tag}\n`);

    const ps = await compose('ps', '-a', '--format', 'json');
    const rows = ps.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows.map((x) => x['Names']).sort()).toEqual([
      `${project}-client-1`,
      `${project}-flaky-1`,
      `${project}-web-1`,
    ]);
  });

  it('a restart policy restarts a failing service until its retries are spent', async () => {
    const c = await waitUntil(
      'flaky to give up',
      async () => {
        const d = await inspect(`${project}-flaky-1`);
        return d.state === 'exited' && d.restartCount === 2 ? d : null;
      },
      60_000,
      200,
    );
    expect(c.exitCode).toBe(3);
    expect(c.image).toContain(`${project}-flaky`);
    expect((await compose('logs', 'flaky')).stdout.match(/flaky \| try/g)?.length).toBe(3);
  });

  it('a second up leaves unchanged services alone and recreates a changed one', async () => {
    const again = await compose('up', '-d', 'web', 'client');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Container ${project}-web-1  Running`);
    expect(again.stdout).toContain(`Container ${project}-client-1  Running`);
    expect((await inspect(`${project}-web-1`)).id).toBe(first['web']!.id);
    expect((await inspect(`${project}-client-1`)).id).toBe(first['client']!.id);

    fs.writeFileSync(file, composeYaml(' && echo changed'));
    const changed = await compose('up', '-d', 'web', 'client');
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain(`Container ${project}-web-1  Running`);
    expect(changed.stdout).toContain(`Container ${project}-client-1  Recreated`);
    expect((await inspect(`${project}-web-1`)).id).toBe(first['web']!.id);
    const client = await inspect(`${project}-client-1`);
    expect(client.id).not.toBe(first['client']!.id);
    expect(client.labels['com.docker.compose.config-hash']).not.toBe(
      first['client']!.labels['com.docker.compose.config-hash'],
    );
    await waitUntil('the new client fetched', async () => (await compose('logs', 'client')).stdout.includes('changed'));
    first['client'] = client;
  });

  it('restart restarts the services and web still answers by name', async () => {
    const mac = async (): Promise<string> =>
      (await berthOk(sock(), ['exec', `${project}-web-1`, 'cat', '/sys/class/net/eth0/address'])).trim();
    const macBefore = await mac();
    const r = await compose('restart', 'web');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Container ${project}-web-1  Restarted`);
    const web = await inspect(`${project}-web-1`);
    expect(web.state).toBe('running');
    expect(web.startedAt).not.toBe(first['web']!.startedAt);
    // Same address, same MAC (docker's 02:42 rule): the client's neighbour entry for web stays right.
    const ip = web.network.networks[0]!.ip!;
    expect(macBefore).toBe(
      `02:42:${ip
        .split('.')
        .map((b) => Number(b).toString(16).padStart(2, '0'))
        .join(':')}`,
    );
    expect(await mac()).toBe(macBefore);
    const got = await waitUntil('web to answer after the restart', async () => {
      const x = await berthCli(sock(), ['exec', `${project}-client-1`, 'wget', '-q', '-O-', 'http://web/index.html']);
      return x.code === 0 ? x.stdout : null;
    });
    expect(got).toBe(`compose says hello ${tag}\n`);
  });

  it('bad files get stable codes and change nothing', async () => {
    const bad = path.join(dir, 'cycle.yaml');
    fs.writeFileSync(
      bad,
      'services:\n  a: {image: busybox, depends_on: [b]}\n  b: {image: busybox, depends_on: [a]}\n',
    );
    const r = await berthCli(sock(), ['compose', '-p', project, '-f', bad, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error COMPOSE_DEPENDENCY_CYCLE: depends_on forms a cycle: a -> b -> a');
    fs.writeFileSync(bad, 'services: [oops');
    const y = await berthCli(sock(), ['compose', '-p', project, '-f', bad, 'up', '-d']);
    expect(y.stderr).toMatch(/Error COMPOSE_YAML_INVALID: .*cycle.yaml: not valid YAML/);
    const ps = await compose('ps', '-a', '-q');
    expect(ps.stdout.trim().split('\n').length).toBe(3);
  });

  it('down -v leaves nothing of the project behind', async () => {
    const ids = Object.values(first).map((c) => c.id);
    const details = await Promise.all(ids.map((id) => inspect(id)));
    const nets = await projectNetworks();
    const r = await compose('down', '-v');
    expect(r.code, r.stderr).toBe(0);
    const left = (
      await berthOk(sock(), ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '-q'])
    ).trim();
    expect(left).toBe('');
    expect(await projectNetworks()).toEqual([]);
    expect(await projectVolumes()).toEqual([]);
    const links = linkNames();
    const nft = await nftTableText(suite.bridge.table);
    for (const n of nets) {
      expect(links).not.toContain(n.bridge);
      expect(nft).not.toContain(`"${n.bridge}"`);
      expect(nft).not.toContain(n.subnet!);
    }
    for (const d of details) {
      expect(cgroupDirsOf(d.id)).toEqual([]);
      expect(mountLinesMatching(d.id)).toEqual([]);
      expect(mountLinesMatching(d.paths.rootfs)).toEqual([]);
      expect(netnsEntries()).not.toContain(`berth-${d.id.slice(0, 12)}`);
      expect(links.some((l) => l.startsWith(`vb${d.id.slice(0, 9)}`))).toBe(false);
    }
    expect(mountLinesMatching(`${project}_data`)).toEqual([]);
  });

  it('attached up streams prefixed logs until Ctrl+C, then stops the project', async () => {
    const small = path.join(dir, 'small.yaml');
    fs.writeFileSync(
      small,
      'services:\n  ticker:\n    image: busybox:latest\n    command: sh -c "trap \'exit 0\' TERM; echo tick-started; sleep 3600 & wait"\n',
    );
    const child = spawn(process.execPath, [CLI_JS, 'compose', '-p', project, '-f', small, 'up', '--no-start'], {
      env: { ...process.env, BERTH_HELPER_SOCKET: sock() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    await waitUntil('the prefixed log line', () => out.includes('ticker | tick-started'), 60_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).toContain(`Container ${project}-ticker-1  Stopped`);
    expect((await inspect(`${project}-ticker-1`)).state).toBe('exited');
    expect((await berthCli(sock(), ['compose', '-p', project, '-f', small, 'down'])).code).toBe(0);
  });
});
