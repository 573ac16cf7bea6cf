/**
 * The helper for real, as root: started directly, answering JSON-RPC on its
 * socket, refusing bad frames without going down, serving many clients at
 * once, and brought back by a connection after it dies.
 */
import fs from 'node:fs';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../client/rpc-client';
import { HelperConnection } from '../client/connection';
import { pidFileFor, socketPathFor } from '../../shared/helper-paths';
import {
  CLI_JS,
  alive,
  isRoot,
  stopPid,
  startTestHelper,
  tempDir,
  type TestHelper,
} from '../../testing/helper-process';
import { CGROUP2_SUPER_MAGIC, TMPFS_MAGIC } from '../../engine/cgroups/detect';
import type { SystemInfo } from '../../../preload/contract';

const run = promisify(execFile);

function expectedMode(): string {
  const t = fs.statfsSync('/sys/fs/cgroup').type;
  if (t === CGROUP2_SUPER_MAGIC) return 'v2';
  if (t === TMPFS_MAGIC) {
    try {
      return fs.statfsSync('/sys/fs/cgroup/unified').type === CGROUP2_SUPER_MAGIC ? 'hybrid' : 'v1';
    } catch {
      return 'v1';
    }
  }
  return 'unknown';
}

/** Send raw bytes, collect the parsed answers until `count` arrived. */
function rawExchange(socketPath: string, bytes: string | Buffer, count: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath);
    const answers: unknown[] = [];
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        answers.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      if (answers.length >= count) {
        s.destroy();
        resolve(answers);
      }
    });
    s.on('error', reject);
    s.write(bytes);
  });
}

