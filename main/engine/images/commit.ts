/**
 * `berth commit`: a container's upper dir becomes a new layer on top of its
 * image. Overlay whiteouts (0:0 character devices) become OCI `.wh.<name>`
 * files and opaque dirs (trusted.overlay.opaque=y) a `.wh..wh..opq` member;
 * a --userns container's ids are shifted back. The layer is stored
 * uncompressed (its digest is its diffID); the config is the image's with
 * the container's run options (command, entrypoint, env, workdir, user,
 * labels) and the -c changes applied, plus a history entry; the manifest is
 * OCI. It enters the store as a pulled image does (addPulled: verified,
 * unpacked, tagged), so it runs, saves and pushes like any other.
 */
import { regularFileEntry } from '../oci/tar/file-entry';
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerCreateT } from '../../../preload/schemas/containers';
import { sha256 } from '../oci/digest';
import { MediaTypes, type ContainerConfig, type Descriptor, type ImageConfig } from '../oci/oci-types';
import { tarChunks, type TarWriteEntry } from '../oci/tar/writer';
import { OPAQUE_MARKER, OVERLAY_OPAQUE_XATTR, WHITEOUT_PREFIX } from '../oci/whiteout';
import type { GetXattr } from '../storage/overlay-diff';
import type { IdRange } from '../userns/ranges';
import { applyChange } from './commit-changes';
import type { CommittedImage, ImageStore } from './store/store';

export interface CommitInput {
  store: ImageStore;
  upperDir: string;
  /** The container's image (its ID). */
  imageId: string;
  /** The container's create request: its run options become the new image's defaults, as docker does. */
  run: ContainerCreateT;
  idRange: IdRange | null;
  getXattr: GetXattr;
  author?: string;
  message?: string;
  changes?: readonly string[];
  /** REPO[:TAG]; none: an untagged image. */
  tag?: string;
  /** The history entry's created_by. */
  createdBy: string;
}

function unshift(id: number, base: number | undefined, range: IdRange | null): number {
  if (!range || base === undefined) return id;
  return id >= base && id < base + range.size ? id - base : id;
}

/** The upper dir as OCI layer members, sorted, parents first. */
export async function* upperEntries(
  upperDir: string,
  getXattr: GetXattr,
  range: IdRange | null,
): AsyncGenerator<TarWriteEntry> {
  const links = new Map<string, string>();
  async function* walk(relDir: string): AsyncGenerator<TarWriteEntry> {
    for (const name of (await fs.promises.readdir(path.join(upperDir, relDir))).sort()) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(upperDir, rel);
      const st = await fs.promises.lstat(abs);
      const base = {
        path: rel,
        mode: st.mode & 0o7777,
        uid: unshift(st.uid, range?.uid, range),
        gid: unshift(st.gid, range?.gid, range),
        mtime: Math.floor(st.mtimeMs / 1000),
      };
      if (st.isCharacterDevice() && st.rdev === 0) {
        // An overlay whiteout: the OCI form is an empty file named .wh.<name>.
        yield {
          path: relDir === '' ? `${WHITEOUT_PREFIX}${name}` : `${relDir}/${WHITEOUT_PREFIX}${name}`,
          mode: 0,
          body: '',
        };
      } else if (st.isDirectory()) {
        yield { ...base, type: 'dir' };
        if (getXattr(abs, OVERLAY_OPAQUE_XATTR)?.toString() === 'y')
          yield { path: `${rel}/${OPAQUE_MARKER}`, mode: 0, body: '' };
        yield* walk(rel);
      } else if (st.isSymbolicLink()) {
        yield { ...base, type: 'symlink', linkname: await fs.promises.readlink(abs) };
      } else if (st.isFile()) {
        yield regularFileEntry(st, abs, base, links);
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const rdev = BigInt(st.rdev);
        yield {
          ...base,
          type: st.isCharacterDevice() ? 'char' : 'block',
          devmajor: Number((rdev >> 8n) & 0xfffn),
          devminor: Number((rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n)),
        };
      } else if (st.isFIFO()) {
        yield { ...base, type: 'fifo' };
      }
    }
  }
  yield* walk('');
}

/** docker's rules for a container's run options over its image's defaults. */
function runDefaults(config: ContainerConfig, run: ContainerCreateT): ContainerConfig {
  const c: ContainerConfig = { ...config };
  if (run.entrypoint !== undefined) {
    c.Entrypoint = run.entrypoint;
    c.Cmd = run.command ?? null; // --entrypoint resets the image's Cmd
  } else if (run.command !== undefined && run.command.length > 0) c.Cmd = run.command;
  if (run.env.length > 0) {
    const env = [...(c.Env ?? [])];
    for (const e of run.env) {
      const k = e.split('=')[0];
      const i = env.findIndex((x) => x.split('=')[0] === k);
      if (i >= 0) env[i] = e;
      else env.push(e);
    }
    c.Env = env;
  }
  if (run.workdir) c.WorkingDir = run.workdir;
  if (run.user) c.User = run.user;
  if (Object.keys(run.labels).length > 0) c.Labels = { ...(c.Labels ?? {}), ...run.labels };
  return c;
}

const OCI_LAYER_TYPE: Record<string, string> = {
  [MediaTypes.dockerLayerGzip]: MediaTypes.ociLayerGzip,
  'application/vnd.docker.image.rootfs.diff.tar': MediaTypes.ociLayer,
};

export async function commitContainer(i: CommitInput): Promise<CommittedImage> {
  const base = await i.store.resolve(i.imageId);
  // Each changed config must parse before any byte is written.
  const cfg: ContainerConfig = runDefaults(base.config.config ?? {}, i.run);
  for (const ch of i.changes ?? []) applyChange(cfg, ch);

  const layer = await i.store.blobs.write(tarChunks(upperEntries(i.upperDir, i.getXattr, i.idRange)));
  try {
    const created = new Date().toISOString();
    const config: ImageConfig = {
      ...structuredClone(base.config),
      created,
      config: cfg,
      rootfs: { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, layer.digest] },
      history: [
        ...(base.config.history ?? []),
        {
          created,
          created_by: i.createdBy,
          ...(i.author ? { author: i.author } : {}),
          ...(i.message ? { comment: i.message } : {}),
        },
      ],
    };
    if (i.author) config.author = i.author;
    else delete config.author;
    const configBytes = Buffer.from(JSON.stringify(config));
    const layers: Descriptor[] = [
      ...base.manifest.layers.map((l) => ({ ...l, mediaType: OCI_LAYER_TYPE[l.mediaType] ?? l.mediaType })),
      { mediaType: MediaTypes.ociLayer, digest: layer.digest, size: layer.size },
    ];
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: sha256(configBytes), size: configBytes.length },
      layers,
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    return await i.store.addPulled({
      ...(i.tag ? { repoTag: i.tag } : {}),
      manifestBytes,
      manifestDigest: sha256(manifestBytes),
      configBytes,
      layers,
    });
  } finally {
    i.store.blobs.unpin(layer.digest);
  }
}
