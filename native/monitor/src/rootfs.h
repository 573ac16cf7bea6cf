// The container's filesystem view, built by the child in its new mount
// namespace. PrepareRootfs, in order:
// It runs as the host's root even for a user-namespaced container (the
// child enters its user namespace only after FinishRootfs; userns.h).
//   1. overlay onto root.path (or root.path bind-mounted onto itself); with
//      a user namespace the layers come as id-mapped mount fds
//   2. /proc      proc      nosuid,nodev,noexec
//   3. /sys       sysfs     ro,nosuid,nodev,noexec (EPERM: rbind of the
//                           host's /sys, made read-only recursively)
//   4. /dev       tmpfs     nosuid,strictatime,mode=755,size=65536k
//        null zero full random urandom tty: mknod 0666
//        fd -> /proc/self/fd, stdin/stdout/stderr -> /proc/self/fd/0..2,
//        ptmx -> pts/ptmx, console (empty file, the pty is bound on it later)
//      /dev/pts    devpts  newinstance,ptmxmode=0666,mode=0620,gid=5 nosuid,noexec
//      /dev/shm    tmpfs   mode=1777,size=65536k nosuid,nodev,noexec
//      /dev/mqueue mqueue  nosuid,nodev,noexec
//   5. spec.mounts in order (binds via open_tree + mount_setattr + move_mount,
//      so "ro" is applied, recursively for rbind, before the mount is visible)
//   6. pivot_root(".", ".") + umount2(".", MNT_DETACH), chdir("/")
// FinishRootfs (after pivot_root, and after the console is set up):
//   7. maskedPaths: /dev/null bound over files, an empty read-only tmpfs over
//      directories; missing paths are skipped
//   8. readonlyPaths: bound onto themselves read-only (recursively)
//   9. root.readonly: the root mount made read-only
#pragma once

#include <vector>

#include "error.h"
#include "spec.h"
#include "unique_fd.h"

namespace berth::monitor {

// `lowers`: id-mapped mounts of spec.overlay.lowerdirs (same order), or empty.
bool PrepareRootfs(const Spec& spec, const std::vector<UniqueFd>& lowers, Error* error);
bool FinishRootfs(const Spec& spec, Error* error);

// Binds the pty slave (a path such as /dev/pts/0, after pivot_root) onto
// /dev/console.
bool BindConsole(const std::string& slavePath, Error* error);

}  // namespace berth::monitor