describe.runIf(isRoot)('helper started directly as root', () => {
  let h: TestHelper;
  beforeAll(async () => {
    h = await startTestHelper();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('creates its socket 0600 for its owner and reports real system facts', async () => {
    const st = fs.statSync(h.socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(0);
    const c = await RpcClient.connect(h.socketPath);
    const info = (await c.call('system.info', {})) as SystemInfo;
    c.close();
    expect(info.helper).toMatchObject({
      uid: 0,
      ownerUid: 0,
      startedVia: 'direct',
      pid: h.child.pid,
      socketPath: h.socketPath,
    });
    expect(info.cgroup.mode).toBe(expectedMode());
    expect(info.kernel.release).toBe((await import('node:os')).release());
    expect(info.namespaces.find((n) => n.type === 'net')?.available).toBe(true);
    expect(info.dataRoot).toBe(h.dataRoot);
  });

  it('answers unknown methods, bad params, garbage and oversized frames with JSON-RPC errors', async () => {
    const big =
      '{"jsonrpc":"2.0","id":9,"method":"system.ping","params":{"echo":"' + 'x'.repeat(17 * 1024 * 1024) + '"}}\n';
    const frames =
      '{"jsonrpc":"2.0","id":1,"method":"no.such","params":{}}\n' +
      '{"jsonrpc":"2.0","id":2,"method":"system.ping","params":{"echo":12}}\n' +
      '\x00\xff garbage }{\n' +
      '{"jsonrpc":"1.0","id":3,"method":"system.ping"}\n' +
      '[]\n' +
      big +
      '[{"jsonrpc":"2.0","id":4,"method":"system.ping"},{"jsonrpc":"2.0","method":"system.ping"}]\n' +
      '{"jsonrpc":"2.0","id":5,"method":"system.ping","params":{"echo":"alive"}}\n';
    const answers = await rawExchange(h.socketPath, frames, 8);
    // Answers to different requests may come in any order (JSON-RPC allows it).
    expect(answers).toHaveLength(8);
    expect(answers).toEqual(
      expect.arrayContaining([
        { jsonrpc: '2.0', id: 1, error: expect.objectContaining({ code: -32601, data: { code: 'METHOD_NOT_FOUND' } }) },
        {
          jsonrpc: '2.0',
          id: 2,
          error: expect.objectContaining({ code: -32602, data: expect.objectContaining({ code: 'BAD_PARAMS' }) }),
        },
        { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32700, data: { code: 'PARSE_ERROR' } }) },
        { jsonrpc: '2.0', id: 3, error: expect.objectContaining({ code: -32600, data: { code: 'BAD_REQUEST' } }) },
        { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32600, data: { code: 'BAD_REQUEST' } }) },
        {
          jsonrpc: '2.0',
          id: null,
          error: expect.objectContaining({ code: -32600, data: { code: 'FRAME_TOO_LARGE' } }),
        },
        [{ jsonrpc: '2.0', id: 4, result: { pong: true, helperPid: h.child.pid } }],
        { jsonrpc: '2.0', id: 5, result: { pong: true, echo: 'alive', helperPid: h.child.pid } },
      ]),
    );
    expect(alive(h.child.pid!)).toBe(true);
  });

  it('serves many clients at once: CLI processes and in-process connections', async () => {
    const env = { ...process.env, BERTH_HELPER_SOCKET: h.socketPath };
    const cli = Array.from({ length: 3 }, () =>
      run(process.execPath, [CLI_JS, 'call', 'system.ping', '--no-start'], { env }),
    );
    const clients = await Promise.all(Array.from({ length: 20 }, () => RpcClient.connect(h.socketPath)));
    const direct = await Promise.all(
      clients.flatMap((c) => [c.call('system.ping', {}), c.call('system.ping', { echo: 'x' })]),
    );
    const pids = new Set([
      ...direct.map((r) => (r as { helperPid: number }).helperPid),
      ...(await Promise.all(cli)).map((r) => (JSON.parse(r.stdout) as { helperPid: number }).helperPid),
    ]);
    clients.forEach((c) => c.close());
    expect([...pids]).toEqual([h.child.pid]);
  });

  it('the CLI prints system facts and a typed error with its code', async () => {
    const env = { ...process.env, BERTH_HELPER_SOCKET: h.socketPath };
    const info = await run(process.execPath, [CLI_JS, 'info', '--format', 'json', '--no-start'], { env });
    expect((JSON.parse(info.stdout) as SystemInfo).cgroup.mode).toBe(expectedMode());
    const human = await run(process.execPath, [CLI_JS, 'info', '--no-start'], { env });
    expect(human.stdout).toMatch(new RegExp(`Cgroups:\\s+${expectedMode()}`));
    await expect(
      run(process.execPath, [CLI_JS, 'call', 'system.ping', '{"echo":1}', '--no-start'], { env }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Error BAD_PARAMS'),
    });
    await expect(
      run(process.execPath, [CLI_JS, 'call', 'system.ping', '{oops', '--no-start'], { env }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('Error BAD_PARAMS: params are not JSON'),
    });
  });
});

describe.runIf(isRoot)('a connection starts the helper and brings it back after it dies', () => {
  const runDir = tempDir('berth-run-');
  const dataRoot = tempDir('berth-data-');
  const socketPath = socketPathFor(0, runDir);
  const states: string[] = [];
  const conn = new HelperConnection({
    socketPath,
    runDir,
    dataRoot,
    reconnect: true,
    onState: (s) => states.push(s.state),
  });

  afterAll(async () => {
    conn.close();
    await stopPid(Number(fs.readFileSync(pidFileFor(0, runDir), 'utf8')));
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  it('starts one, reconnects to a new one after kill -9', async () => {
    const first = await conn.call('system.ping', {});
    expect(alive(first.helperPid)).toBe(true);
    process.kill(first.helperPid, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    let second = first;
    while (Date.now() < deadline) {
      try {
        second = await conn.call('system.ping', {});
        if (second.helperPid !== first.helperPid) break;
      } catch {
        // the old socket is going away; keep asking
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(second.helperPid).not.toBe(first.helperPid);
    expect(states).toContain('disconnected');
    expect(states.at(-1)).toBe('connected');
    expect(fs.readFileSync(pidFileFor(0, runDir), 'utf8').trim()).toBe(String(second.helperPid));
  });
});
