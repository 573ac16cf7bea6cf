// Extended attributes and device nodes on paths, without following a final
// symlink (l*xattr). Pure syscall layer: no N-API, safe off the JS thread.
// Used to write overlay whiteouts (char device 0:0) and opaque markers
// (trusted.overlay.opaque = "y") when unpacking image layers.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "errors.h"

namespace berth {

// lsetxattr(path, name, value, size, 0).
bool SetXattr(const std::string& path, const std::string& name, const void* value, size_t size,
              SysError* error);

// lgetxattr. *found = false (and true returned) when the attribute is absent
// (ENODATA). Retries when the value grows between the size query and the read.
bool GetXattr(const std::string& path, const std::string& name, std::vector<char>* value,
              bool* found, SysError* error);

// llistxattr: the names, in the kernel's order.
bool ListXattr(const std::string& path, std::vector<std::string>* names, SysError* error);

// mknod(path, mode, makedev(major, minor)). mode carries the file type
// (S_IFCHR, S_IFBLK, S_IFIFO, S_IFREG, S_IFSOCK) and permission bits; the
// process umask applies, as with mknod(2).
bool MakeNode(const std::string& path, mode_t mode, unsigned major, unsigned minor, SysError* error);

}  // namespace berth
