#include "sys.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

namespace berth::sys {

namespace {

// struct clone_args of <linux/sched.h> (CLONE_ARGS_SIZE_VER2), declared here
// so <linux/sched.h> and glibc's <sched.h> need not be mixed.
struct CloneArgs {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};

}  // namespace

pid_t CloneFork(uint64_t flags, int* pidfd, int cgroupFd) {
  int fd = -1;
  CloneArgs args;
  memset(&args, 0, sizeof args);
  args.flags = flags;
  args.pidfd = reinterpret_cast<uint64_t>(&fd);
  // CLONE_PARENT: the child's exit signal is the caller's own (clone3
  // refuses one of ours, EINVAL).
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  if (cgroupFd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroupFd);
  }
  long rc = ::syscall(SYS_clone3, &args, sizeof args);
  if (rc < 0 && errno == ENOSYS && (flags & CLONE_NEWTIME) == 0 && cgroupFd < 0) {
    // clone(2): with a NULL stack the child runs on a copy of our stack, like
    // fork. x86-64 argument order: flags, stack, parent_tid, child_tid, tls;
    // CLONE_PIDFD stores the pidfd through parent_tid.
    rc = ::syscall(SYS_clone, static_cast<unsigned long>(flags) | SIGCHLD, nullptr, &fd, nullptr, nullptr);
  }
  if (rc > 0 && pidfd) *pidfd = fd;
  return static_cast<pid_t>(rc);
}

int Openat2(int dirfd, const char* path, uint64_t flags, uint64_t resolve, uint64_t mode) {
  OpenHow how;
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}

int CloseRange(unsigned first, unsigned last, unsigned flags) {
  return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}

int PidfdOpen(pid_t pid, unsigned flags) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags)); }

int PidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

int OpenTree(int dirfd, const char* path, unsigned flags) {
  return static_cast<int>(::syscall(SYS_open_tree, dirfd, path, flags));
}

int MoveMount(int fromDirfd, const char* fromPath, int toDirfd, const char* toPath, unsigned flags) {
  return static_cast<int>(::syscall(SYS_move_mount, fromDirfd, fromPath, toDirfd, toPath, flags));
}

int FsOpen(const char* fsName, unsigned flags) { return static_cast<int>(::syscall(SYS_fsopen, fsName, flags)); }

int FsConfig(int fsfd, unsigned cmd, const char* key, const void* value, int aux) {
  return static_cast<int>(::syscall(SYS_fsconfig, fsfd, cmd, key, value, aux));
}

int FsMount(int fsfd, unsigned flags, unsigned attrFlags) {
  return static_cast<int>(::syscall(SYS_fsmount, fsfd, flags, attrFlags));
}

int MountSetattr(int dirfd, const char* path, unsigned flags, struct mount_attr* attr) {
  return static_cast<int>(::syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof *attr));
}

int SetNs(int fd, int nstype) { return static_cast<int>(::syscall(SYS_setns, fd, nstype)); }

void KillAndReap(int pidfd) {
  PidfdSendSignal(pidfd, SIGKILL);
  siginfo_t info;
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED) != 0 && errno == EINTR) {
  }
}

}  // namespace berth::sys
