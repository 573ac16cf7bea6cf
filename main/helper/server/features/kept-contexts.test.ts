import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KeptContexts, fileSha256 } from './kept-contexts';

describe('KeptContexts', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-kept-'));
  afterEach(() => {
    for (const n of fs.readdirSync(root)) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const logged: string[] = [];
  /** An unpack that writes one file naming the digest, counting its calls. */
  const unpacker = (calls: string[], digest: string) => async (dir: string) => {
    calls.push(digest);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'f'), digest);
  };
  /** Removals run in the background: wait until the listing settles. */
  const dirsSettled = async (n: number): Promise<string[]> => {
    for (let i = 0; i < 200 && fs.readdirSync(root).length !== n; i++) await sleep(5);
    return fs.readdirSync(root);
  };

  it('unpacks a digest once and hands the same directory to the next build of it', async () => {
    const kept = new KeptContexts(root, 2, (m) => logged.push(m));
    const calls: string[] = [];
    const a = await kept.acquire('aa', unpacker(calls, 'aa'));
    a.release();
    a.digests?.set('k', 'v');
    const again = await kept.acquire('aa', unpacker(calls, 'aa'));
    expect(again.dir).toBe(a.dir);
    expect(again.digests?.get('k')).toBe('v');
    expect(fs.readFileSync(path.join(again.dir, 'f'), 'utf8')).toBe('aa');
    again.release();
    const other = await kept.acquire('bb', unpacker(calls, 'bb'));
    expect(other.dir).not.toBe(a.dir);
    expect(other.digests?.size).toBe(0);
    other.release();
    expect(calls).toEqual(['aa', 'bb']);
  });

  it('concurrent builds of the same bytes share one unpack', async () => {
    const kept = new KeptContexts(root, 2, (m) => logged.push(m));
    const calls: string[] = [];
    const [x, y] = await Promise.all([
      kept.acquire('cc', unpacker(calls, 'cc')),
      kept.acquire('cc', unpacker(calls, 'cc')),
    ]);
    expect(x.dir).toBe(y.dir);
    expect(calls).toEqual(['cc']);
    x.release();
    y.release();
  });

  it('keeps at most max directories, dropping the least recently used, never one in use', async () => {
    const kept = new KeptContexts(root, 2, (m) => logged.push(m));
    const calls: string[] = [];
    const a = await kept.acquire('a', unpacker(calls, 'a')); // held throughout
    const b = await kept.acquire('b', unpacker(calls, 'b'));
    b.release();
    const c = await kept.acquire('c', unpacker(calls, 'c'));
    c.release();
    // 'a' is the oldest but in use: 'b' went instead.
    expect(kept.size).toBe(2);
    expect(fs.existsSync(a.dir)).toBe(true);
    expect((await dirsSettled(2)).sort()).toEqual([path.basename(a.dir), path.basename(c.dir)].sort());
    a.release();
    a.release(); // a second release is a no-op
    const b2 = await kept.acquire('b', unpacker(calls, 'b'));
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
    b2.release();
    // Now 'a' (released, least recently used) is dropped.
    expect(await dirsSettled(2)).not.toContain(path.basename(a.dir));
  });

  it('a failed unpack is removed and the next build of those bytes unpacks again', async () => {
    const kept = new KeptContexts(root, 2, (m) => logged.push(m));
    let failed = '';
    await expect(
      kept.acquire('dd', async (dir) => {
        failed = dir;
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, 'half'), '');
        throw new Error('not a tar');
      }),
    ).rejects.toThrow('not a tar');
    expect(kept.size).toBe(0);
    expect(await dirsSettled(0)).toEqual([]);
    const calls: string[] = [];
    const ok = await kept.acquire('dd', unpacker(calls, 'dd'));
    expect(ok.dir).not.toBe(failed);
    expect(calls).toEqual(['dd']);
    ok.release();
  });

  it('fileSha256 is the sha256 of the bytes', async () => {
    const f = path.join(root, 't');
    fs.writeFileSync(f, 'abc');
    expect(await fileSha256(f)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
