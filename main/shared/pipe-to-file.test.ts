import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipeToFile } from './pipe-to-file';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pipe-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function* failsAt(n: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < n; i++) yield Buffer.alloc(64 * 1024, i);
  throw new Error('source failed');
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('pipeToFile', () => {
  it('writes, appends and fsyncs', async () => {
    const f = path.join(tmp, 'a');
    await pipeToFile(f, [Buffer.from('ab')], { sync: true });
    await pipeToFile(f, [Buffer.from('cd')], { flags: 'a' });
    expect(fs.readFileSync(f, 'utf8')).toBe('abcd');
  });

  // The class CI caught: a source failing before the lazy open finished left
  // the file to appear after the caller's cleanup. Whatever the failure point,
  // once the promise settles a cleanup must be final.
  it.each([0, 1, 5])('a source failing after %i chunks leaves nothing once cleaned up', async (n) => {
    for (let round = 0; round < 30; round++) {
      const f = path.join(tmp, `fail-${n}-${round}`);
      await expect(pipeToFile(f, failsAt(n), { flags: 'wx' })).rejects.toThrow(/source failed/);
      fs.rmSync(f, { force: true });
      await settle();
      expect(fs.existsSync(f)).toBe(false);
    }
  });

  it('an abort stops the write and closes the file', async () => {
    const f = path.join(tmp, 'aborted');
    const ac = new AbortController();
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from('x');
      ac.abort(new Error('stop'));
      await new Promise((r) => setTimeout(r, 10));
      yield Buffer.from('y');
    }
    await expect(pipeToFile(f, slow(), { signal: ac.signal })).rejects.toThrow();
    fs.rmSync(f, { force: true });
    await settle();
    expect(fs.existsSync(f)).toBe(false);
  });
});
