// Mount targets inside the container's rootfs, resolved and created without
// ever leaving it. A hostile image can hold symlinks such as /proc -> /etc or
// /data -> ../../../../host; every component is resolved with openat2(2)
// RESOLVE_IN_ROOT relative to an fd of the rootfs, so ".." and absolute
// symlinks stop at the rootfs' top, as they would after pivot_root. Missing
// components are created (mkdirat, or an empty file for the last one) in
// the parent directory that was itself resolved that way, and the result is
// an O_PATH fd: mounts then target that fd (move_mount with
// MOVE_MOUNT_T_EMPTY_PATH, or mount(2) on /proc/self/fd/N), so nothing can
// swap the path between the check and the mount.
#pragma once

#include <stdint.h>

#include <string>

#include "error.h"
#include "unique_fd.h"

namespace berth::monitor {

enum class TargetKind { kDirectory, kFile };

// `path` is absolute inside the container ("/dev/pts"). extraResolve adds
// RESOLVE_* flags (RESOLVE_NO_SYMLINKS for /proc, /sys, /dev). Errors: step
// `step`, what "<verb> <path>".
bool OpenInRoot(int rootfd, const std::string& path, TargetKind kind, bool create, uint64_t extraResolve,
                const std::string& step, UniqueFd* out, Error* error);

// "/proc/self/fd/N": a path naming exactly the object fd was opened on, for
// syscalls that take paths (mount(2)). Valid while /proc is the host's (before
// pivot_root) or the container's own (after).
std::string FdPath(int fd);

}  // namespace berth::monitor
