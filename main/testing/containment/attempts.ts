/**
 * The containment suite's attempts: what a container's root tries against
 * the host, each one a named attempt of the static probe (probe.c), with the
 * outcome a default Berth container must get and the one a `--privileged`
 * container gets. Shared by the integration test
 * (main/engine/containers/containment.integration.test.ts) and the side-by-side
 * script against podman (bench/containment-compare.bench.test.ts).
 *
 * Outcomes are errno names (the first failing step's), OK (every step
 * succeeded), EOF (a read found nothing: a path masked by /dev/null), and for
 * the loopback probe DROPPED / RECEIVED (decided by the host's listener).
 */
import fs from 'node:fs';

export type Group = 'devices' | 'namespaces and mounts' | 'kernel interfaces' | 'escapes';

/** Which branch's defaults make the attempt fail (for the report while they land). */
export type Provider =
  'seccomp' | 'devices' | 'caps' | 'masked paths' | 'pid namespace' | 'pivot_root' | 'network guard';

/** 'HOST': what root on the host gets from the same probe (the kernel's own answer, e.g. no /dev/mem driver). */
export type Expected = string | 'HOST';

export interface Attempt {
  id: string;
  group: Group;
  what: string;
  /** The probe's argument: kind[,arg...]. */
  spec: string;
  /** A default container: the errno it must get. */
  denied: string;
  /** Which defaults stand in the way (all of them must be in place for `denied`). */
  by: Provider[];
  /** Under --privileged. */
  privileged: Expected;
  /** Why --privileged gets that. */
  privilegedWhy: string;
  /** The attempt needs a bridge network (the loopback probe); the others run with --network none. */
  bridge?: boolean;
  /** A host path the attempt is about; when the host lacks it every mode gets ENOENT. */
  requires?: string;
}

export interface HostFacts {
  /** Block devices: name, major, minor (from /sys/dev/block). */
  blockDevices: Array<{ name: string; major: number; minor: number }>;
  /** A pid that exists on the host and not in the container's pid namespace. */
  hostPid: number;
  /** A file on the host's root, absent from every container's (the chroot escape looks for it). */
  marker: string;
}

export function hostBlockDevices(): HostFacts['blockDevices'] {
  return fs
    .readdirSync('/sys/dev/block')
    .map((mm) => {
      const [major, minor] = mm.split(':').map(Number) as [number, number];
      const name = fs.readlinkSync(`/sys/dev/block/${mm}`).split('/').pop()!;
      return { name, major, minor };
    })
    .sort((a, b) => a.major - b.major || a.minor - b.minor);
}

function dev(name: string, spec: string, what: string): Attempt {
  return {
    id: `device:${name}`,
    group: 'devices',
    what,
    spec,
    denied: 'EPERM',
    by: ['devices'],
    privileged: 'HOST',
    privilegedWhy: 'every device is allowed: root gets what root on the host gets',
  };
}

const PRIV_CAPS = 'all capabilities and no seccomp filter';
/** Docker mounts cgroupfs read-only (podman: EROFS); Berth mounts none, so there is no cgroup file to write. */
const NO_CGROUPFS = 'Berth mounts no cgroupfs in a container, privileged or not: /sys/fs/cgroup is absent';

