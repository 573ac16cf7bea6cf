/**
 * The helper's cp feature: containers.cp.* on the container's filesystem
 * (engine/containers/copy). Transfers belong to the connection that began
 * them and die with it.
 */
import { BerthError } from '../../../../preload/errors';
import type { HandlersFor, HelperServices } from '../handlers';
import type { RpcConnection } from '../rpc-server';
import { engineFor } from './containers';
import { openContainerFs } from '../../../engine/containers/copy/container-fs';
import { parseContainerPath } from '../../../engine/containers/copy/cp-path';
import { listInRoot, rawFromRoot, statInRoot, tarFromRoot } from '../../../engine/containers/copy/tar-out';
import { CopyTransfers } from '../../../engine/containers/copy/transfers';
import { MAX_LIST_ENTRIES } from '../../../../preload/schemas/copy';

type CopyMethod =
  | 'containers.cp.stat'
  | 'containers.cp.list'
  | 'containers.cp.readBegin'
  | 'containers.cp.read'
  | 'containers.cp.writeBegin'
  | 'containers.cp.write'
  | 'containers.cp.writeEnd'
  | 'containers.cp.abort';

export function copyHandlers(s: HelperServices): HandlersFor<CopyMethod> {
  const transfers = new CopyTransfers(s.settings.sessions.idleMs);
  const hooked = new WeakSet<RpcConnection>();
  const owner = (conn: RpcConnection): RpcConnection => {
    if (!hooked.has(conn)) {
      hooked.add(conn);
      conn.onClose(() => transfers.releaseOwner(conn));
    }
    return conn;
  };
  /** The container's fs for one short call, released whatever happens. */
  const withFs = async <T>(id: string, fn: (f: Awaited<ReturnType<typeof openContainerFs>>) => T): Promise<T> => {
    const f = await openContainerFs((await engineFor(s)).manager, id);
    try {
      return fn(f);
    } finally {
      f.release();
    }
  };
  const workdir = (f: Awaited<ReturnType<typeof openContainerFs>>): string => f.record.process.cwd || '/';

  return {
    'containers.cp.stat': async (p) =>
      withFs(p.id, (f) => statInRoot(f.rootFd, parseContainerPath(p.path, workdir(f)), f.idRange)),
    'containers.cp.list': async (p) =>
      withFs(p.id, (f) => {
        const cp = parseContainerPath(p.path, workdir(f));
        return { path: cp.full, ...listInRoot(f.rootFd, cp, f.idRange, MAX_LIST_ENTRIES) };
      }),
    'containers.cp.readBegin': async (p, ctx) => {
      const f = await openContainerFs((await engineFor(s)).manager, p.id);
      try {
        const cp = parseContainerPath(p.path, workdir(f));
        const stat = statInRoot(f.rootFd, cp, f.idRange);
        if (p.format === 'raw') {
          const raw = rawFromRoot(f.rootFd, cp);
          return { transferId: transfers.beginRead(f, raw.body, owner(ctx.conn)), stat, size: raw.size };
        }
        const gen = tarFromRoot(f.rootFd, cp, f.idRange, p.name);
        return { transferId: transfers.beginRead(f, gen, owner(ctx.conn)), stat, size: null };
      } catch (err) {
        f.release();
        throw err;
      }
    },
    'containers.cp.read': async (p, ctx) => {
      const r = await transfers.read(p.transferId, p.offset, p.length, ctx.conn);
      return { data: r.data.toString('base64'), eof: r.eof };
    },
    'containers.cp.writeBegin': async (p, ctx) => {
      const f = await openContainerFs((await engineFor(s)).manager, p.id);
      try {
        // Its detached overlay has no id-mapped lowers: a copy-up there would give
        // the container files owned by unshifted host ids.
        if (!f.live && f.idRange) {
          throw new BerthError(
            'CONTAINER_NOT_RUNNING',
            `${f.record.name} runs in a user namespace: start it to copy files into it`,
            { id: f.record.id },
          );
        }
        const cp = parseContainerPath(p.path, workdir(f));
        const transferId = transfers.beginWrite(
          f,
          cp.full,
          { archive: p.archive ?? false, idRange: f.idRange, ...(p.rename ? { rename: p.rename } : {}) },
          owner(ctx.conn),
        );
        return { transferId };
      } catch (err) {
        f.release();
        throw err;
      }
    },
    'containers.cp.write': async (p, ctx) => ({
      received: await transfers.write(p.transferId, p.offset, Buffer.from(p.data, 'base64'), ctx.conn),
    }),
    'containers.cp.writeEnd': async (p, ctx) => transfers.finish(p.transferId, ctx.conn),
    'containers.cp.abort': async (p, ctx) => {
      transfers.abort(p.transferId, ctx.conn);
      return {};
    },
  };
}
