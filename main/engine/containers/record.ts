/**
 * A container as stored: what was asked for, what it resolved to, and its
 * state. One directory per container under <dataRoot>/c/<id>, one atomic
 * container.json in it; nothing is kept only in memory. Removed containers
 * pass through <dataRoot>/trash/ on their way out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ContainerCreate, type ContainerCreateT, type ContainerStateT } from '../../../preload/schemas/containers';
import { readJsonOrNull, removeStaleTemps, writeJsonAtomic, type Durability } from '../storage/atomic-file';
import type { IdRange } from '../userns/ranges';
import type { ResolvedProcess } from './spec';

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  image: string;
  imageId: string;
  config: ContainerCreateT;
  process: ResolvedProcess;
  hostname: string;
  lowerDirs: string[];
  state: ContainerStateT;
  pid: number | null;
  pidStartTime: number | null;
  monitorPid: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  restartCount: number;
  stoppedByUser: boolean;
  error: string | null;
  network: { ip: string | null; netns: string | null };
  /** --userns: the host ids its 0..size-1 map to (userns/ranges.ts); absent otherwise. */
  idRange?: IdRange | null;
}

export interface ContainerPaths {
  dir: string;
  record: string;
  runDir: string;
  rootfs: string;
  upperDir: string;
  workDir: string;
  logPath: string;
}

export function containerPaths(dataRoot: string, id: string): ContainerPaths {
  // Short top-level name: attach.sock under runDir must fit in sun_path (108 bytes).
  const dir = path.join(dataRoot, 'c', id);
  return {
    dir,
    record: path.join(dir, 'container.json'),
    runDir: path.join(dir, 'run'),
    rootfs: path.join(dir, 'rootfs'),
    upperDir: path.join(dir, 'upper'),
    workDir: path.join(dir, 'work'),
    logPath: path.join(dir, 'container.log'),
  };
}

export class RecordStore {
  private readonly root: string;

  private readonly trash: string;

  constructor(private readonly dataRoot: string) {
    this.root = path.join(dataRoot, 'c');
    this.trash = path.join(dataRoot, 'trash');
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    this.sweepTrash();
  }

  paths(id: string): ContainerPaths {
    return containerPaths(this.dataRoot, id);
  }

  /** See atomic-file.ts for what each durability survives. */
  save(r: ContainerRecord, durability: Durability = 'durable'): void {
    const p = this.paths(r.id);
    fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    writeJsonAtomic(p.record, r, 0o600, durability);
  }

  loadAll(): ContainerRecord[] {
    const out: ContainerRecord[] = [];
    for (const id of fs.readdirSync(this.root)) {
      const p = this.paths(id);
      if (!fs.existsSync(p.dir)) continue;
      removeStaleTemps(p.dir);
      const r = readJsonOrNull(p.record) as ContainerRecord | null;
      if (!r || r.id !== id) continue;
      // A record written before a field was added to the request (security,
      // …) gets that field's default, as a new request would.
      const config = ContainerCreate.safeParse(r.config);
      if (config.success) r.config = config.data;
      out.push(r);
    }
    return out;
  }

  /**
   * The container is gone once its directory leaves c/ (one rename, atomic);
   * deleting its files (upper dir, logs) then happens in the background, off
   * the caller's path. Whatever a crash leaves in trash/ goes at the next start.
   */
  remove(id: string): void {
    const dir = this.paths(id).dir;
    const to = path.join(this.trash, `${id}.${randomBytes(4).toString('hex')}`);
    try {
      fs.mkdirSync(this.trash, { recursive: true, mode: 0o700 });
      fs.renameSync(dir, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(dir)) return;
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    }
    fs.rm(to, { recursive: true, force: true }, () => undefined);
  }

  private sweepTrash(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.trash);
    } catch {
      return;
    }
    for (const n of names) fs.rm(path.join(this.trash, n), { recursive: true, force: true }, () => undefined);
  }
}
