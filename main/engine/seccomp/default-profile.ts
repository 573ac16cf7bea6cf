/**
 * Berth's default seccomp profile: the semantics of Docker's documented
 * default (moby `profiles/seccomp/default.json`), written as data here.
 *
 * - Deny by default with EPERM; allow a list of ordinary syscalls on every
 *   architecture (x86_64 also admits its i386 and x32 ABIs, aarch64 its
 *   32-bit arm ABI, as Docker's archMap says).
 * - Argument filters: `socket` for every address family but AF_VSOCK (40)
 *   and those above AF_MCTP; `personality` for the few harmless personas;
 *   `clone` only without namespace flags (unless CAP_SYS_ADMIN); `clone3`
 *   answers ENOSYS so libc falls back to the filtered `clone`.
 * - Syscalls that need a capability are allowed only when the container's
 *   bounding set holds it (`includes.caps`), so `--cap-add` widens the filter
 *   with the capability, as in Docker.
 *
 * Unlike podman's default, new user namespaces are blocked: `unshare` and
 * namespace flags of `clone` need CAP_SYS_ADMIN. Ways to allow them:
 * `--cap-add SYS_ADMIN` (as in Docker), `--security-opt seccomp=unconfined`,
 * or a custom profile.
 */
import type { SeccompProfileT, SeccompSyscallT } from './profile-schema';

