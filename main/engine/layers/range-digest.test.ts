import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { RangeDigester } from './range-digest';

const sha = (b: Buffer): string => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

describe('RangeDigester', () => {
  let tmp = '';
  let file = '';
  const data = crypto.randomBytes(9 * 1024 * 1024 + 123); // more than one 4 MiB read

  beforeAll(() => {
    tmp = makeTmp('berth-rdigest-');
    file = path.join(tmp, 'data');
    fs.writeFileSync(file, data);
  });
  afterAll(() => rmrf(tmp));

  it('hashes byte ranges of an open file in order, on a worker thread', async () => {
    const fh = await fs.promises.open(file, 'r');
    const d = new RangeDigester();
    try {
      const [whole, middle, empty] = await Promise.all([
        d.digest(fh.fd, 0, data.length),
        d.digest(fh.fd, 1000, 5 * 1024 * 1024),
        d.digest(fh.fd, 7, 0),
      ]);
      expect(whole).toEqual({ digest: sha(data), bytes: data.length });
      expect(middle).toEqual({ digest: sha(data.subarray(1000, 1000 + 5 * 1024 * 1024)), bytes: 5 * 1024 * 1024 });
      expect(empty).toEqual({ digest: sha(Buffer.alloc(0)), bytes: 0 });
    } finally {
      await d.close();
      await fh.close();
    }
  });

  it('reports a range past the end of the file as fewer bytes', async () => {
    const fh = await fs.promises.open(file, 'r');
    const d = new RangeDigester();
    try {
      const r = await d.digest(fh.fd, data.length - 10, 100);
      expect(r).toEqual({ digest: sha(data.subarray(data.length - 10)), bytes: 10 });
    } finally {
      await d.close();
      await fh.close();
    }
  });

  it('rejects a read error (a closed descriptor) instead of hanging', async () => {
    const d = new RangeDigester();
    try {
      await expect(d.digest(2 ** 30, 0, 10)).rejects.toThrow(/layer digest/);
    } finally {
      await d.close();
    }
  });

  it('stops on abort: pending digests reject with the reason, later ones at once', async () => {
    const fh = await fs.promises.open(file, 'r');
    const ac = new AbortController();
    const d = new RangeDigester(ac.signal);
    try {
      const jobs = Array.from({ length: 20 }, () => d.digest(fh.fd, 0, data.length));
      const reason = new Error('stop');
      ac.abort(reason);
      const settled = await Promise.allSettled(jobs);
      expect(settled.some((s) => s.status === 'rejected' && s.reason === reason)).toBe(true);
      await expect(d.digest(fh.fd, 0, 1)).rejects.toBe(reason);
    } finally {
      await d.close();
      await fh.close();
    }
  });
});
