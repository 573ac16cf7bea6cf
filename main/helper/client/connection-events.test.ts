/**
 * The helper sends every event to every connection; a connection whose
 * `wants` says nobody takes an event drops it before checking it (a short
 * CLI command would otherwise build and run the schema of each of a build's
 * ≈ 20 progress events it never shows).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { events, type EventName } from '../../../preload/contract';
import { encodeFrame } from '../../shared/rpc-protocol';
import { tempDir } from '../../testing/helper-process';
import { HelperConnection } from './connection';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

it('drops the events nobody wants without checking them, and checks and passes on the rest', async () => {
  const dir = tempDir('berth-events-');
  const socketPath = path.join(dir, 'helper.sock');
  const progress = {
    buildId: 'b1',
    kind: 'step',
    step: 1,
    steps: 2,
    stage: '0',
    instruction: 'FROM busybox',
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.write(encodeFrame({ jsonrpc: '2.0', method: 'event', params: { name: 'build.progress', payload: progress } }));
    s.write(
      encodeFrame({ jsonrpc: '2.0', method: 'event', params: { name: 'images.changed', payload: { reason: 'load' } } }),
    );
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  const got: Array<[EventName, unknown]> = [];
  let wanted: EventName[] = ['images.changed'];
  let arrived: (() => void) | null = null;
  const connect = (): HelperConnection =>
    new HelperConnection({
      socketPath,
      runDir: dir,
      dataRoot: dir,
      autoStart: false,
      wants: (name) => wanted.includes(name),
      onEvent: (name, payload) => {
        got.push([name, payload]);
        if (name === 'images.changed') arrived?.();
      },
    });
  const conn = connect();
  cleanup = async () => {
    conn.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Whether build.progress payloads are checked at all (the spy builds the schema, which is not a check).
  const checks = vi.spyOn(events['build.progress'], 'safeParse');
  const once = (): Promise<void> => new Promise((r) => (arrived = r));

  let next = once();
  await conn.ensure();
  await next;
  expect(got).toEqual([['images.changed', { reason: 'load' }]]);
  expect(checks).not.toHaveBeenCalled();

  // Wanted now: checked and passed on, before the images.changed sent after it.
  wanted = ['images.changed', 'build.progress'];
  conn.close();
  const again = connect();
  const first = cleanup;
  cleanup = async () => {
    again.close();
    await first();
  };
  got.length = 0;
  next = once();
  await again.ensure();
  await next;
  expect(got).toEqual([
    ['build.progress', progress],
    ['images.changed', { reason: 'load' }],
  ]);
  expect(checks).toHaveBeenCalledTimes(1);
  checks.mockRestore();
});
