// OCI mount options ("ro", "nosuid", "rbind", "rprivate", "size=64m", ...)
// split into mount(2) flags, propagation and the filesystem's data string,
// with runc's vocabulary.
#pragma once

#include <sys/mount.h>

#include <string>
#include <vector>

namespace berth::monitor {

struct MountOptions {
  unsigned long flags = 0;        // MS_* to set
  unsigned long clear = 0;        // MS_* explicitly cleared ("rw", "suid", "exec", ...)
  unsigned long propagation = 0;  // MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE (+ MS_REC)
  bool bind = false;
  bool recursive = false;         // rbind
  std::string data;               // everything else, comma-joined
};

MountOptions ParseMountOptions(const std::vector<std::string>& options);

// MOUNT_ATTR_* for mount_setattr(2) from MS_* flags (ro, nosuid, nodev,
// noexec, atime family); *clear receives the attributes to clear.
unsigned long long MountAttrFromFlags(unsigned long flags, unsigned long clear, unsigned long long* attrClear);

}  // namespace berth::monitor
