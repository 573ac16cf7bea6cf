import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from './store/store';
import { saveToFile } from './save';
import { MAX_CHUNK, TransferManager } from './transfer';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { dockerSaveParts, writeArchive } from '../../testing/oci/image-archive';
import { smallLayer } from '../../testing/store-helpers';

const isRoot = process.getuid?.() === 0;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'no error';
}

describe.runIf(isRoot)('ingest and export sessions (root)', () => {
  let tmp = '';
  let archive = '';
  let store: ImageStore;
  beforeAll(async () => {
    tmp = makeTmp('berth-transfer-');
    archive = path.join(tmp, 'img.tar');
    await writeArchive(archive, dockerSaveParts([await smallLayer('t', 'gzip')], { tag: 'xfer:1' }).members);
    store = await ImageStore.open({ dataRoot: path.join(tmp, 'data') });
  });
  afterAll(() => rmrf(tmp));

  it('an archive announced larger than the free space (less the margin) is NO_SPACE before a byte is written', async () => {
    const t = new TransferManager(store);
    const before = fs.readdirSync(store.ingestDir);
    expect(await codeOf(t.beginIngest({ size: Number.MAX_SAFE_INTEGER }, {}))).toBe('NO_SPACE');
    expect(fs.readdirSync(store.ingestDir)).toEqual(before);
  });

  it('appends contiguous chunks only, then loads; the upload file is gone afterwards', async () => {
    const t = new TransferManager(store);
    const data = fs.readFileSync(archive);
    const me = {};
    const { ingestId } = await t.beginIngest({ size: data.length, opId: 'op-1' }, me);
    const file = path.join(store.ingestDir, `upload-${ingestId}.tar`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const half = Math.floor(data.length / 2);
    expect(await t.chunk(ingestId, 0, data.subarray(0, half), me)).toEqual({ received: half });
    // A gap, a replay and an overlap are all INGEST_OFFSET; nothing is written.
    expect(await codeOf(t.chunk(ingestId, half + 1, data.subarray(half + 1), me))).toBe('INGEST_OFFSET');
    expect(await codeOf(t.chunk(ingestId, 0, data.subarray(0, half), me))).toBe('INGEST_OFFSET');
    expect(await codeOf(t.chunk(ingestId, half - 1, data.subarray(half - 1), me))).toBe('INGEST_OFFSET');
    expect(fs.statSync(file).size).toBe(half);
    // Another connection cannot use this ingest.
    expect(await codeOf(t.chunk(ingestId, half, data.subarray(half), {}))).toBe('INGEST_NOT_FOUND');
    expect(await codeOf(t.commitIngest(ingestId, me))).toBe('INGEST_INCOMPLETE');
    expect(fs.existsSync(file)).toBe(false); // a failed commit consumes the ingest
    expect(await codeOf(t.chunk(ingestId, half, data.subarray(half), me))).toBe('INGEST_NOT_FOUND');

    const again = await t.beginIngest({ size: data.length }, me);
    await t.chunk(again.ingestId, 0, data.subarray(0, half), me);
    await t.chunk(again.ingestId, half, data.subarray(half), me);
    expect(await codeOf(t.chunk(again.ingestId, data.length, Buffer.from('x'), me))).toBe('INGEST_TOO_LARGE');
    expect(await codeOf(t.chunk(again.ingestId, data.length, Buffer.alloc(MAX_CHUNK + 1), me))).toBe('CHUNK_TOO_LARGE');
    const phases: string[] = [];
    const r = await t.commitIngest(again.ingestId, me, { onProgress: (p) => phases.push(p.phase) });
    expect(r.images.map((i) => i.repoTags)).toEqual([['docker.io/library/xfer:1']]);
    expect(r.opId).toBe(again.ingestId);
    expect(phases).toContain('unpack');
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
    await t.close();
  });

  it('removes stale and aborted ingests, and those of a closed connection', async () => {
    const t = new TransferManager(store, { staleAfterMs: 50 });
    const conn = {};
    const a = await t.beginIngest({}, conn);
    const b = await t.beginIngest({}, conn);
    const c = await t.beginIngest({}, {});
    await t.chunk(a.ingestId, 0, Buffer.from('abc'), conn);
    await t.abortIngest(b.ingestId, conn);
    expect(t.sessions.ingests).toBe(2);
    await t.releaseOwner(conn);
    expect(t.sessions.ingests).toBe(1);
    expect(await t.sweep(Date.now() + 60)).toBe(1);
    expect(t.sessions.ingests).toBe(0);
    expect(await codeOf(t.chunk(c.ingestId, 0, Buffer.from('x')))).toBe('INGEST_NOT_FOUND');
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('exports sequentially with the exact size, the same bytes saveToFile writes', async () => {
    const t = new TransferManager(store);
    const me = {};
    const { exportId, size, images } = await t.beginExport(['xfer:1'], me);
    expect(images).toHaveLength(1);
    const parts: Buffer[] = [];
    let offset = 0;
    expect(await codeOf(t.readExport(exportId, 5, 100, me))).toBe('EXPORT_OFFSET');
    expect(await codeOf(t.readExport(exportId, 0, 100, {}))).toBe('EXPORT_NOT_FOUND');
    for (;;) {
      const r = await t.readExport(exportId, offset, 3000, me);
      parts.push(r.data);
      offset += r.data.length;
      if (r.eof) break;
      expect(r.data.length).toBe(3000);
    }
    expect(offset).toBe(size);
    const file = path.join(tmp, 'direct.tar');
    await saveToFile(store, ['xfer:1'], file);
    expect(Buffer.concat(parts).equals(fs.readFileSync(file))).toBe(true);
    expect(await codeOf(t.readExport(exportId, offset, 10, me))).toBe('EXPORT_NOT_FOUND'); // done
    const other = await t.beginExport(['xfer:1'], me);
    await t.abortExport(other.exportId, me);
    expect(t.sessions.exports).toBe(0);
    expect(await codeOf(t.beginExport(['nope:1'], me))).toBe('IMAGE_NOT_FOUND');
  });
});
