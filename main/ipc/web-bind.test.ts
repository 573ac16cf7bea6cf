/**
 * `--host` beyond loopback: refused without `--insecure-remote`, a warning
 * with it; the Host allow-list that goes with each bind.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../api/event-hub';
import { Router, type HelperCaller, type MainHandlers } from '../api/router';
import { startWebServer } from './web';
import { gateFor, isLoopbackHost } from './web-auth';
import { checkBindHost } from './web-bind';

const ROOT = path.resolve(__dirname, '../..');

describe('checkBindHost', () => {
  it('loopback needs nothing', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(checkBindHost(h, false)).toEqual({ warning: null });
  });

  it('anything else is refused with WEB_HOST_NOT_LOOPBACK unless insecureRemote, which warns', () => {
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.lan', '128.0.0.1', '127.0.0.1.evil.example']) {
      expect(isLoopbackHost(h)).toBe(false);
      expect(() => checkBindHost(h, false)).toThrow(
        expect.objectContaining({
          code: 'WEB_HOST_NOT_LOOPBACK',
          message: expect.stringContaining('--insecure-remote'),
        }),
      );
      expect(checkBindHost(h, true).warning).toMatch(/plain HTTP on .*unencrypted/);
    }
  });

  it('startWebServer enforces it too, for every caller', async () => {
    const router = new Router({} as MainHandlers, { call: async () => ({}) } as unknown as HelperCaller);
    await expect(
      startWebServer({ backend: { router, hub: new EventHub() }, staticDir: os.tmpdir(), host: '0.0.0.0' }),
    ).rejects.toMatchObject({ code: 'WEB_HOST_NOT_LOOPBACK' });
  });
});

describe('gateFor', () => {
  const ifaces = {
    lo: [{ address: '127.0.0.1' }],
    eth0: [{ address: '192.168.1.5' }, { address: 'fe80::1%eth0' }],
  } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;

  it('loopback: the loopback names only', () => {
    expect([...gateFor('127.0.0.1', 80, ifaces).allowedHosts].sort()).toEqual(
      ['127.0.0.1:80', 'localhost:80', '[::1]:80'].sort(),
    );
  });

  it('a wildcard bind: this machine’s addresses (no DNS name, so nothing to rebind)', () => {
    const hosts = gateFor('0.0.0.0', 80, ifaces).allowedHosts;
    for (const h of ['192.168.1.5:80', '[fe80::1]:80', '127.0.0.1:80']) expect(hosts.has(h)).toBe(true);
    expect(hosts.has('evil.example:80')).toBe(false);
  });

  it('a named bind: that name', () => {
    expect([...gateFor('box.lan', 8080, ifaces).allowedHosts]).toEqual(['box.lan:8080']);
  });
});

describe('berth web --host (the built CLI)', () => {
  const cli = path.join(ROOT, 'bin', 'berth.js');
  const built = fs.existsSync(path.join(ROOT, 'out', 'main', 'cli.js'));

  function run(args: string[], untilUrl: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-bind-'));
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'web', '--port', '0', '--no-start', ...args], {
        env: { ...process.env, BERTH_RUN_DIR: runDir, BERTH_DATA_ROOT: path.join(runDir, 'data') },
      });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (untilUrl && /Berth web UI: /.test(stdout)) child.kill('SIGTERM');
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        fs.rmSync(runDir, { recursive: true, force: true });
        resolve({ code, stdout, stderr });
      });
    });
  }

  it.runIf(built)('refuses 0.0.0.0 without --insecure-remote, saying why and what to pass', async () => {
    const r = await run(['--host', '0.0.0.0'], false);
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toMatch(/Berth web UI/);
    expect(r.stderr).toMatch(/WEB_HOST_NOT_LOOPBACK/);
    expect(r.stderr).toMatch(/--insecure-remote/);
  });

  it.runIf(built)('serves 0.0.0.0 with --insecure-remote, after a warning on stderr', async () => {
    const r = await run(['--host', '0.0.0.0', '--insecure-remote'], true);
    expect(r.stdout).toMatch(/^Berth web UI: http:\/\/127\.0\.0\.1:\d+\/\?token=/m);
    expect(r.stderr).toMatch(/warning: web mode is serving plain HTTP on 0\.0\.0\.0/);
  });
});
