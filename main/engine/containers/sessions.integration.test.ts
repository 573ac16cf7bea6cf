/**
 * Sessions against a real helper and real containers: a reattachable terminal
 * survives its client (detach, a closed connection) and is reattached with its
 * scrollback and the same pid; with no client it is reaped after the helper's
 * idle time (--session-idle-timeout, short here), its process and monitor
 * gone from /proc; a plain exec (the CLI's) ends with its client, a killed
 * `berth exec` included, and takes its whole session (background jobs) along.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthCli,
  berthOk,
  isLive,
  loadBusybox,
  openContainerSuite,
  startHelperOn,
  randomTag,
  testBridge,
  waitUntil,
  type ContainerSuite,
  tearDownHelperOn,
} from '../../testing/container-helper';
import { CLI_JS, tempDir } from '../../testing/helper-process';

const isRoot = process.getuid?.() === 0;
const IDLE_SECONDS = 1.5;

/** One RPC connection (what main holds) and the session events it sees. */
class Client {
  readonly output = new Map<string, Buffer[]>();
  readonly exits = new Map<string, number | null>();
  private constructor(readonly rpc: RpcClient) {
    rpc.on('notification', (method, params) => {
      if (method !== 'event') return;
      const p = params as { name: string; payload: { sessionId: string; data?: string; exitCode?: number | null } };
      if (p.name === 'sessions.output') {
        const list = this.output.get(p.payload.sessionId) ?? [];
        list.push(Buffer.from(p.payload.data ?? '', 'base64'));
        this.output.set(p.payload.sessionId, list);
      } else if (p.name === 'sessions.exit') this.exits.set(p.payload.sessionId, p.payload.exitCode ?? null);
    });
  }
  static async connect(socket: string): Promise<Client> {
    return new Client(await RpcClient.connect(socket));
  }
  text(id: string): string {
    return Buffer.concat(this.output.get(id) ?? []).toString();
  }
  call<T>(method: string, params: unknown): Promise<T> {
    return this.rpc.call(method, params) as Promise<T>;
  }
  write(sessionId: string, text: string): Promise<unknown> {
    return this.rpc.call('sessions.write', { sessionId, data: Buffer.from(text).toString('base64') });
  }
  close(): void {
    this.rpc.close();
  }
}

