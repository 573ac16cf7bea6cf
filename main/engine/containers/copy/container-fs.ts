/**
 * A container's filesystem as one directory fd, for cp and commit. A running
 * (or paused) container's is its live root, /proc/PID/root: what its
 * processes see, volumes included. A stopped one's is its overlay mounted with
 * fsopen/fsmount and attached nowhere (no host mount table entry, gone when
 * the fd closes), while the container's lock is held so it cannot start, be
 * removed or mount the same upper dir until release(). Chosen over writing
 * into the upper dir by hand: the kernel then does the copy-up, whiteouts and
 * opaque dirs exactly as a running container would.
 */
import fs from 'node:fs';
import { openInRoot, overlayMountFd } from '../../../../native/index';
import type { IdRange } from '../../userns/ranges';
import type { ContainerManager } from '../manager';
import type { ContainerRecord } from '../record';
import { sameProcess } from '../runtime';

export const O_PATH = 0o10000000;

export interface ContainerFs {
  /** The root, as a directory fd (O_PATH for a live root). */
  rootFd: number;
  record: ContainerRecord;
  /** --userns: tar ids are shifted into this range on the way in and out of it on the way out. */
  idRange: IdRange | null;
  /** The live root of a running container (else the detached overlay). */
  live: boolean;
  release(): void;
}

/**
 * release() for an fd: closes it the first time only. A second close of the
 * same number could close whatever the process opened under it meanwhile
 * (another container's fd, a child's pipe).
 */
function closeOnce(fd: number): () => void {
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    fs.closeSync(fd);
  };
}

function liveRoot(r: ContainerRecord): number | null {
  if ((r.state !== 'running' && r.state !== 'paused') || !r.pid || !r.pidStartTime) return null;
  if (!sameProcess(r.pid, r.pidStartTime)) return null;
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${r.pid}/root`, O_PATH | fs.constants.O_DIRECTORY);
  } catch {
    return null;
  }
  // The pid could have been reused between the check and the open.
  if (!sameProcess(r.pid, r.pidStartTime)) {
    fs.closeSync(fd);
    return null;
  }
  return fd;
}

function mountStopped(r: ContainerRecord, upperDir: string, workDir: string): number {
  // Never started: made as a start makes them (manager.run).
  for (const d of [upperDir, workDir]) {
    if (!fs.existsSync(d)) {
      fs.mkdirSync(d, { mode: 0o700 });
      if (d === upperDir) fs.chmodSync(d, 0o755);
      if (r.idRange) fs.chownSync(d, r.idRange.uid, r.idRange.gid);
    }
  }
  // A scratch container has no lower layer; its upper dir is all there is.
  if (r.lowerDirs.length === 0) return fs.openSync(upperDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  return overlayMountFd(r.lowerDirs, upperDir, workDir);
}

/** Opens a container's filesystem; call release() when done (for a stopped one it holds the container's lock). */
export async function openContainerFs(m: ContainerManager, ref: string): Promise<ContainerFs> {
  const first = m.fsTarget(ref);
  const live = liveRoot(first.record);
  if (live !== null) {
    return {
      rootFd: live,
      record: first.record,
      idRange: first.record.idRange ?? null,
      live: true,
      release: closeOnce(live),
    };
  }
  let release!: () => void;
  const released = new Promise<void>((res) => (release = res));
  const opened = new Promise<ContainerFs>((resolve, reject) => {
    m.exclusive(ref, async (r) => {
      // Started while we waited for the lock: its live root then.
      const fd = liveRoot(r) ?? mountStopped(r, first.upperDir, first.workDir);
      const close = closeOnce(fd);
      resolve({
        rootFd: fd,
        record: r,
        idRange: r.idRange ?? null,
        live: r.state === 'running' || r.state === 'paused',
        release: () => {
          close();
          release();
        },
      });
      await released;
    }).catch(reject);
  });
  return opened;
}

/** The directory fd of `dir` inside a container's root (symlinks resolved in it). */
export function openDirInRoot(rootFd: number, dir: string): number {
  return openInRoot(rootFd, dir, O_PATH | fs.constants.O_DIRECTORY);
}
