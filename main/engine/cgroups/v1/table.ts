/**
 * cgroup v1: the controller that fills each role, one hierarchy each (or
 * co-mounted, like "cpu,cpuacct"). The driver places a role in v1 when its
 * controller is mounted; net_cls and net_prio are mounted on demand.
 */
import type { ControllerTable } from '../controller';
import * as blkio from './blkio';
import * as cpu from './cpu';
import * as cpuacct from './cpuacct';
import * as cpuset from './cpuset';
import * as devices from './devices';
import * as freezer from './freezer';
import * as memory from './memory';
import * as netCls from './net-cls';
import * as netPrio from './net-prio';
import * as pids from './pids';

export const V1_TABLE = {
  memory: memory.controller,
  cpu: cpu.controller,
  cpuacct: cpuacct.controller,
  cpuset: cpuset.controller,
  pids: pids.controller,
  blkio: blkio.controller,
  devices: devices.controller,
  freezer: freezer.controller,
  net_cls: netCls.controller,
  net_prio: netPrio.controller,
} as const satisfies ControllerTable;

/** The v1 controllers Berth uses, by role. */
export type V1Key = keyof typeof V1_TABLE;

export const V1_KEYS = Object.keys(V1_TABLE) as readonly V1Key[];
