/**
 * A container's mounts beyond its rootfs: the `--mount` list (named and
 * anonymous volumes, binds, tmpfs) next to the older `-v /host:/path` binds.
 * Checked at create (nothing is stored for a bad one), volumes made at
 * create (docker makes a missing named volume on first use), and at each
 * start resolved to host paths, an empty volume first filled from the image.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import type { ContainerCreateT } from '../../../preload/schemas/containers';
import type { MountSpecT } from '../../../preload/schemas/volumes';
import type { GetXattr } from '../storage/overlay-diff';
import { copyUp } from '../volumes/copy-up';
import { checkVolumeName } from '../volumes/names';
import type { VolumeStore } from '../volumes/store';

/** The container path as the kernel will see it (no trailing slash, no `.` parts). */
function normalTarget(t: string): string {
  return path.posix.normalize(t).replace(/(.)\/+$/, '$1');
}

/** Refuses what cannot be mounted as asked; nothing is stored yet. */
export function checkMounts(req: Pick<ContainerCreateT, 'volumes' | 'mounts'>): void {
  const targets = new Map<string, string>();
  const claim = (target: string, what: string): void => {
    const t = normalTarget(target);
    if (t === '/') throw new BerthError('MOUNT_INVALID', `${what}: cannot mount over the container's root`);
    const prev = targets.get(t);
    if (prev) throw new BerthError('MOUNT_INVALID', `${what}: ${t} is already the target of ${prev}`, { target: t });
    targets.set(t, what);
  };
  for (const v of req.volumes) claim(v.destination, `-v ${v.source}:${v.destination}`);
  for (const m of req.mounts ?? []) {
    if (m.type === 'volume') {
      if (m.source !== '') checkVolumeName(m.source);
      claim(m.target, `volume ${m.source || '(anonymous)'}`);
    } else if (m.type === 'bind') {
      if (!fs.existsSync(m.source))
        throw new BerthError('VOLUME_SOURCE_MISSING', `bind source ${m.source} does not exist`, { source: m.source });
      claim(m.target, `bind ${m.source}`);
    } else claim(m.target, 'tmpfs');
  }
}

/**
 * Makes the volumes the request names (anonymous ones get their name here,
 * written into the request that becomes the record). Synchronous, so the
 * caller can save the record before anything else runs: no `volume rm` can
 * slip between the volume's making and the record that keeps it.
 */
export function ensureVolumes(req: ContainerCreateT, store: VolumeStore): ContainerCreateT {
  const mounts = (req.mounts ?? []).map((m): MountSpecT => {
    if (m.type !== 'volume') return m;
    const { record } = store.create(m.source ? { name: m.source } : { anonymous: true });
    return { ...m, source: record.name };
  });
  return { ...req, mounts };
}

/**
 * Host paths of the container's volumes for this start. A volume that is
 * empty and mounted where the image has a directory is filled from it first
 * (unless volume-nocopy).
 */
export function prepareVolumes(opts: {
  config: ContainerCreateT;
  store: VolumeStore | undefined;
  layers: string[];
  getXattr: GetXattr;
  shift: { uid: number; gid: number } | null;
  log: (msg: string) => void;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of opts.config.mounts ?? []) {
    if (m.type !== 'volume') continue;
    if (!opts.store) throw new BerthError('VOLUME_NOT_FOUND', `no volume store for ${m.source}`);
    opts.store.get(m.source); // VOLUME_NOT_FOUND / VOLUME_UNREADABLE
    const dir = opts.store.mountpoint(m.source);
    if (!m.noCopy) {
      const copied = copyUp({
        layers: opts.layers,
        target: m.target,
        volumeDir: dir,
        getXattr: opts.getXattr,
        ...(opts.shift ? { shift: opts.shift } : {}),
      });
      if (copied?.skipped.length)
        opts.log(
          `volume ${m.source}: copy-up skipped ${copied.skipped.length} special file(s) (devices, FIFOs, sockets)`,
        );
    }
    out[m.source] = dir;
  }
  return out;
}

/** The containers whose config mounts the volume. */
export function volumeUsersOf(
  records: Iterable<{ id: string; name: string; config: Pick<ContainerCreateT, 'mounts'> }>,
  volume: string,
): Array<{ id: string; name: string }> {
  const out: Array<{ id: string; name: string }> = [];
  for (const r of records) {
    if ((r.config.mounts ?? []).some((m) => m.type === 'volume' && m.source === volume))
      out.push({ id: r.id, name: r.name });
  }
  return out;
}
