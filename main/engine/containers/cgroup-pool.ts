/**
 * Cgroup pools for standby monitors: how a start avoids the slow first
 * cgroup.procs write (native/monitor/src/spawner.h has the why).
 *
 * Each standby gets a fresh pool, `<parent>/.standby-<helper pid>-<helper
 * start time>-<n>` in every v1 hierarchy, made like a container's group; its
 * spawner moves in before any request. A start renames the pool to the
 * container's group (driver.adoptPool) and the monitor's spawner clones init
 * there. A pool is used once; an unused one is removed with its standby. At
 * start-up a helper removes the pools of helpers that are gone (the name
 * says whose: several helpers may share the machine's `berth` parent).
 */
import type { CgroupDriver } from '../cgroups/driver';
import { DEFAULT_PARENT } from '../cgroups/driver';
import { pidStartTime, sameProcess } from './proc-stat';

export const POOL_PREFIX = '.standby-';
const POOL_NAME = /^\.standby-(\d+)-(\d+)-\d+$/;

export interface CgroupPool {
  /** The pool's group name under the parent. */
  name: string;
  /** Its cgroup.procs files, one per v1 hierarchy (the spawner writes itself into each). */
  procs: string[];
}

export class CgroupPools {
  private seq = 0;
  private readonly owner = `${process.pid}-${pidStartTime(process.pid) ?? 0}`;

  constructor(
    private readonly driver: CgroupDriver,
    readonly parent = DEFAULT_PARENT,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** A new pool, or null when the host has no v1 hierarchy or the groups cannot be made. */
  make(): CgroupPool | null {
    const name = `${POOL_PREFIX}${this.owner}-${++this.seq}`;
    try {
      const procs = this.driver.createPool(name, this.parent);
      return procs ? { name, procs } : null;
    } catch (err) {
      this.log(`cgroup pool ${name}: ${String(err)}`);
      return null;
    }
  }

  /** Removes a pool that was not adopted (its spawner, if still there, is killed). */
  /** Removes a pool, once: a failure is logged (the next helper's reclaim gets what is left). */
  remove(name: string): Promise<void> {
    return this.removeWithin(name, 0);
  }

  /**
   * remove(), tried again until the pool is gone or `ms` have passed: at
   * helper shutdown the killed standby's spawner can still be on its way out
   * of the pool after rmdir's own second of EBUSY retries when the machine is
   * busy (a full integration run left one pool of a SIGTERMed helper behind,
   * once in five). What is still left then is the next helper's to reclaim.
   */
  async removeWithin(name: string, ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      try {
        await this.driver.removePool(name, this.parent);
        return;
      } catch (err) {
        if (Date.now() >= until) {
          this.log(`removing cgroup pool ${name}: ${String(err)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Pools under the parent whose helper is gone (pid and start time: a reused pid is another process). */
  stale(): string[] {
    return this.driver.childNames(POOL_PREFIX, this.parent).filter((n) => {
      const m = POOL_NAME.exec(n);
      return m !== null && !sameProcess(Number(m[1]), Number(m[2]));
    });
  }

  /** Removes the pools of helpers that are gone; returns how many. */
  async reclaimStale(): Promise<number> {
    const names = this.stale();
    for (const n of names) await this.remove(n);
    return names.length;
  }

  /** Pools of this helper that exist now (tests). */
  mine(): string[] {
    return this.driver.childNames(`${POOL_PREFIX}${this.owner}-`, this.parent);
  }
}
