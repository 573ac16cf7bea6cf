/**
 * The helper's build feature: context sessions (a tar main streams in,
 * tied to the connection that began it), and `build.start`, which unpacks
 * the context into a private dir under the build cache (or takes the one kept
 * from the last build of the same bytes, kept-contexts.ts), runs the builder
 * with RUN steps in the containers engine, and announces progress.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../../preload/errors';
import { appendChunk, newChunkSession, type ChunkSession } from '../../../shared/chunked-file';
import { Builder } from '../../../engine/build/builder';
import { cachePaths } from '../../../engine/build/cache';
import { ContainerStepRunner } from '../../../engine/build/run-step';
import { extractLayer } from '../../../engine/images/extract';
import type { BuildOptionsT } from '../../../../preload/schemas/build';
import type { Result } from '../../../../preload/contract';
import type { HandlersFor, HelperServices } from '../handlers';
import type { RpcConnection } from '../rpc-server';
import { engineFor } from './containers';
import { KeptContexts, fileSha256, type ContextLease } from './kept-contexts';
import { pullIntoStore } from './registry';

type BuildMethod = 'build.context.begin' | 'build.context.chunk' | 'build.context.abort' | 'build.start';

/** At most this many contexts at once (per helper): sessions and inline ones being built. */
const MAX_CONTEXTS = 8;
const IDLE_MS = 10 * 60 * 1000;
/**
 * A context tar up to this size is unpacked into a directory kept for the
 * next build of the same bytes (kept-contexts.ts); at most KEPT of them.
 * Larger ones are unpacked for their build alone and removed after it.
 */
const KEEP_BYTES = 8 * 1024 * 1024;
const KEPT = 4;

interface ContextSession extends ChunkSession {
  size: number;
  owner: RpcConnection;
}

/**
 * Contexts (tars and unpacked dirs) a previous helper left: no session of
 * this helper exists yet, so every entry there is stale. Listed now, removed
 * in the background; new sessions get new random names.
 */
export async function removeLeftContexts(contextsDir: string, log: (msg: string) => void): Promise<void> {
  let names: string[];
  try {
    names = fs.readdirSync(contextsDir);
  } catch {
    return; // no contexts dir yet
  }
  await Promise.all(
    names.map((n) =>
      fs.promises
        .rm(path.join(contextsDir, n), { recursive: true, force: true })
        .catch((err: unknown) => log(`build: could not remove ${n}: ${(err as Error).message}`)),
    ),
  );
}

/** A directory for one build's context, removed (in the background) when the build releases it. */
function ownDirIn(contextsDir: string, log: (msg: string) => void) {
  return async (unpack: (dir: string) => Promise<void>): Promise<ContextLease> => {
    const dir = path.join(contextsDir, `${crypto.randomBytes(16).toString('hex')}.d`);
    const remove = (): void =>
      void fs.promises
        .rm(dir, { recursive: true, force: true })
        .catch((err: unknown) => log(`build: could not remove ${dir}: ${(err as Error).message}`));
    try {
      await unpack(dir);
    } catch (err) {
      remove();
      throw err;
    }
    return { dir, release: remove };
  };
}