/** Children of a process (from /proc/PID/task/PID/children). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Pids whose command line is exactly `argv` (joined by spaces). */
function pidsRunning(argv: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() === argv && isLive(Number(e)))
        out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('sessions (root, real containers)', { timeout: 120_000 }, () => {
  const tag = randomTag();
  let suite: ContainerSuite;
  let id = '';

  beforeAll(async () => {
    suite = await openContainerSuite({
      bridge: testBridge('bss', 239),
      workPrefix: 'berth-sess-it-',
      helperArgs: ['--session-idle-timeout', String(IDLE_SECONDS)],
    });
    id = (
      await berthOk(suite.helper.socketPath, [
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        `sess-${tag}`,
        'busybox',
        'sleep',
        '600',
      ])
    ).trim();
  });
  afterAll(async () => {
    await suite?.close();
  });

  const openShell = async (c: Client): Promise<{ sessionId: string; pid: number }> => {
    const r = await c.call<{ sessionId: string; pid: number }>('containers.exec', {
      id,
      cmd: ['sh'],
      tty: true,
      reattachable: true,
    });
    await waitUntil('the prompt', () => c.text(r.sessionId).includes('#'));
    return r;
  };

  it('detach + reattach (same connection and a new one): scrollback, the same pid, the same shell', async () => {
    const a = await Client.connect(suite.helper.socketPath);
    const { sessionId, pid } = await openShell(a);
    const shell = await waitUntil('the shell under the exec monitor', () => childrenOf(pid)[0]);
    await a.write(sessionId, 'echo marker-$((40+2))\n');
    await waitUntil('the marker', () => a.text(sessionId).includes('marker-42'));

    // A page leaves the tab: detach; the shell lives on.
    await a.call('sessions.detach', { sessionId });
    expect(isLive(shell)).toBe(true);
    const again = await a.call<{ pid: number; scrollback: string; offset: number; tty: boolean; kind: string }>(
      'sessions.reattach',
      { sessionId },
    );
    expect(again.pid).toBe(pid);
    expect(again).toMatchObject({ tty: true, kind: 'exec' });
    expect(Buffer.from(again.scrollback, 'base64').toString()).toContain('marker-42');
    expect(again.offset).toBe(Buffer.concat(a.output.get(sessionId) ?? []).length);

    // The page reloads: its connection (main's, here) goes away; another reattaches.
    a.close();
    const b = await Client.connect(suite.helper.socketPath);
    const r = await b.call<{ pid: number; scrollback: string }>('sessions.reattach', { sessionId });
    expect(r.pid).toBe(pid);
    expect(Buffer.from(r.scrollback, 'base64').toString()).toContain('marker-42');
    expect(childrenOf(pid)).toEqual([shell]);
    await b.write(sessionId, 'echo second-$((1+1))\n');
    await waitUntil('output after the reattach', () => b.text(sessionId).includes('second-2'));

    await b.call('sessions.close', { sessionId, kill: true });
    await waitUntil('the exit event', () => b.exits.has(sessionId));
    await waitUntil('the shell and its monitor gone', () => !isLive(shell) && !isLive(pid));
    b.close();
  });

  it('a plain exec cannot be reattached; an unknown id is SESSION_NOT_FOUND', async () => {
    const a = await Client.connect(suite.helper.socketPath);
    const r = await a.call<{ sessionId: string }>('containers.exec', { id, cmd: ['sleep', '30'] });
    await expect(a.call('sessions.reattach', { sessionId: r.sessionId })).rejects.toMatchObject({
      code: 'SESSION_NOT_REATTACHABLE',
    });
    await expect(a.call('sessions.reattach', { sessionId: 'ab'.repeat(16) })).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
    await a.call('sessions.close', { sessionId: r.sessionId, kill: true });
    a.close();
  });

  it(`a session with no client is reaped after the idle time (${IDLE_SECONDS} s here): process and monitor gone`, async () => {
    const a = await Client.connect(suite.helper.socketPath);
    const watcher = await Client.connect(suite.helper.socketPath);
    const { sessionId, pid } = await openShell(a);
    const shell = await waitUntil('the shell', () => childrenOf(pid)[0]);
    // A background job in the shell's session goes with it.
    await a.write(sessionId, 'sleep 7301 &\n');
    const job = await waitUntil('the background job', () => pidsRunning('sleep 7301')[0]);
    a.close(); // the only client: the idle clock starts
    expect(isLive(shell)).toBe(true);
    await waitUntil('the reaped session exit event', () => watcher.exits.has(sessionId), 30_000);
    await waitUntil('process, job and monitor gone from /proc', () => !isLive(shell) && !isLive(job) && !isLive(pid));
    await expect(watcher.call('sessions.reattach', { sessionId })).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    // The helper log says why.
    expect(suite.helper.stderr()).toMatch(new RegExp(`session ${sessionId} .*killed`));
    watcher.close();
  });

  it('a reattach before the idle time passes keeps the session', async () => {
    const a = await Client.connect(suite.helper.socketPath);
    const { sessionId, pid } = await openShell(a);
    a.close();
    const b = await Client.connect(suite.helper.socketPath);
    const r = await b.call<{ pid: number }>('sessions.reattach', { sessionId });
    expect(r.pid).toBe(pid);
    // Attached: several idle times later it still runs.
    await new Promise((res) => setTimeout(res, IDLE_SECONDS * 3000));
    expect(isLive(pid)).toBe(true);
    expect(b.exits.has(sessionId)).toBe(false);
    b.close(); // now unattended: reaped
    await waitUntil('reaped after the last client left', () => !isLive(pid), 30_000);
  });

  it('a killed `berth exec` leaves no process (its user changed, a background job included)', async () => {
    const marker = 7000 + Math.floor(Math.random() * 999);
    const cli = spawn(
      process.execPath,
      [CLI_JS, 'exec', '-u', '1000', id, 'sh', '-c', `sleep ${marker}1 & sleep ${marker}2`, '--no-start'],
      { env: { ...process.env, BERTH_HELPER_SOCKET: suite.helper.socketPath }, stdio: 'ignore' },
    );
    const fg = await waitUntil("the exec'd process", () => pidsRunning(`sleep ${marker}2`)[0]);
    const bg = await waitUntil('its background job', () => pidsRunning(`sleep ${marker}1`)[0]);
    const exited = new Promise((r) => cli.once('exit', r));
    cli.kill('SIGKILL');
    await exited;
    await waitUntil('both gone from /proc', () => !isLive(fg) && !isLive(bg), 15_000);
  });

  it('a `berth exec -i` stopped by SIGTERM (its connection closes) ends its process', async () => {
    const marker = 7000 + Math.floor(Math.random() * 999);
    const cli = spawn(process.execPath, [CLI_JS, 'exec', '-i', id, 'sleep', `${marker}3`, '--no-start'], {
      env: { ...process.env, BERTH_HELPER_SOCKET: suite.helper.socketPath },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const p = await waitUntil("the exec'd process", () => pidsRunning(`sleep ${marker}3`)[0]);
    const exited = new Promise((r) => cli.once('exit', r));
    cli.kill('SIGTERM');
    await exited;
    await waitUntil('gone from /proc', () => !isLive(p), 15_000);
  });

  it("only the opener's uid may reattach, write or close (a user's helper, root opened the session)", async () => {
    const NOBODY = 65534;
    const runDir = tempDir('berth-sess-own-run-');
    const dataRoot = tempDir('berth-sess-own-data-');
    fs.chmodSync(runDir, 0o755); // the owner must reach u65534/helper.sock
    const h = await startHelperOn({ runDir, dataRoot, ownerUid: NOBODY });
    try {
      await loadBusybox(h.socketPath, dataRoot);
      const cid = (await berthOk(h.socketPath, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
      const root = await Client.connect(h.socketPath);
      const { sessionId, pid } = await root.call<{ sessionId: string; pid: number }>('containers.exec', {
        id: cid,
        cmd: ['sh'],
        tty: true,
        reattachable: true,
      });
      // The helper's owner, on its own connection: a JSON-RPC line per method, one answer each.
      const script = `
        const net = require('node:net');
        const calls = JSON.parse(process.argv[1]);
        const s = net.createConnection(process.argv[2]);
        let buf = '', answers = [];
        s.on('connect', () => calls.forEach((c, i) => s.write(JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: c[0], params: c[1] }) + '\\n')));
        s.on('data', (d) => {
          buf += d;
          for (let nl; (nl = buf.indexOf('\\n')) >= 0; buf = buf.slice(nl + 1)) {
            const m = JSON.parse(buf.slice(0, nl));
            if (m.id) answers.push(m);
          }
          if (answers.length === calls.length) { console.log(JSON.stringify(answers)); s.destroy(); }
        });`;
      const calls = [
        ['sessions.reattach', { sessionId }],
        ['sessions.write', { sessionId, data: Buffer.from('id\n').toString('base64') }],
        ['sessions.close', { sessionId, kill: true }],
        ['sessions.detach', { sessionId }],
      ];
      const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(calls), h.socketPath], {
        uid: NOBODY,
        gid: NOBODY,
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const answers = JSON.parse(r.stdout) as Array<{ error?: { data?: { code?: string } } }>;
      expect(answers.map((a) => a.error?.data?.code)).toEqual([
        'SESSION_NOT_OWNER',
        'SESSION_NOT_OWNER',
        'SESSION_NOT_OWNER',
        'SESSION_NOT_OWNER',
      ]);
      expect(isLive(pid)).toBe(true);
      // Its opener still may.
      const again = await root.call<{ pid: number }>('sessions.reattach', { sessionId });
      expect(again.pid).toBe(pid);
      root.close();
      await berthCli(h.socketPath, ['rm', '-f', cid]);
    } finally {
      await tearDownHelperOn(h, { dataRoot, runDir });
    }
  });
});
