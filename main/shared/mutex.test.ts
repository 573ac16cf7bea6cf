/** KeyedMutex: per-key order, independence across keys, failures not blocking the next holder, no leftover entries. */
import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './mutex';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('KeyedMutex', () => {
  it('runs one key’s holders in order, a failing one included, and other keys meanwhile', async () => {
    const m = new KeyedMutex();
    const seen: string[] = [];
    let releaseA!: () => void;
    const a1 = m.run('a', () => new Promise<void>((r) => (releaseA = r)).then(() => void seen.push('a1')));
    const a2 = m.run('a', async () => {
      seen.push('a2');
      throw new Error('a2 failed');
    });
    const a3 = m.run('a', async () => void seen.push('a3'));
    const b1 = m.run('b', async () => void seen.push('b1'));
    await b1;
    expect(seen).toEqual(['b1']); // b did not wait for a
    releaseA();
    await a1;
    await expect(a2).rejects.toThrow('a2 failed');
    await a3;
    expect(seen).toEqual(['b1', 'a1', 'a2', 'a3']);
  });

  it('forgets a key once its last holder is done', async () => {
    const m = new KeyedMutex();
    for (let i = 0; i < 100; i++) await m.run(`id-${i}`, async () => i);
    await m.run('x', async () => Promise.reject(new Error('no'))).catch(() => undefined);
    await tick();
    expect(m.size).toBe(0);
  });
});
