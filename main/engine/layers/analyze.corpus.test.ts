/** The image-archive cases of the hostile corpus, through the analyzer. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus, type ImageCase } from '../../testing/oci/build-corpus';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { analyzeImageArchive } from './analyze';
import { BerthError } from '../../../preload/errors';

describe('hostile corpus: analysis', () => {
  let base = '';
  let cases: ImageCase[] = [];

  beforeAll(async () => {
    base = makeTmp('berth-acorpus-');
    const outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    cases = (await buildCorpus(path.join(base, 'corpus'), { outside })).filter(
      (c): c is ImageCase => c.kind === 'image',
    );
  });
  afterAll(() => rmrf(base));

  it('rejects every image case with its code, naming the blob or entry', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
    const results: string[] = [];
    for (const c of cases) {
      let error: unknown;
      try {
        await analyzeImageArchive(c.file);
      } catch (err) {
        error = err;
      }
      expect(error, `${c.name}: expected ${c.expect.reject}`).toBeInstanceOf(BerthError);
      const e = error as BerthError;
      expect(e.code, `${c.name}: ${e.message}`).toBe(c.expect.reject);
      if (c.expect.entry !== undefined) expect(e.details?.['entry'], `${c.name}: names the entry`).toBe(c.expect.entry);
      results.push(`${c.name}: rejected ${e.code} (${String(e.details?.['entry'] ?? '')})`);
    }
    console.log(results.join('\n'));
  });
});
