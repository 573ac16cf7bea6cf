/**
 * The helper's images feature: the store under the helper's data root
 * (opened lazily, shared with the registry client through
 * sharedImageStore), archive ingest/export sessions tied to the connection
 * that began them, and the `images.changed` / `images.progress` events.
 */
import { packAnalysis } from '../../../../preload/schemas/changes-wire';
import { digestHex } from '../../../engine/oci/digest';
import { familiarize } from '../../../engine/images/reference';
import type { LoadedImage } from '../../../engine/images/load';
import { analyzeStoredImage } from '../../../engine/images/store/analyze';
import { readStoredImageFile } from '../../../engine/images/store/read-file';
import { layerFileToWire } from '../../../engine/layers/file-read';
import { imageHistory, inspectImage, listImages } from '../../../engine/images/store/describe';
import { sharedImageStore, type ImageStore } from '../../../engine/images/store/index';
import { TransferManager } from '../../../engine/images/transfer';
import type { HandlersFor, HelperServices } from '../handlers';
import type { RpcConnection } from '../rpc-server';

type ImagesMethod =
  | 'images.list'
  | 'images.inspect'
  | 'images.remove'
  | 'images.tag'
  | 'images.history'
  | 'images.lowerDirs'
  | 'layers.analyzeImage'
  | 'layers.readImageFile'
  | 'images.ingest.begin'
  | 'images.ingest.chunk'
  | 'images.ingest.commit'
  | 'images.ingest.abort'
  | 'images.export.begin'
  | 'images.export.read'
  | 'images.export.abort';

export function toLoadedResult(images: LoadedImage[]): Array<{
  id: string;
  digest: string;
  repoTags: string[];
  names: string[];
  layers: number;
  format: LoadedImage['format'];
}> {
  return images.map((i) => ({
    id: i.id,
    digest: i.manifestDigest,
    repoTags: i.repoTags.map(familiarize),
    names: i.repoTags,
    layers: i.layers,
    format: i.format,
  }));
}

export function imagesHandlers(s: HelperServices): HandlersFor<ImagesMethod> {
  let ready: Promise<{ store: ImageStore; transfers: TransferManager }> | undefined;
  const get = (): Promise<{ store: ImageStore; transfers: TransferManager }> => {
    ready ??= (async () => {
      const store = await sharedImageStore({ dataRoot: s.facts.dataRoot, log: s.log, limits: s.settings.archive });
      const transfers = new TransferManager(store, { log: s.log });
      transfers.startSweeper();
      return { store, transfers };
    })();
    ready.catch(() => (ready = undefined));
    return ready;
  };

  // Sessions die with the connection that began them.
  const hooked = new WeakSet<RpcConnection>();
  const owner = async (conn: RpcConnection): Promise<RpcConnection> => {
    if (!hooked.has(conn)) {
      hooked.add(conn);
      const { transfers } = await get();
      conn.onClose(() => void transfers.releaseOwner(conn));
    }
    return conn;
  };

  const changed = (reason: 'load' | 'remove' | 'tag', ids: string[]): void => {
    s.emit('images.changed', { reason, ids });
  };

  return {
    'images.list': async (p) => listImages((await get()).store, p.filter ?? {}),
    'images.inspect': async (p) => inspectImage((await get()).store, p.ref),
    'images.remove': async (p) => {
      const r = await (await get()).store.remove(p.ref, p.force === undefined ? {} : { force: p.force });
      changed('remove', r.deleted);
      return { untagged: r.untagged.map(familiarize), deleted: r.deleted };
    },
    'images.tag': async (p) => {
      const r = await (await get()).store.tag(p.source, p.target);
      changed('tag', [r.id]);
      return { id: r.id, tag: familiarize(r.tag) };
    },
    'images.history': async (p) => imageHistory((await get()).store, p.ref),
    'images.lowerDirs': async (p) => {
      const { store } = await get();
      const img = await store.resolve(p.ref);
      return { id: img.id, lowerDirs: store.lowerDirsOf(img) };
    },
    'layers.analyzeImage': async (p) => packAnalysis(await analyzeStoredImage((await get()).store, p.ref)),
    'layers.readImageFile': async (p) =>
      layerFileToWire(
        await readStoredImageFile((await get()).store, p.ref, p.layer, p.path, {
          ...(p.maxBytes === undefined ? {} : { maxBytes: p.maxBytes }),
        }),
      ),

    'images.ingest.begin': async (p, ctx) => {
      const { transfers } = await get();
      const args: { size?: number; opId?: string } = {};
      if (p.size !== undefined) args.size = p.size;
      if (p.opId !== undefined) args.opId = p.opId;
      return transfers.beginIngest(args, await owner(ctx.conn));
    },
    'images.ingest.chunk': async (p, ctx) => {
      // transfers.chunk refuses more than the contract's 4 MiB (CHUNK_TOO_LARGE).
      return (await get()).transfers.chunk(p.ingestId, p.offset, Buffer.from(p.data, 'base64'), ctx.conn);
    },
    'images.ingest.commit': async (p, ctx) => {
      const { transfers } = await get();
      const opId = transfers.opIdOf(p.ingestId) ?? p.ingestId;
      try {
        const r = await transfers.commitIngest(p.ingestId, ctx.conn, {
          onProgress: (pr) => s.emit('images.progress', { opId, ...pr }),
        });
        const images = toLoadedResult(r.images);
        s.emit('images.progress', {
          opId,
          phase: 'done',
          current: images.length,
          total: images.length,
          message: `loaded ${images.length} image${images.length === 1 ? '' : 's'}`,
        });
        changed(
          'load',
          images.map((i) => i.id),
        );
        s.log(`images: loaded ${images.map((i) => `${digestHex(i.id).slice(0, 12)} ${i.names.join(',')}`).join('; ')}`);
        return { opId, images };
      } catch (err) {
        s.emit('images.progress', {
          opId,
          phase: 'error',
          current: 0,
          total: 0,
          message: err instanceof Error ? err.message : String(err),
        });
        throw err;
      }
    },
    'images.ingest.abort': async (p, ctx) => {
      await (await get()).transfers.abortIngest(p.ingestId, ctx.conn);
      return {};
    },
    'images.export.begin': async (p, ctx) => {
      const r = await (await get()).transfers.beginExport(p.refs, await owner(ctx.conn));
      return { ...r, images: r.images.map((i) => ({ id: i.id, repoTags: i.repoTags.map(familiarize) })) };
    },
    'images.export.read': async (p, ctx) => {
      const r = await (await get()).transfers.readExport(p.exportId, p.offset, p.length, ctx.conn);
      return { data: r.data.toString('base64'), eof: r.eof };
    },
    'images.export.abort': async (p, ctx) => {
      await (await get()).transfers.abortExport(p.exportId, ctx.conn);
      return {};
    },
  };
}
