/**
 * The renderer's files: paths never leave the root, and a file that cannot
 * be opened or fails while it is sent is answered or cut off and logged;
 * the server goes on.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStatic, serveStatic, type StaticOptions } from './static-files';

let dir: string;
let server: http.Server;
let base: string;
const logged: string[] = [];
let open: StaticOptions['open'];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-static-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
  fs.writeFileSync(path.join(dir, 'big.js'), Buffer.alloc(16 * 1024 * 1024, 0x61));
  server = http.createServer((req, res) => {
    void serveStatic(dir, req.url ?? '/', res, { headers: {}, log: (l) => logged.push(l), open }).catch((e) => {
      logged.push(`THREW ${String(e)}`);
      res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('resolveStatic', () => {
  it('keeps every path inside the root', () => {
    for (const p of ['/../etc/passwd', '/..%2f..%2fetc', '/%2e%2e/%2e%2e/etc', '/a/../../b', '/%00', '/%zz'])
      expect(resolveStatic(dir, p) ?? dir).toMatch(new RegExp(`^${dir}`));
  });
});

describe('serveStatic faults', () => {
  it('a file that cannot be opened is a 404 and a log line', async () => {
    open = async () => {
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    };
    const r = await fetch(base + '/big.js');
    expect(r.status).toBe(404);
    expect(logged.at(-1)).toMatch(/big\.js: EMFILE/);
    open = undefined;
  });

  it('a read that fails mid-response cuts the connection short of content-length, logged', async () => {
    let handle: fs.promises.FileHandle | undefined;
    open = async (f) => (handle = await fs.promises.open(f, 'r'));
    const outcome = await new Promise<{ got: number; length: number; complete: boolean }>((resolve) => {
      http.get(base + '/big.js', (res) => {
        let got = 0;
        const length = Number(res.headers['content-length']);
        res.pause();
        // The client has not read yet, so the stream is stalled mid-file: pull the fd from under it.
        setTimeout(() => {
          void handle!.close().then(() => {
            res.on('data', (d: Buffer) => (got += d.length));
            res.resume();
          });
        }, 100);
        const done = () => resolve({ got, length, complete: res.complete });
        res.on('end', done);
        res.on('aborted', done);
        res.on('error', done);
      });
    });
    open = undefined;
    expect(outcome.length).toBe(16 * 1024 * 1024);
    expect(outcome.complete).toBe(false);
    expect(outcome.got).toBeLessThan(outcome.length);
    await expect.poll(() => logged.some((l) => /big\.js: read failed mid-response/.test(l))).toBe(true);
    expect(logged.some((l) => l.startsWith('THREW'))).toBe(false);
    // And the next request is served whole.
    const again = await fetch(base + '/big.js');
    expect((await again.arrayBuffer()).byteLength).toBe(16 * 1024 * 1024);
  });

  it('a file that shrinks while it is sent is cut short, not passed off as whole', async () => {
    const f = path.join(dir, 'shrinks.js');
    fs.writeFileSync(f, Buffer.alloc(16 * 1024 * 1024, 0x62));
    const outcome = await new Promise<{ got: number; complete: boolean }>((resolve) => {
      http.get(base + '/shrinks.js', (res) => {
        let got = 0;
        res.pause();
        setTimeout(() => {
          fs.truncateSync(f, 1000);
          res.on('data', (d: Buffer) => (got += d.length));
          res.resume();
        }, 100);
        const done = () => resolve({ got, complete: res.complete });
        res.on('end', done);
        res.on('aborted', done);
        res.on('error', done);
      });
    });
    expect(outcome.complete).toBe(false);
    expect(outcome.got).toBeLessThan(16 * 1024 * 1024);
    await expect.poll(() => logged.some((l) => /shrinks\.js: shrank/.test(l))).toBe(true);
  });

  it('names too long for the filesystem get the shell, not an exception', async () => {
    const r = await fetch(base + '/' + 'a'.repeat(300) + '/' + 'b'.repeat(5000));
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>Berth</title>');
  });
});
