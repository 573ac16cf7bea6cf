import { describe, expect, it } from 'vitest';
import { InputQueue } from './input-queue';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('InputQueue', () => {
  it('keeps one write in flight and batches what is typed meanwhile, in order', async () => {
    const sent: string[] = [];
    const gates: Array<() => void> = [];
    const q = new InputQueue(
      (chunk) => {
        sent.push(chunk);
        const d = deferred();
        gates.push(d.resolve);
        return d.promise;
      },
      () => undefined,
    );
    q.push('e');
    q.push('c');
    q.push('ho');
    expect(sent).toEqual(['e']);
    gates.shift()!();
    await Promise.resolve();
    await Promise.resolve();
    expect(sent).toEqual(['e', 'cho']);
    q.push(' hi\r');
    gates.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual(['e', 'cho', ' hi\r']);
  });

  it('splits a huge paste into bounded chunks and reports failures without stopping', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    const q = new InputQueue(
      async (chunk) => {
        sent.push(chunk);
        if (sent.length === 1) throw new Error('boom');
      },
      (e) => errors.push(e),
      4,
    );
    q.push('0123456789');
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual(['0123', '4567', '89']);
    expect(errors).toHaveLength(1);
  });

  it('drops input after close', async () => {
    const sent: string[] = [];
    const q = new InputQueue(
      async (c) => void sent.push(c),
      () => undefined,
    );
    q.close();
    q.push('x');
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([]);
  });
});
