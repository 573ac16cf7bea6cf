// The container's overlay rootfs, mounted by the child inside its own mount
// namespace (so it disappears with the container, never visible on the host).
//
// Long layer lists: mount(2) takes the options in one page (4096 bytes), so
// "lowerdir=a:b:c,..." fails beyond a few dozen image layers. We use the new
// mount API instead: fsopen("overlay") and one fsconfig(FSCONFIG_SET_STRING,
// "lowerdir+", layer) per layer (Linux ≥ 6.8), which has no total length limit
// (each path is still limited to 255 bytes by fsconfig). Where that is not
// available (ENOSYS for fsopen, or a kernel that rejects "lowerdir+"), we
// fall back to mount(2): with the options too long for a page, we chdir into
// the common parent directory of all the layers and pass relative paths
// (what Docker's overlay2 driver does with its short "l/" links), and fail
// with E2BIG if even that does not fit.
#pragma once

#include <string>
#include <vector>

#include "error.h"
#include "spec.h"
#include "unique_fd.h"

namespace berth::monitor {

enum class OverlayMethod { kAuto, kLegacy };

// `lowers`: id-mapped mounts of overlay.lowerdirs (same order) to use
// instead of the paths (fsconfig FSCONFIG_SET_FD "lowerdir+", Linux ≥ 6.13;
// no fallback), or empty.
bool MountOverlay(const Overlay& overlay, const std::string& target, OverlayMethod method,
                  const std::vector<UniqueFd>& lowers, Error* error);

}  // namespace berth::monitor
