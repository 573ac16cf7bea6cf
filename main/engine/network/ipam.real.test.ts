/**
 * The address table is atomic across processes: two processes allocate from
 * one table at once (each a read-modify-write under the table's flock) and
 * no address is handed out twice, nor lost from the file. The worker is the
 * real ipam.ts bundled for node (rolldown, as the build does) and the real
 * addon's flock.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const addon = path.resolve(here, '../../../native/build/Release/berth.node');

function worker(script: string, args: string[]) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BERTH_NATIVE_PATH: addon },
  });
  const lines: string[] = [];
  let buf = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      waiters.splice(0).forEach((w) => w());
    }
  });
  const line = (n: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => (lines.length > n ? resolve(lines[n]!) : waiters.push(check));
      child.once('exit', (code) => lines.length <= n && reject(new Error(`worker exited ${code}`)));
      check();
    });
  return { child, line };
}

describe.runIf(fs.existsSync(addon))('IPAM across processes', { timeout: 120_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ipam-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('two processes allocating at once never share an address', async () => {
    const script = path.join(dir, 'worker.mjs');
    await build({
      input: path.join(here, 'testdata/ipam-worker.ts'),
      platform: 'node',
      logLevel: 'silent',
      output: { file: script, format: 'esm' },
    });
    const table = path.join(dir, 'table');
    const per = 60; // a /25 has 125 host addresses: 120 of them taken
    const ws = ['p', 'q'].map((p) => worker(script, [table, '10.250.0.0/25', p, String(per)]));
    for (const w of ws) expect(await w.line(0)).toBe('ready');
    for (const w of ws) w.child.stdin.write('go\n');
    const got = (await Promise.all(ws.map((w) => w.line(1)))).map((l) => JSON.parse(l) as Record<string, string>);
    const all = got.flatMap((g) => Object.values(g));
    expect(all).toHaveLength(2 * per);
    expect(new Set(all).size).toBe(2 * per);
    // The file holds every one of them, with its owner.
    const file = JSON.parse(fs.readFileSync(path.join(table, 'ipam.json'), 'utf8')) as {
      allocations: Record<string, string>;
    };
    expect(Object.keys(file.allocations)).toHaveLength(2 * per);
    for (const g of got) for (const [owner, ip] of Object.entries(g)) expect(file.allocations[ip]).toBe(owner);
  });
});
