// Paths resolved inside a container's root, and a detached overlay mount for a
// stopped container (berth cp, berth commit). See inroot.cc.
#pragma once

#include <string>
#include <vector>

#include "errors.h"

namespace berth {

// Opens `path` as if `rootFd` were "/": absolute symlinks restart at rootFd,
// ".." never climbs above it, magic links (/proc/PID/fd/N) are refused.
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) where the kernel has it
// (5.6+), else (or with `walk`) a component-by-component walk with O_NOFOLLOW
// that follows symlinks itself under the same rules. O_CLOEXEC is always added.
bool OpenInRoot(int rootFd, const std::string& path, int flags, unsigned mode, bool walk, int* out,
                SysError* error);

// An overlay mounted with fsopen/fsmount and never attached anywhere: the
// returned O_CLOEXEC fd is its root; the mount goes when the last fd does.
// nosuid, nodev, noexec.
bool OverlayMountFd(const std::vector<std::string>& lowers, const std::string& upper, const std::string& work,
                    int* out, SysError* error);

}  // namespace berth
