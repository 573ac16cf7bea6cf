/**
 * Named volumes on disk, docker's `local` driver layout:
 *
 *   <dataRoot>/volumes/            0700
 *     .lock                        flock held while a volume is made or removed
 *     <name>/volume.json           the record (atomic, durable writes)
 *     <name>/_data/                the directory containers mount (0755 until filled)
 *
 * A volume appears whole or not at all: it is built in a `.new-*` directory
 * and renamed into place; a removal renames it to `.trash-*` first, then
 * deletes. Names are one path component (names.ts), so a name never reaches
 * outside this directory. Who uses a volume is the containers engine's to
 * say (VolumeUsage): any container whose config mounts it, in any state,
 * keeps it (docker's rule).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BerthError } from '../../../preload/errors';
import type { VolumeT } from '../../../preload/schemas/volumes';
import { writeJsonAtomic } from '../storage/atomic-file';
import { withFileLockSync } from '../storage/file-lock';
import { readRecordFile } from '../storage/record-file';
import { ANONYMOUS_LABEL, anonymousVolumeName, checkVolumeName } from './names';

/** Who mounts a volume; the containers engine answers. */
export interface VolumeUsage {
  volumeUsers(name: string): Array<{ id: string; name: string }>;
}

export const NO_VOLUME_USERS: VolumeUsage = { volumeUsers: () => [] };

const VolumeRecordSchema = z
  .object({
    version: z.literal(1),
    name: z.string(),
    createdAt: z.string(),
    labels: z.record(z.string(), z.string()),
    anonymous: z.boolean(),
  })
  .strict();

export type VolumeRecord = z.output<typeof VolumeRecordSchema>;

export type VolumeEntry = { kind: 'ok'; record: VolumeRecord } | { kind: 'damaged'; name: string; reason: string };

export class VolumeStore {
  readonly root: string;
  private usage: VolumeUsage = NO_VOLUME_USERS;
  /** Told after a volume is made or removed (the helper turns it into `volumes.changed`). */
  onChange: (e: { action: 'create' | 'remove'; names: string[] }) => void = () => undefined;

  constructor(
    dataRoot: string,
    private readonly log: (msg: string) => void = () => undefined,
  ) {
    this.root = path.join(dataRoot, 'volumes');
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.root, 0o700);
    this.sweep();
  }

  setUsage(usage: VolumeUsage): void {
    this.usage = usage;
  }

  users(name: string): Array<{ id: string; name: string }> {
    return this.usage.volumeUsers(name);
  }

  dir(name: string): string {
    return path.join(this.root, checkVolumeName(name));
  }

  mountpoint(name: string): string {
    return path.join(this.dir(name), '_data');
  }

  private locked<T>(fn: () => T): T {
    return withFileLockSync(path.join(this.root, '.lock'), fn);
  }

  /** Leftovers of a create or remove cut short (a crash between rename and delete). */
  private sweep(): void {
    for (const n of fs.readdirSync(this.root)) {
      if (n.startsWith('.new-') || n.startsWith('.trash-')) {
        fs.rmSync(path.join(this.root, n), { recursive: true, force: true });
      }
    }
  }

  /** The record, or VOLUME_NOT_FOUND / VOLUME_UNREADABLE. */
  get(name: string): VolumeRecord {
    const file = path.join(this.dir(name), 'volume.json');
    const r = readRecordFile(file, VolumeRecordSchema, 1024 * 1024);
    if (r.kind === 'ok' && r.value.name === name) return r.value;
    if (r.kind === 'missing') {
      if (fs.existsSync(this.dir(name)))
        throw new BerthError('VOLUME_UNREADABLE', `volume ${name} has no record`, { name });
      throw new BerthError('VOLUME_NOT_FOUND', `no such volume: ${name}`, { name });
    }
    const reason = r.kind === 'damaged' ? r.reason : 'the record names another volume';
    throw new BerthError('VOLUME_UNREADABLE', `volume ${name} is unreadable: ${reason}`, { name, reason });
  }

  has(name: string): boolean {
    return fs.existsSync(path.join(this.dir(name), 'volume.json'));
  }

  /** Every volume directory, damaged ones as such (they can be removed, nothing else). */
  list(): VolumeEntry[] {
    const out: VolumeEntry[] = [];
    for (const n of fs.readdirSync(this.root).sort()) {
      if (n.startsWith('.')) continue;
      try {
        out.push({ kind: 'ok', record: this.get(n) });
      } catch (err) {
        out.push({ kind: 'damaged', name: n, reason: (err as Error).message });
      }
    }
    return out;
  }

  /**
   * Creates a volume, or returns the one of that name (docker's `volume
   * create` is idempotent). No name: an anonymous volume with a random one.
   */
  create(opts: { name?: string; labels?: Record<string, string>; anonymous?: boolean } = {}): {
    record: VolumeRecord;
    created: boolean;
  } {
    const anonymous = opts.anonymous ?? !opts.name;
    const name = checkVolumeName(opts.name || anonymousVolumeName());
    return this.locked(() => {
      if (this.has(name)) return { record: this.get(name), created: false };
      const record: VolumeRecord = {
        version: 1,
        name,
        createdAt: new Date().toISOString(),
        labels: { ...(opts.labels ?? {}), ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) },
        anonymous,
      };
      const staging = path.join(this.root, `.new-${name}-${randomBytes(4).toString('hex')}`);
      try {
        fs.mkdirSync(staging, { mode: 0o700 });
        fs.mkdirSync(path.join(staging, '_data'), { mode: 0o755 });
        fs.chmodSync(path.join(staging, '_data'), 0o755);
        writeJsonAtomic(path.join(staging, 'volume.json'), record, 0o600, 'durable');
        fs.renameSync(staging, this.dir(name));
      } catch (err) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw err;
      }
      this.onChange({ action: 'create', names: [name] });
      return { record, created: true };
    });
  }

  /**
   * Removes a volume and its data. Refused with VOLUME_IN_USE while any
   * container mounts it; the error names them.
   */
  async remove(name: string): Promise<void> {
    const grave = this.locked(() => {
      const dir = this.dir(name);
      if (!fs.existsSync(dir)) throw new BerthError('VOLUME_NOT_FOUND', `no such volume: ${name}`, { name });
      const users = this.usage.volumeUsers(name);
      if (users.length > 0) {
        throw new BerthError(
          'VOLUME_IN_USE',
          `volume ${name} is in use by container${users.length > 1 ? 's' : ''} ${users.map((u) => u.name).join(', ')}`,
          { name, containers: users.map((u) => u.name), ids: users.map((u) => u.id) },
        );
      }
      const g = path.join(this.root, `.trash-${name}-${randomBytes(4).toString('hex')}`);
      fs.renameSync(dir, g);
      return g;
    });
    this.onChange({ action: 'remove', names: [name] });
    await fs.promises.rm(grave, { recursive: true, force: true }).catch((err: unknown) => {
      this.log(`volume ${name}: removing ${grave}: ${String(err)} (swept at the next start)`);
    });
  }

  /** The contract's shape. */
  describe(rec: VolumeRecord, sizeBytes: number | null): VolumeT {
    return {
      name: rec.name,
      driver: 'local',
      mountpoint: this.mountpoint(rec.name),
      createdAt: rec.createdAt,
      labels: rec.labels,
      scope: 'local',
      options: {},
      anonymous: rec.anonymous,
      sizeBytes,
      users: this.usage.volumeUsers(rec.name),
    };
  }
}