/** Allowed for every container, on every architecture that has them. */
// prettier-ignore
const ALLOWED: readonly string[] = [
  // files and directories
  'access', 'chdir', 'chmod', 'chown', 'chown32', 'close', 'close_range', 'copy_file_range', 'creat',
  'dup', 'dup2', 'dup3', 'faccessat', 'faccessat2', 'fadvise64', 'fadvise64_64', 'fallocate', 'fchdir',
  'fchmod', 'fchmodat', 'fchmodat2', 'fchown', 'fchown32', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync',
  'flock', 'fstat', 'fstat64', 'fstatat64', 'fstatfs', 'fstatfs64', 'fsync', 'ftruncate', 'ftruncate64',
  'futimesat', 'getcwd', 'getdents', 'getdents64', 'lchown', 'lchown32', 'link', 'linkat', '_llseek',
  'lseek', 'lstat', 'lstat64', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'newfstatat', 'open', 'openat',
  'openat2', 'pread64', 'preadv', 'preadv2', 'pwrite64', 'pwritev', 'pwritev2', 'read', 'readahead',
  'readlink', 'readlinkat', 'readv', 'rename', 'renameat', 'renameat2', 'rmdir', 'sendfile', 'sendfile64',
  'splice', 'stat', 'stat64', 'statfs', 'statfs64', 'statx', 'symlink', 'symlinkat', 'sync',
  'sync_file_range', 'syncfs', 'tee', 'truncate', 'truncate64', 'umask', 'unlink', 'unlinkat', 'utime',
  'utimensat', 'utimensat_time64', 'utimes', 'vmsplice', 'write', 'writev', 'name_to_handle_at',
  'cachestat', 'listmount', 'statmount',
  // extended attributes
  'fgetxattr', 'flistxattr', 'fremovexattr', 'fsetxattr', 'getxattr', 'getxattrat', 'lgetxattr',
  'listxattr', 'listxattrat', 'llistxattr', 'lremovexattr', 'lsetxattr', 'removexattr', 'removexattrat',
  'setxattr', 'setxattrat',
  // events, polling, timers
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2',
  'epoll_wait', 'epoll_wait_old', 'eventfd', 'eventfd2', 'fanotify_mark', 'inotify_add_watch',
  'inotify_init', 'inotify_init1', 'inotify_rm_watch', 'poll', 'ppoll', 'ppoll_time64', 'pselect6',
  'pselect6_time64', 'select', '_newselect', 'alarm', 'getitimer', 'setitimer', 'nanosleep', 'pause',
  'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime',
  'timer_settime64', 'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime',
  'timerfd_settime64', 'io_cancel', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64',
  'io_setup', 'io_submit',
  // clocks (reading; setting needs CAP_SYS_TIME below)
  'adjtimex', 'clock_adjtime', 'clock_adjtime64', 'clock_getres', 'clock_getres_time64', 'clock_gettime',
  'clock_gettime64', 'clock_nanosleep', 'clock_nanosleep_time64', 'gettimeofday', 'time', 'times',
  // processes, threads, signals
  'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'wait4', 'waitid', 'waitpid', 'kill',
  'tgkill', 'tkill', 'getpid', 'getppid', 'gettid', 'getpgid', 'getpgrp', 'getsid', 'setpgid', 'setsid',
  'getpriority', 'setpriority', 'getrlimit', 'ugetrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'prctl',
  'restart_syscall', 'rseq', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo',
  'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo',
  'sigaltstack', 'signalfd', 'signalfd4', 'sigprocmask', 'sigreturn', 'set_robust_list', 'get_robust_list',
  'set_tid_address', 'set_thread_area', 'get_thread_area', 'futex', 'futex_requeue', 'futex_time64',
  'futex_wait', 'futex_waitv', 'futex_wake', 'pidfd_open', 'pidfd_send_signal', 'process_mrelease',
  'sched_getaffinity', 'sched_getattr', 'sched_getparam', 'sched_get_priority_max',
  'sched_get_priority_min', 'sched_getscheduler', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
  'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler', 'sched_yield', 'getcpu',
  'ioprio_get', 'ioprio_set', 'capget', 'capset', 'seccomp', 'landlock_add_rule',
  'landlock_create_ruleset', 'landlock_restrict_self', 'membarrier',
  // credentials
  'getegid', 'getegid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getgroups', 'getgroups32',
  'getresgid', 'getresgid32', 'getresuid', 'getresuid32', 'getuid', 'getuid32', 'setfsgid', 'setfsgid32',
  'setfsuid', 'setfsuid32', 'setgid', 'setgid32', 'setgroups', 'setgroups32', 'setregid', 'setregid32',
  'setresgid', 'setresgid32', 'setresuid', 'setresuid32', 'setreuid', 'setreuid32', 'setuid', 'setuid32',
  // memory
  'brk', 'madvise', 'map_shadow_stack', 'memfd_create', 'memfd_secret', 'mincore', 'mlock', 'mlock2',
  'mlockall', 'mmap', 'mmap2', 'mprotect', 'mremap', 'mseal', 'msync', 'munlock', 'munlockall', 'munmap',
  'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'remap_file_pages',
  // System V and POSIX IPC
  'ipc', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'semctl', 'semget', 'semop', 'semtimedop',
  'semtimedop_time64', 'shmat', 'shmctl', 'shmdt', 'shmget', 'mq_getsetattr', 'mq_notify', 'mq_open',
  'mq_timedreceive', 'mq_timedreceive_time64', 'mq_timedsend', 'mq_timedsend_time64', 'mq_unlink',
  // sockets (socket itself is filtered by family below)
  'accept', 'accept4', 'bind', 'connect', 'getpeername', 'getsockname', 'getsockopt', 'listen', 'recv',
  'recvfrom', 'recvmmsg', 'recvmmsg_time64', 'recvmsg', 'send', 'sendmmsg', 'sendmsg', 'sendto',
  'setsockopt', 'shutdown', 'socketcall', 'socketpair', 'pipe', 'pipe2',
  // misc
  'getrandom', 'ioctl', 'sysinfo', 'uname', 'riscv_hwprobe', 'uretprobe',
];

/**
 * Address families socket(2) may create, Docker's list: 0–11 (AF_UNSPEC …
 * AF_ROSE) as one "less than" test, then one by one. Left out: AF_DECnet
 * (12), AF_SECURITY, AF_WANPIPE, AF_IRDA, AF_NFC-era legacy ones, AF_VSOCK
 * (40, the hypervisor's sockets) and everything newer than AF_MCTP (45).
 */
const SOCKET_FAMILIES_BELOW = 12;
// prettier-ignore
const SOCKET_FAMILIES = [13, 14, 15, 16, 17, 18, 21, 22, 24, 26, 27, 28, 29, 30, 31, 32, 33, 35, 36, 39, 41, 42, 43, 44, 45];

/** personality(2) values that do not weaken the address space: PER_LINUX, UNAME26, PER_LINUX32, their mix, and a query. */
const PERSONAS = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** clone(2) flags that make namespaces: CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
export const CLONE_NAMESPACE_FLAGS =
  0x02000000 | 0x00020000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

const ENOSYS = 38;

