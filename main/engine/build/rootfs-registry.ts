/**
 * The root filesystems of RUN steps, offered to the containers engine as
 * images: a build registers a step's layer dirs and config under a one-off
 * reference, the engine's image provider resolves it like a stored image,
 * and the build drops it when the step's container is gone.
 */
import crypto from 'node:crypto';

export interface BuildRootfs {
  lowerDirs: string[];
  config: { Env: string[] | null; WorkingDir?: string; User?: string };
}

const PREFIX = 'berth-build-step/';
const registered = new Map<string, BuildRootfs>();

export function registerBuildRootfs(r: BuildRootfs): string {
  const ref = `${PREFIX}${crypto.randomBytes(8).toString('hex')}`;
  registered.set(ref, r);
  return ref;
}

export function unregisterBuildRootfs(ref: string): void {
  registered.delete(ref);
}

/** The step's rootfs for a reference a build registered, else undefined (a store image). */
export function buildRootfs(ref: string): BuildRootfs | undefined {
  return ref.startsWith(PREFIX) ? registered.get(ref) : undefined;
}