export function attempts(h: HostFacts): Attempt[] {
  const a: Attempt[] = [];
  for (const b of h.blockDevices) {
    a.push(dev(b.name, `blockdev,${b.major},${b.minor}`, `mknod b ${b.major}:${b.minor} (${b.name}) and open it`));
  }
  a.push(dev('loop-control', 'chardev,10,237', 'mknod /dev/loop-control (c 10:237) and open it'));
  a.push(dev('mem', 'chardev,1,1', 'mknod /dev/mem (c 1:1) and open it'));
  a.push(dev('kmsg', 'chardev,1,11', 'mknod /dev/kmsg (c 1:11) and open it'));
  a.push(dev('port', 'chardev,1,4', 'mknod /dev/port (c 1:4) and open it'));

  const ns = (id: string, spec: string, what: string, by: Provider[]): Attempt => ({
    id,
    group: 'namespaces and mounts',
    what,
    spec,
    denied: 'EPERM',
    by,
    privileged: 'OK',
    privilegedWhy: PRIV_CAPS,
  });
  a.push(ns('unshare:user', 'unshare,user', 'unshare(CLONE_NEWUSER) (unshare -U)', ['seccomp']));
  a.push(ns('clone:user', 'clone,user', 'clone(CLONE_NEWUSER)', ['seccomp']));
  a.push(ns('unshare:mount', 'unshare,mount', 'unshare(CLONE_NEWNS) (unshare -m)', ['caps', 'seccomp']));
  a.push(ns('unshare:net', 'unshare,net', 'unshare(CLONE_NEWNET)', ['caps', 'seccomp']));
  a.push(ns('unshare:cgroup', 'unshare,cgroup', 'unshare(CLONE_NEWCGROUP)', ['caps', 'seccomp']));
  a.push(ns('mount:tmpfs', 'mount-tmpfs', 'mount -t tmpfs', ['caps', 'seccomp']));
  a.push(ns('remount:sys-rw', 'remount-rw,/sys', 'remount /sys read-write (MS_REMOUNT|MS_BIND)', ['caps', 'seccomp']));
  a.push({
    ...ns('umount:masked', 'umount,/proc/timer_list', 'umount a masked path (/proc/timer_list) to uncover it', [
      'caps',
      'seccomp',
    ]),
    privileged: 'EINVAL',
    privilegedWhy: 'nothing is masked under --privileged: /proc/timer_list is no mount point',
    requires: '/proc/timer_list',
  });

  const k = (
    id: string,
    spec: string,
    what: string,
    denied: string,
    by: Provider[],
    privileged: Expected = 'OK',
    privilegedWhy = PRIV_CAPS,
    requires?: string,
  ): Attempt => ({
    id,
    group: 'kernel interfaces',
    what,
    spec,
    denied,
    by,
    privileged,
    privilegedWhy,
    ...(requires ? { requires } : {}),
  });
  a.push(
    k(
      'proc:sysrq-trigger',
      'open-write,/proc/sysrq-trigger',
      'open /proc/sysrq-trigger for writing',
      'EROFS',
      ['masked paths'],
      'OK',
      'no read-only paths under --privileged (opened, nothing written)',
      '/proc/sysrq-trigger',
    ),
  );
  a.push(
    k(
      'proc:kcore',
      'read,/proc/kcore',
      'read /proc/kcore',
      'EOF',
      ['masked paths'],
      'OK',
      'not masked, and CAP_SYS_RAWIO',
      '/proc/kcore',
    ),
  );
  a.push(
    k(
      'proc:timer_list',
      'read,/proc/timer_list',
      'read /proc/timer_list (a masked path)',
      'EOF',
      ['masked paths'],
      'OK',
      'no masked paths under --privileged',
      '/proc/timer_list',
    ),
  );
  a.push(
    k(
      'proc:keys',
      'read,/proc/keys',
      'read /proc/keys (a masked path)',
      'EOF',
      ['masked paths'],
      'OK',
      'no masked paths under --privileged',
      '/proc/keys',
    ),
  );
  a.push(
    k(
      'proc-sys:hostname',
      'write-same,/proc/sys/kernel/hostname',
      'write under /proc/sys (kernel/hostname, its own value)',
      'EROFS',
      ['masked paths'],
      'OK',
      '/proc/sys is writable under --privileged (the UTS namespace keeps it to the container)',
    ),
  );
  a.push(
    k(
      'proc-sys:core_pattern',
      'open-write,/proc/sys/kernel/core_pattern',
      'open /proc/sys/kernel/core_pattern for writing',
      'EROFS',
      ['masked paths'],
      'OK',
      '/proc/sys is writable under --privileged (opened, nothing written)',
    ),
  );
  a.push(
    k(
      'cgroup:mkdir',
      'cgroup-mkdir',
      'mkdir a cgroup (in the first hierarchy under /sys/fs/cgroup, else in /sys/fs/cgroup)',
      'ENOENT',
      ['masked paths'],
      'ENOENT',
      NO_CGROUPFS,
    ),
  );
  a.push(
    k(
      'cgroup:write',
      'cgroup-write',
      'write a cgroup file (its own pid into cgroup.procs)',
      'ENOENT',
      ['masked paths'],
      'ENOENT',
      NO_CGROUPFS,
    ),
  );
  a.push(k('time:settimeofday', 'clock,settimeofday', 'settimeofday (date -s)', 'EPERM', ['caps', 'seccomp']));
  a.push(k('time:clock_settime', 'clock,clock_settime', 'clock_settime(CLOCK_REALTIME)', 'EPERM', ['caps', 'seccomp']));
  const noModules = 'HOST';
  const modulesWhy = 'CAP_SYS_MODULE: the kernel answers as it does to root on the host (an empty image is no module)';
  a.push(k('module:init', 'module,init', 'init_module', 'EPERM', ['caps', 'seccomp'], noModules, modulesWhy));
  a.push(k('module:finit', 'module,finit', 'finit_module', 'EPERM', ['caps', 'seccomp'], noModules, modulesWhy));
  a.push(k('module:delete', 'module,delete', 'delete_module', 'EPERM', ['caps', 'seccomp'], noModules, modulesWhy));
  a.push(
    k(
      'kexec_load',
      'kexec_load',
      'kexec_load',
      'EPERM',
      ['caps', 'seccomp'],
      'HOST',
      'CAP_SYS_BOOT: the kernel answers as to root on the host (a foreign architecture: nothing is loaded)',
    ),
  );
  a.push(k('key:add_key', 'key,add_key', 'add_key', 'EPERM', ['seccomp']));
  a.push(k('key:keyctl', 'key,keyctl', 'keyctl(KEYCTL_JOIN_SESSION_KEYRING)', 'EPERM', ['seccomp']));
  a.push(k('bpf', 'bpf', 'bpf(BPF_MAP_CREATE)', 'EPERM', ['caps', 'seccomp']));
  a.push(
    k('perf_event_open', 'perf_event_open', 'perf_event_open (a software counter on itself)', 'EPERM', ['seccomp']),
  );
  a.push(
    k(
      'open_by_handle_at',
      'open_by_handle_at,/probe',
      'open_by_handle_at on the probe volume (the "shocker" escape)',
      'EPERM',
      ['caps', 'seccomp'],
    ),
  );
  a.push(k('syslog', 'syslog', 'syslog(SYSLOG_ACTION_READ_ALL) (dmesg)', 'EPERM', ['caps', 'seccomp']));
  a.push(
    k(
      'swapon',
      'swapon',
      'swapon',
      'EPERM',
      ['caps', 'seccomp'],
      'EINVAL',
      'CAP_SYS_ADMIN: the kernel then refuses a file that is no swap area',
    ),
  );
  a.push(
    k(
      'reboot',
      'reboot',
      'reboot(LINUX_REBOOT_CMD_CAD_OFF)',
      'EPERM',
      ['caps', 'seccomp'],
      'EINVAL',
      'CAP_SYS_BOOT: inside a pid namespace the kernel accepts only restart/halt, which end the namespace',
    ),
  );
  a.push(k('iopl', 'iopl', 'iopl(3)', 'EPERM', ['caps', 'seccomp'], 'HOST', 'CAP_SYS_RAWIO: as root on the host'));

  const e = (id: string, spec: string, what: string, denied: string, by: Provider[], why: string): Attempt => ({
    id,
    group: 'escapes',
    what,
    spec,
    denied,
    by,
    privileged: denied,
    privilegedWhy: why,
  });
  a.push(
    e(
      'ptrace:host-pid',
      `host-pid,ptrace,${h.hostPid}`,
      `ptrace(PTRACE_ATTACH) the host's pid ${h.hostPid}`,
      'ESRCH',
      ['pid namespace'],
      'the pid namespace stays: host pids do not exist in it',
    ),
  );
  a.push(
    e(
      'kill:host-pid',
      `host-pid,kill,${h.hostPid}`,
      `kill(${h.hostPid}, 0): signal a host pid`,
      'ESRCH',
      ['pid namespace'],
      'the pid namespace stays',
    ),
  );
  a.push(
    e(
      'chroot-escape',
      `chroot-escape,${h.marker}`,
      'chroot(jail), chdir("..") x64, chroot("."), then open a file of the host root',
      'ENOENT',
      ['pivot_root'],
      'pivot_root and the mount namespace stay: ".." stops at the container root',
    ),
  );
  return a;
}

