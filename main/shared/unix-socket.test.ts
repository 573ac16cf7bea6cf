import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectUnix, listenUnix, SUN_PATH_MAX } from './unix-socket';

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

describe('Unix sockets past sun_path', () => {
  const dirs: string[] = [];
  const servers: net.Server[] = [];
  const closeServers = async (): Promise<void> => {
    for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
  };
  afterEach(async () => {
    await closeServers();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A directory whose socket path is `extra` bytes past what sun_path takes. */
  function deepDir(extra: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-sock-'));
    dirs.push(dir);
    const want = SUN_PATH_MAX + extra - '/a.sock'.length;
    let d = dir;
    while (d.length < want) d = path.join(d, 'd'.repeat(Math.min(50, want - d.length - 1) || 1));
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  async function roundTrip(socketPath: string): Promise<string> {
    const server = net.createServer((s) => s.end('pong'));
    servers.push(server);
    await listenUnix(server, socketPath);
    expect(fs.statSync(socketPath).isSocket()).toBe(true); // bound at the real path, not a truncated one
    const sock = connectUnix(socketPath);
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    await new Promise<void>((resolve, reject) => {
      sock.once('close', () => resolve());
      sock.once('error', reject);
    });
    return Buffer.concat(chunks).toString();
  }

  it.each([
    ['short', -40],
    ['exactly the limit', 0],
    ['one byte past', 1],
    ['far past (attach.sock under a deep data root)', 200],
  ])('%s: binds and connects, closing every fd it opened', async (_name, extra) => {
    const socketPath = path.join(deepDir(extra), 'a.sock');
    expect(Buffer.byteLength(socketPath)).toBe(SUN_PATH_MAX + extra);
    const before = openFds();
    expect(await roundTrip(socketPath)).toBe('pong');
    await closeServers();
    expect(openFds()).toBe(before);
  });

  it('a missing directory fails as a missing socket does (ENOENT), at any length', async () => {
    for (const extra of [-40, 60]) {
      const socketPath = path.join(deepDir(extra), 'gone', 'a.sock');
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
        try {
          connectUnix(socketPath).once('error', resolve);
        } catch (e) {
          resolve(e as NodeJS.ErrnoException);
        }
      });
      expect(err.code).toBe('ENOENT');
    }
  });

  it('a socket name that alone is too long is refused with ENAMETOOLONG, not truncated', async () => {
    const socketPath = path.join(deepDir(0), 'n'.repeat(100));
    expect(() => connectUnix(socketPath)).toThrow(expect.objectContaining({ code: 'ENAMETOOLONG' }));
    await expect(listenUnix(net.createServer(), socketPath)).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
    expect(fs.readdirSync(path.dirname(socketPath))).toEqual([]);
  });
});
