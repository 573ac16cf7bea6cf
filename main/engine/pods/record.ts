/**
 * A pod as stored: <dataRoot>/pods/<id>.json, one atomic file per pod
 * (temp + fsync + rename, as container records). What runs (the holder's pid
 * and start time, the pod's address and netns) is saved with it, so a helper
 * restart finds the holder again. Members are not listed here: each member's
 * own record names its pod (config.pod), one source of truth.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PodCreate, type PodCreateT } from '../../../preload/schemas/pods';
import { removeStaleTemps, writeJsonAtomic } from '../storage/atomic-file';
import { readRecordFile } from '../storage/record-file';

export interface PodHolder {
  pid: number;
  startTime: number;
}

export interface PodRecord {
  id: string;
  name: string;
  created: string;
  config: PodCreateT;
  hostname: string;
  /** While the pod runs: its holder, address and network namespace file. */
  holder: PodHolder | null;
  network: { ip: string | null; netns: string | null };
  startedAt: string | null;
  stoppedAt: string | null;
}

const PodRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1),
  created: z.string(),
  config: PodCreate,
  hostname: z.string(),
  holder: z.object({ pid: z.number().int().min(1), startTime: z.number() }).nullable(),
  network: z.object({ ip: z.string().nullable(), netns: z.string().nullable() }),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
}) satisfies z.ZodType<PodRecord, unknown>;

export class PodStore {
  readonly dir: string;

  constructor(dataRoot: string) {
    this.dir = path.join(dataRoot, 'pods');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    removeStaleTemps(this.dir);
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  save(p: PodRecord): void {
    writeJsonAtomic(this.file(p.id), p, 0o600, 'durable');
  }

  /** Every readable record, and the files that are not (logged by the caller, never guessed at). */
  loadAll(): { pods: PodRecord[]; damaged: Array<{ file: string; reason: string }> } {
    const pods: PodRecord[] = [];
    const damaged: Array<{ file: string; reason: string }> = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      const read = readRecordFile(file, PodRecordSchema);
      if (read.kind === 'ok' && `${read.value.id}.json` === name) pods.push(read.value);
      else if (read.kind === 'ok') damaged.push({ file, reason: `it names another id (${read.value.id})` });
      else if (read.kind === 'damaged') damaged.push({ file, reason: read.reason });
    }
    return { pods, damaged };
  }

  remove(id: string): void {
    fs.rmSync(this.file(id), { force: true });
  }
}
