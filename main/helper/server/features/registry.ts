/**
 * images.pull / images.push: the registry client against the shared store,
 * with credentials read from the owner's (not root's) auth files.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { BerthError } from '../../../../preload/errors';
import { familiarize } from '../../../engine/images/reference';
import { credentialFileOptionsFromEnv } from '../../../engine/images/registry/credentials';
import { pullImage, type PullOptions } from '../../../engine/images/registry/pull';
import { pushImage } from '../../../engine/images/registry/push';
import { sharedImageStore } from '../../../engine/images/store/index';
import type { HandlersFor, HelperServices } from '../handlers';

/** The owner's home directory from /etc/passwd (pkexec scrubs HOME). */
export function homeOf(uid: number, passwd = '/etc/passwd'): string {
  for (const line of fs.readFileSync(passwd, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f.length >= 7 && Number(f[2]) === uid) return f[5]!;
  }
  return uid === 0 ? '/root' : '/nonexistent';
}

/** The owner's credential files (never root's): what a pull authenticates with. */
function credentialFiles(s: HelperServices) {
  const uid = s.facts.ownerUid;
  return {
    ...credentialFileOptionsFromEnv(s.facts.startedVia === 'direct' ? process.env : {}, homeOf(uid), uid),
    runtimeDir:
      process.env.XDG_RUNTIME_DIR && s.facts.startedVia === 'direct' ? process.env.XDG_RUNTIME_DIR : `/run/user/${uid}`,
  };
}

/**
 * Pulls `ref` into the shared store with the owner's credentials: `images.pull`
 * and a build's FROM (engine/build, `--pull`) go through this one path.
 */
export async function pullIntoStore(
  s: HelperServices,
  ref: string,
  opts: { platform?: string; onProgress?: PullOptions['onProgress'] } = {},
) {
  const st = await sharedImageStore({ dataRoot: s.facts.dataRoot, log: s.log, limits: s.settings.archive });
  const pulled = await pullImage(ref, st.blobs, {
    ...(opts.platform ? { platform: opts.platform } : {}),
    auth: { files: credentialFiles(s) },
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const done = await st.addPulled({
    ...(pulled.repoTag ? { repoTag: pulled.repoTag } : {}),
    manifestBytes: pulled.manifestBytes,
    manifestDigest: pulled.manifestDigest,
    configBytes: pulled.configBytes,
    layers: pulled.layers,
  });
  s.emit('images.changed', { reason: 'pull', ids: [done.id] });
  return { pulled, done };
}

export function registryHandlers(s: HelperServices): HandlersFor<'images.pull' | 'images.push'> {
  const files = () => credentialFiles(s);
  const store = () => sharedImageStore({ dataRoot: s.facts.dataRoot, log: s.log, limits: s.settings.archive });

  return {
    'images.pull': async (p) => {
      const opId = p.opId ?? randomBytes(8).toString('hex');
      const progress = (e: Omit<Parameters<typeof s.emit<'images.pullProgress'>>[1], 'opId' | 'ref'>) =>
        s.emit('images.pullProgress', { opId, ref: p.ref, ...e });
      progress({ phase: 'resolving', current: 0, total: 0 });
      try {
        const { pulled, done } = await pullIntoStore(s, p.ref, {
          ...(p.platform ? { platform: p.platform } : {}),
          onProgress: (e) => {
            progress({ layer: e.layer, phase: e.phase, current: e.current, total: e.total });
          },
        });
        progress({ phase: 'done', current: pulled.layers.length, total: pulled.layers.length });
        const plat = pulled.platform;
        return {
          opId,
          id: done.id,
          manifestDigest: done.manifestDigest,
          repoDigest: pulled.repoDigest,
          tags: done.tags.map(familiarize),
          layers: done.layers,
          platform: `${plat.os}/${plat.architecture}${plat.variant ? '/' + plat.variant : ''}`,
          warnings: pulled.warnings,
        };
      } catch (err) {
        progress({ phase: 'error', current: 0, total: 0, message: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    },
    'images.push': async (p) => {
      const opId = p.opId ?? randomBytes(8).toString('hex');
      const st = await store();
      const img = await st.resolve(p.ref);
      const manifestBytes = await st.blobs.read(img.manifestDigest);
      if (!img.manifestDescriptor.mediaType)
        throw new BerthError('MANIFEST_INVALID', 'stored manifest has no media type');
      const r = await pushImage(
        p.ref,
        st.blobs,
        {
          manifestBytes,
          manifestMediaType: img.manifestDescriptor.mediaType,
          configDescriptor: img.manifest.config,
          layers: img.manifest.layers,
        },
        {
          auth: { files: files() },
          onProgress: (e) =>
            s.emit('images.pullProgress', {
              opId,
              ref: p.ref,
              layer: e.blob,
              phase: e.phase,
              current: e.current,
              total: e.total,
            }),
        },
      );
      s.emit('images.pullProgress', { opId, ref: p.ref, phase: 'done', current: 1, total: 1 });
      return {
        opId,
        manifestDigest: r.manifestDigest,
        repoDigest: r.repoDigest,
        uploaded: r.uploaded.length,
        existing: r.existing.length + r.mounted.length,
      };
    },
  };
}