/** Allowed only when the bounding set holds every capability named. */
// prettier-ignore
const BY_CAPABILITY: ReadonlyArray<[cap: string, names: string[]]> = [
  ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  [
    'CAP_SYS_ADMIN',
    [
      'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie',
      'lsm_get_self_attr', 'lsm_list_modules', 'lsm_set_self_attr', 'mount', 'mount_setattr', 'move_mount',
      'open_tree', 'perf_event_open', 'quotactl', 'quotactl_fd', 'setdomainname', 'sethostname', 'setns',
      'syslog', 'umount', 'umount2', 'unshare',
    ],
  ],
  ['CAP_SYS_BOOT', ['reboot']],
  ['CAP_SYS_CHROOT', ['chroot']],
  ['CAP_SYS_MODULE', ['delete_module', 'init_module', 'finit_module']],
  ['CAP_SYS_PACCT', ['acct']],
  ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace']],
  ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
  ['CAP_SYS_TIME', ['settimeofday', 'stime', 'clock_settime', 'clock_settime64']],
  ['CAP_SYS_TTY_CONFIG', ['vhangup']],
  ['CAP_SYS_NICE', ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node']],
  ['CAP_SYSLOG', ['syslog']],
  ['CAP_BPF', ['bpf']],
  ['CAP_PERFMON', ['perf_event_open']],
];

/** Allowed only on the architectures named (Docker's GOARCH names). */
// prettier-ignore
const BY_ARCH: ReadonlyArray<[arches: string[], names: string[]]> = [
  [['ppc64le'], ['sync_file_range2', 'swapcontext']],
  [['arm', 'arm64'], ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls']],
  [['amd64', 'x32'], ['arch_prctl']],
  [['amd64', 'x32', 'x86'], ['modify_ldt']],
  [['s390', 's390x'], ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr']],
  [['riscv64'], ['riscv_flush_icache']],
];

function allow(names: string[], extra: Partial<SeccompSyscallT> = {}): SeccompSyscallT {
  return { names, action: 'SCMP_ACT_ALLOW', ...extra };
}

function build(): SeccompProfileT {
  const syscalls: SeccompSyscallT[] = [allow([...ALLOWED])];
  // ptrace and process_vm_* without CAP_SYS_PTRACE: safe since 4.8, where
  // seccomp runs after ptrace's changes (no filter bypass through a tracer).
  syscalls.push(allow(['process_vm_readv', 'process_vm_writev', 'ptrace'], { includes: { minKernel: '4.8' } }));
  syscalls.push(
    allow(['socket'], { args: [{ index: 0, value: SOCKET_FAMILIES_BELOW, valueTwo: 0, op: 'SCMP_CMP_LT' }] }),
  );
  for (const family of SOCKET_FAMILIES) {
    syscalls.push(allow(['socket'], { args: [{ index: 0, value: family, valueTwo: 0, op: 'SCMP_CMP_EQ' }] }));
  }
  for (const persona of PERSONAS) {
    syscalls.push(allow(['personality'], { args: [{ index: 0, value: persona, valueTwo: 0, op: 'SCMP_CMP_EQ' }] }));
  }
  for (const [arches, names] of BY_ARCH) syscalls.push(allow(names, { includes: { arches } }));
  for (const [cap, names] of BY_CAPABILITY) syscalls.push(allow(names, { includes: { caps: [cap] } }));
  // Without CAP_SYS_ADMIN: clone only when no namespace flag is set (s390
  // passes the flags second), clone3 (flags in a struct the filter cannot
  // read) answers ENOSYS so that libc falls back to clone.
  syscalls.push(
    allow(['clone'], {
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] },
    }),
    allow(['clone'], {
      args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      includes: { arches: ['s390', 's390x'] },
      excludes: { caps: ['CAP_SYS_ADMIN'] },
    }),
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } },
  );
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
      { architecture: 'SCMP_ARCH_MIPS64', subArchitectures: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'] },
      { architecture: 'SCMP_ARCH_MIPSEL64', subArchitectures: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'] },
      { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
      { architecture: 'SCMP_ARCH_PPC64LE', subArchitectures: [] },
      { architecture: 'SCMP_ARCH_RISCV64', subArchitectures: [] },
    ],
    syscalls,
  };
}

export const DEFAULT_SECCOMP_PROFILE: SeccompProfileT = build();