/** The loopback probe's attempt (CVE-2020-8558): it needs the bridge's gateway and the listener's ports. */
export function loopbackAttempt(o: { gateway: string; port: number; controlPort: number; nonce: string }): Attempt {
  return {
    id: 'net:host-loopback',
    group: 'escapes',
    what: 'a raw UDP frame to 127.0.0.1 through the bridge (CVE-2020-8558)',
    spec: `rawprobe,eth0,${o.gateway},${o.port},${o.controlPort},${o.nonce}`,
    denied: 'DROPPED',
    by: ['network guard'],
    privileged: 'DROPPED',
    privilegedWhy: "the guard is in the host's nftables table, not in the container",
    bridge: true,
  };
}

export interface ProbeResult {
  spec: string;
  outcome: string;
  step: string;
}

/** Parses the probe's lines: SPEC <TAB> OUTCOME <TAB> STEP. */
export function parseProbeOutput(text: string): Map<string, ProbeResult> {
  const out = new Map<string, ProbeResult>();
  for (const line of text.split('\n')) {
    const [spec, outcome, step] = line.split('\t');
    if (spec && outcome) out.set(spec, { spec, outcome, step: step ?? '-' });
  }
  return out;
}

/** What a mode must get for an attempt on this host ('HOST' resolved by running the probe on the host). */
export function expectedOutcome(a: Attempt, mode: 'default' | 'privileged', onHost: Map<string, ProbeResult>): string {
  if (a.requires && !fs.existsSync(a.requires)) return 'ENOENT';
  const want = mode === 'default' ? a.denied : a.privileged;
  if (want !== 'HOST') return want;
  const h = onHost.get(a.spec);
  if (!h) throw new Error(`no host result for ${a.spec}`);
  return h.outcome;
}

/** The attempts whose 'HOST' expectation is learnt by running the probe on the host (all harmless there). */
export function hostRunnable(list: Attempt[]): Attempt[] {
  return list.filter((a) => a.privileged === 'HOST' || a.denied === 'HOST');
}
