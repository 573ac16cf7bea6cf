/**
 * A container as stored: what was asked for, what it resolved to, and its
 * state. One directory per container under <dataRoot>/c/<id>, one atomic
 * container.json in it; nothing is kept only in memory. Removed containers
 * pass through <dataRoot>/trash/ on their way out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ContainerCreate, type ContainerCreateT, type ContainerStateT } from '../../../preload/schemas/containers';
import { removeStaleTemps, writeJsonAtomic, type Durability } from '../storage/atomic-file';
import { faultPoint } from '../storage/fault-points';
import { readRecordFile } from '../storage/record-file';
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
  /** User-defined networks it is attached to (containers/endpoints.ts); absent: none. */
  endpoints?: EndpointRecord[];
}

/** One user-network attachment: what was asked for, and while it runs, what it holds. */
export interface EndpointRecord {
  networkId: string;
  aliases: string[];
  /** --ip, kept across runs. */
  ipRequested: string | null;
  ip: string | null;
  ifname: string | null;
  hostVeth: string | null;
}

const nullableInt = z.number().int().nullable();

/**
 * What a container.json must hold to be used. Config goes through the
 * contract's own create schema (defaults fill fields older records lack).
 * A stored record is never 'unreadable': that state exists only in answers.
 */
const ContainerRecordSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  created: z.string(),
  image: z.string(),
  imageId: z.string(),
  config: ContainerCreate,
  process: z.object({
    args: z.array(z.string()),
    env: z.array(z.string()),
    cwd: z.string(),
    user: z.object({
      uid: z.number().int().min(0),
      gid: z.number().int().min(0),
      additionalGids: z.array(z.number().int().min(0)),
      home: z.string(),
    }),
  }),
  hostname: z.string(),
  lowerDirs: z.array(z.string()),
  state: z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead']),
  pid: nullableInt,
  pidStartTime: z.number().nullable(),
  monitorPid: nullableInt,
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  exitCode: nullableInt,
  oomKilled: z.boolean(),
  restartCount: z.number().int().min(0),
  stoppedByUser: z.boolean(),
  error: z.string().nullable(),
  network: z.object({ ip: z.string().nullable(), netns: z.string().nullable() }),
  idRange: z
    .object({ uid: z.number().int().min(0), gid: z.number().int().min(0), size: z.number().int().min(1) })
    .nullable()
    .optional(),
  endpoints: z
    .array(
      z.object({
        networkId: z.string().min(1),
        aliases: z.array(z.string()),
        ipRequested: z.string().nullable(),
        ip: z.string().nullable(),
        ifname: z.string().nullable(),
        hostVeth: z.string().nullable(),
      }),
    )
    .optional(),
}) satisfies z.ZodType<ContainerRecord, unknown>;

/** A container directory whose record cannot be used, and why (shown as state `unreadable`). */
export interface DamagedRecord {
  id: string;
  reason: string;
  /** The directory's mtime: the best "created" there is. */
  seen: string;
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
    faultPoint('record.dir-made');
    writeJsonAtomic(p.record, r, 0o600, durability);
  }

  /** One record as stored, or null when missing or damaged. */
  load(id: string): ContainerRecord | null {
    const read = readRecordFile(this.paths(id).record, ContainerRecordSchema);
    return read.kind === 'ok' && read.value.id === id ? read.value : null;
  }

  /**
   * Every container directory: usable records, and the damaged ones with the
   * reason (a record that is missing, empty, torn, of the wrong shape, a
   * directory, or names another id). One bad directory never hides the rest.
   */
  loadAll(): { records: ContainerRecord[]; damaged: DamagedRecord[] } {
    const records: ContainerRecord[] = [];
    const damaged: DamagedRecord[] = [];
    for (const id of fs.readdirSync(this.root)) {
      const p = this.paths(id);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p.dir);
      } catch {
        continue; // removed meanwhile
      }
      const seen = st.mtime.toISOString();
      if (!st.isDirectory()) {
        damaged.push({ id, reason: `${p.dir} is not a directory`, seen });
        continue;
      }
      try {
        removeStaleTemps(p.dir);
      } catch {
        // an unreadable directory shows up in the record read below
      }
      const read = readRecordFile(p.record, ContainerRecordSchema);
      if (read.kind === 'ok' && read.value.id === id) records.push(read.value);
      else if (read.kind === 'ok')
        damaged.push({ id, reason: `container.json names another id (${read.value.id})`, seen });
      else if (read.kind === 'missing') damaged.push({ id, reason: 'container.json is missing', seen });
      else damaged.push({ id, reason: `container.json: ${read.reason}`, seen });
    }
    return { records, damaged };
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