export function buildHandlers(s: HelperServices): HandlersFor<BuildMethod> {
  const sessions = new Map<string, ContextSession>();
  /** Builds of an inline context (build.start with contextTar) running now: each holds its bytes. */
  let inlineBuilds = 0;
  const admit = (): void => {
    if (sessions.size + inlineBuilds >= MAX_CONTEXTS)
      throw new BerthError('BUILD_BUSY', `at most ${MAX_CONTEXTS} build contexts at once`);
  };
  const dirs = cachePaths(s.facts.dataRoot);
  void removeLeftContexts(dirs.contexts, s.log);
  const kept = new KeptContexts(dirs.contexts, KEPT, s.log);
  const ownDir = ownDirIn(dirs.contexts, s.log);

  const drop = async (c: ContextSession): Promise<void> => {
    sessions.delete(c.id);
    await c.fh.close().catch(() => undefined);
    await fs.promises.rm(c.file, { force: true });
  };
  const sweep = setInterval(() => {
    for (const c of sessions.values()) if (!c.busy && Date.now() - c.lastActivity > IDLE_MS) void drop(c);
  }, 60_000);
  sweep.unref();

  const session = (id: string, conn: RpcConnection): ContextSession => {
    const c = sessions.get(id);
    if (!c || c.owner !== conn)
      throw new BerthError('BUILD_CONTEXT_NOT_FOUND', `no build context ${id}`, { contextId: id });
    return c;
  };

  /**
   * Builds from a leased context directory and releases it once the build has
   * ended: a context's own directory is removed after the answer, not before it
   * (nothing reads it then, and its removal was most of a warm build's last
   * 30 ms). One left by a helper that died is removed at the next start
   * (removeLeftContexts).
   */
  const runBuild = async (
    engine: Awaited<ReturnType<typeof engineFor>>,
    lease: ContextLease,
    p: { containerfile: string; file: string; options: BuildOptionsT; buildId: string },
  ): Promise<Result<'build.start'>> => {
    try {
      const builder = new Builder({
        dataRoot: s.facts.dataRoot,
        store: engine.images,
        runner: new ContainerStepRunner({ manager: engine.manager, dataRoot: s.facts.dataRoot }),
        contextDir: lease.dir,
        ...(lease.digests ? { contextDigests: lease.digests } : {}),
        containerfile: p.containerfile,
        fileName: p.file,
        options: p.options,
        buildId: p.buildId,
        emit: (e) => s.emit('build.progress', e),
        pull: async (ref) => {
          await pullIntoStore(s, ref);
        },
      });
      try {
        const out = await builder.build();
        s.emit('images.changed', { reason: 'load', ids: [out.imageId] });
        return { buildId: p.buildId, ...out };
      } catch (err) {
        s.emit('build.progress', {
          buildId: p.buildId,
          kind: 'error',
          step: 0,
          steps: 0,
          stage: '',
          instruction: '',
          message: err instanceof Error ? err.message : String(err),
        });
        throw err;
      }
    } finally {
      lease.release();
    }
  };

  return {
    'build.context.begin': async (p, ctx) => {
      admit();
      await fs.promises.mkdir(dirs.contexts, { recursive: true, mode: 0o700 });
      const id = crypto.randomBytes(16).toString('hex');
      const file = path.join(dirs.contexts, `${id}.tar`);
      const fh = await fs.promises.open(file, 'wx', 0o600);
      const c: ContextSession = { ...newChunkSession(id, file, fh, p.size), owner: ctx.conn };
      sessions.set(id, c);
      ctx.conn.onClose(() => {
        if (!c.busy) void drop(c);
      });
      return { contextId: id };
    },
    'build.context.chunk': async (p, ctx) => {
      const c = session(p.contextId, ctx.conn);
      return c.lock.run(async () => {
        if (c.busy) throw new BerthError('INGEST_BUSY', `build context ${c.id} is in use`);
        c.lastActivity = Date.now();
        return { received: await appendChunk(c, p.offset, Buffer.from(p.data, 'base64'), 'INGEST') };
      });
    },
    'build.context.abort': async (p, ctx) => {
      const c = session(p.contextId, ctx.conn);
      if (!c.busy) await drop(c);
      return {};
    },
    'build.start': async (p, ctx) => {
      const engine = await engineFor(s);
      const unpackFrom =
        (source: () => AsyncIterable<Uint8Array>, size: number) =>
        async (dir: string): Promise<void> => {
          // An inline context made no session, which is what made the contexts dir so far.
          await fs.promises.mkdir(dirs.contexts, { recursive: true, mode: 0o700 });
          try {
            await extractLayer(source(), dir, {
              native: engine.images.createNativeOps(),
              allowFifos: false,
              sourceSize: size,
            });
          } catch (err) {
            throw new BerthError(
              'BUILD_CONTEXT_INVALID',
              `the build context does not read as a tar: ${(err as Error).message}`,
              {},
              { cause: err },
            );
          }
        };
      if (p.contextTar !== undefined) {
        // Inline: the bytes are here, hashed in memory; a tar is written nowhere, only unpacked when
        // no kept directory has these bytes.
        admit();
        inlineBuilds++;
        try {
          const tar = Buffer.from(p.contextTar, 'base64');
          const digest = crypto.createHash('sha256').update(tar).digest('hex');
          const lease = await kept.acquire(
            digest,
            unpackFrom(async function* () {
              yield tar;
            }, tar.length),
          );
          return await runBuild(engine, lease, p);
        } finally {
          inlineBuilds--;
        }
      }
      if (p.contextId === undefined) throw new BerthError('BAD_PARAMS', 'build.start: a contextId or a contextTar');
      const c = session(p.contextId, ctx.conn);
      if (c.busy) throw new BerthError('INGEST_BUSY', `build context ${c.id} is in use`);
      c.busy = true;
      let lease: ContextLease | null = null;
      try {
        await c.lock.run(async () => undefined);
        if (c.received !== c.size) {
          throw new BerthError('INGEST_INCOMPLETE', `build context has ${c.received} of ${c.size} bytes`, {
            received: c.received,
            size: c.size,
          });
        }
        await c.fh.close();
        const unpack = unpackFrom(() => fs.createReadStream(c.file, { highWaterMark: 256 * 1024 }), c.size);
        lease = c.size <= KEEP_BYTES ? await kept.acquire(await fileSha256(c.file), unpack) : await ownDir(unpack);
        await fs.promises.rm(c.file, { force: true });
        const leased = lease;
        lease = null; // runBuild releases it from here on
        return await runBuild(engine, leased, p);
      } finally {
        sessions.delete(c.id);
        await c.fh.close().catch(() => undefined);
        await fs.promises.rm(c.file, { force: true });
        // Only when the build never began (runBuild releases its lease).
        lease?.release();
      }
    },
  };
}
