/**
 * A helper that accepts and then drops every connection (it refuses the peer,
 * or it is broken) must not be redialled in a tight loop: the reconnects back
 * off (200 ms, 400 ms, …) until a connection lasts. The check is on a lower
 * bound that sleeps guarantee (never an upper bound on speed): within the
 * first 1.3 s at most 4 connections can arrive (at 0, ≥200, ≥600, ≥1400 ms
 * without the first retry's own delay).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../../testing/helper-process';
import { HelperConnection } from './connection';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

it('backs off when the helper closes each connection at once', async () => {
  const dir = tempDir('berth-backoff-');
  const socketPath = path.join(dir, 'helper.sock');
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  const conn = new HelperConnection({ socketPath, runDir: dir, dataRoot: dir, reconnect: true, autoStart: false });
  cleanup = async () => {
    conn.close();
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  await conn.ensure().catch(() => undefined);
  await sleep(1300);
  expect(accepted).toBeGreaterThanOrEqual(2); // it does keep trying
  expect(accepted).toBeLessThanOrEqual(4); // but not in a tight loop (hundreds before the fix)
});
