/**
 * RUN in a real Berth container: the step's layers as the rootfs (through
 * the rootfs registry), the build's network and limits, the default
 * security profile, the monitor holding its output (streamed to the build's
 * log as it is written). Its overlay upper dir becomes the step's layer;
 * the container is removed afterwards, whatever the outcome.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainerCreate } from '../../../preload/schemas/containers';
import type { ContainerManager } from '../containers/manager';
import { readLogs } from '../containers/logs';
import { containerPaths } from '../containers/record';
import type { RunRequest, StepRunner } from './builder';
import { upperDirEntries, writeLayer, type WrittenLayer } from './layer-writer';
import { MergedView } from './merged-view';
import { registerBuildRootfs, unregisterBuildRootfs } from './rootfs-registry';

/** How often the step's log is read while it runs. */
const LOG_POLL_MS = 50;

/**
 * Mount points the runtime makes in the rootfs for its own mounts (the
 * resolver and host files of a networked container, /proc, /sys, /dev):
 * left out of the layer, as docker and buildah do, when they are empty.
 */
const RUNTIME_PATHS = ['etc/hosts', 'etc/resolv.conf', 'etc/hostname', 'proc', 'sys', 'dev'];

export class ContainerStepRunner implements StepRunner {
  constructor(private readonly o: { manager: ContainerManager; dataRoot: string }) {}

  async run(req: RunRequest, layerFile: string): Promise<{ exitCode: number; layer: WrittenLayer }> {
    const m = this.o.manager;
    const ref = registerBuildRootfs({ lowerDirs: req.lowerDirs, config: { Env: req.env } });
    let id: string | null = null;
    try {
      const created = await m.create(
        ContainerCreate.parse({
          image: ref,
          name: `berth-build-${crypto.randomBytes(6).toString('hex')}`,
          entrypoint: req.argv,
          command: [],
          workdir: req.workdir,
          user: req.user,
          network: req.network,
          mounts: req.mounts.map((m) =>
            m.type === 'bind'
              ? { type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly }
              : { type: 'tmpfs', target: m.target, ...(m.sizeBytes !== undefined ? { sizeBytes: m.sizeBytes } : {}) },
          ),
          labels: { 'org.berth.build-step': '1' },
          resources: {
            ...(req.memoryBytes !== undefined ? { memory: { max: req.memoryBytes } } : {}),
            ...(req.cpus !== undefined ? { cpu: { cpus: req.cpus } } : {}),
          },
        }),
      );
      id = created.id;
      const paths = containerPaths(this.o.dataRoot, id);
      let cursor: string | undefined;
      const pump = (): void => {
        const r = readLogs(paths.logPath, { limit: 10_000, ...(cursor !== undefined ? { cursor } : {}) });
        cursor = r.cursor;
        for (const l of r.lines) req.onOutput(l.stream, l.line);
      };
      const exited = m.start(id).then(() => m.waitExit(id as string));
      let done = false;
      void exited.finally(() => (done = true)).catch(() => undefined);
      while (!done) {
        pump();
        await Promise.race([exited.catch(() => undefined), sleep(LOG_POLL_MS)]);
      }
      const exitCode = (await exited) ?? 255;
      pump();
      const skip = new Set(RUNTIME_PATHS.filter((p) => isEmptyMade(paths.upperDir, p)));
      for (const p of mountStubs(
        paths.upperDir,
        req.lowerDirs,
        req.mounts.map((m) => m.target),
      ))
        skip.add(p);
      const layer = await writeLayer(layerFile, upperDirEntries(paths.upperDir, skip));
      return { exitCode, layer };
    } finally {
      if (id !== null) await m.remove(id, true).catch(() => undefined);
      unregisterBuildRootfs(ref);
    }
  }
}

/**
 * The mount points the runtime made for RUN --mount targets: the target when
 * it is empty in the upper dir, and the parents made for it (absent from the
 * step's image, holding nothing else), as buildkit's mount stub cleaner
 * removes them. What a step wrote under a mount is in the mount, not here.
 */
function mountStubs(upper: string, lowerDirs: string[], targets: readonly string[]): Set<string> {
  const view = new MergedView(lowerDirs);
  const skip = new Set<string>();
  for (const t of targets) {
    const rel = t.replace(/^\/+/, '');
    if (!isEmptyMade(upper, rel)) continue;
    skip.add(rel);
    for (let p = path.posix.dirname(rel); p !== '.' && p !== ''; p = path.posix.dirname(p)) {
      if (view.lookup(p)) break;
      const others = fs.readdirSync(path.join(upper, p)).filter((n) => !skip.has(`${p}/${n}`));
      if (others.length > 0) break;
      skip.add(p);
    }
  }
  return skip;
}

/** An empty file or directory in the upper dir (a mount point the runtime made), not something a step wrote. */
function isEmptyMade(upper: string, rel: string): boolean {
  const st = fs.lstatSync(path.join(upper, rel), { throwIfNoEntry: false });
  if (!st) return false;
  if (st.isFile()) return st.size === 0;
  if (st.isDirectory()) return fs.readdirSync(path.join(upper, rel)).length === 0;
  return false;
}
