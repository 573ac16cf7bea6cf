/**
 * cgroup v2: the controller that fills each role in the unified hierarchy.
 * A role is placed here when its controller is enabled for the group
 * (cgroup.controllers), or always for core files (cpu.stat usage, PSI,
 * cgroup.freeze). Roles v2 has no files for carry the reason instead.
 */
import type { ControllerKey, ControllerTable } from '../controller';
import * as cpu from './cpu';
import * as cpuset from './cpuset';
import * as freezer from './freezer';
import * as hugetlb from './hugetlb';
import * as io from './io';
import * as memory from './memory';
import * as pids from './pids';
import * as psi from './psi';

export const V2_TABLE: ControllerTable = {
  memory: memory.controller,
  cpu: cpu.controller,
  cpuacct: cpu.usage,
  cpuset: cpuset.controller,
  pids: pids.controller,
  blkio: io.controller,
  freezer: freezer.controller,
  hugetlb: hugetlb.controller,
  pressure: psi.controller,
};

const NO_NET =
  'cgroup v2 has no net_cls/net_prio controller; match the socket cgroup path instead (nftables "socket cgroupv2", eBPF)';

/** Roles v2 has no controller for, and what to do instead. */
export const V2_ABSENT: Readonly<Partial<Record<ControllerKey, string>>> = {
  devices:
    'cgroup v2 has no devices files: device rules are the BPF_PROG_TYPE_CGROUP_DEVICE program of the device policy (setDevicePolicy; containers.devices shows it)',
  net_cls: NO_NET,
  net_prio: NO_NET,
};
