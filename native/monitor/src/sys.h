// Raw syscall wrappers for calls glibc 2.36 lacks or wraps awkwardly (clone3
// with fork semantics, openat2, pidfds, close_range and the new mount API),
// and the constants some headers miss. All return -1 with errno on failure.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>  // glibc ≥ 2.36: new mount API constants and struct mount_attr
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>  // before P_PIDFD below: glibc declares it as an enumerator
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace berth::sys {

// Fork-like clone3 (no CLONE_VM, no new stack): returns the child's pid in
// the parent and 0 in the child. With CLONE_PIDFD in flags, *pidfd receives a
// pidfd (O_CLOEXEC). Falls back to clone(2) where clone3 is refused
// (ENOSYS: old kernels, seccomp profiles of older container engines).
// cgroupFd >= 0: the child is born in that cgroup2 directory
// (CLONE_INTO_CGROUP, Linux >= 5.7: no cgroup.procs write, which takes
// cgroup_threadgroup_rwsem for writing); no clone(2) fallback then.
pid_t CloneFork(uint64_t flags, int* pidfd, int cgroupFd = -1);

struct OpenHow {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
int Openat2(int dirfd, const char* path, uint64_t flags, uint64_t resolve, uint64_t mode = 0);

int CloseRange(unsigned first, unsigned last, unsigned flags);
int PidfdOpen(pid_t pid, unsigned flags);
int PidfdSendSignal(int pidfd, int sig);

int OpenTree(int dirfd, const char* path, unsigned flags);
int MoveMount(int fromDirfd, const char* fromPath, int toDirfd, const char* toPath, unsigned flags);
int FsOpen(const char* fsName, unsigned flags);
int FsConfig(int fsfd, unsigned cmd, const char* key, const void* value, int aux);
int FsMount(int fsfd, unsigned flags, unsigned attrFlags);
int MountSetattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr);

int SetNs(int fd, int nstype);

// SIGKILL through the pidfd, then reap it (retrying on EINTR).
void KillAndReap(int pidfd);

}  // namespace berth::sys
