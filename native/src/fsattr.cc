#include "fsattr.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

namespace berth {

namespace {

// A value or list may change size between the size query and the read
// (ERANGE): retry a few times, then report ERANGE.
constexpr int kRetries = 8;

}  // namespace

bool SetXattr(const std::string& path, const std::string& name, const void* value, size_t size,
              SysError* error) {
  if (::lsetxattr(path.c_str(), name.c_str(), value, size, 0) != 0) {
    *error = PathError(errno, "lsetxattr", name, path);
    return false;
  }
  return true;
}

bool GetXattr(const std::string& path, const std::string& name, std::vector<char>* value,
              bool* found, SysError* error) {
  *found = false;
  for (int attempt = 0; attempt < kRetries; attempt++) {
    ssize_t size = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (size < 0) {
      if (errno == ENODATA) return true;
      *error = PathError(errno, "lgetxattr", name, path);
      return false;
    }
    value->resize(static_cast<size_t>(size));
    if (size == 0) {
      *found = true;
      return true;
    }
    ssize_t got = ::lgetxattr(path.c_str(), name.c_str(), value->data(), value->size());
    if (got >= 0) {
      value->resize(static_cast<size_t>(got));
      *found = true;
      return true;
    }
    if (errno == ENODATA) {  // removed in between
      value->clear();
      return true;
    }
    if (errno != ERANGE) {
      *error = PathError(errno, "lgetxattr", name, path);
      return false;
    }
  }
  *error = PathError(ERANGE, "lgetxattr", name, path);
  return false;
}

bool ListXattr(const std::string& path, std::vector<std::string>* names, SysError* error) {
  names->clear();
  std::vector<char> buf;
  for (int attempt = 0; attempt < kRetries; attempt++) {
    ssize_t size = ::llistxattr(path.c_str(), nullptr, 0);
    if (size < 0) {
      *error = PathError(errno, "llistxattr", "", path);
      return false;
    }
    if (size == 0) return true;
    buf.resize(static_cast<size_t>(size));
    ssize_t got = ::llistxattr(path.c_str(), buf.data(), buf.size());
    if (got < 0) {
      if (errno == ERANGE) continue;
      *error = PathError(errno, "llistxattr", "", path);
      return false;
    }
    // "name1\0name2\0..."
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(got); i++) {
      if (buf[i] == '\0') {
        if (i > start) names->emplace_back(buf.data() + start, i - start);
        start = i + 1;
      }
    }
    return true;
  }
  *error = PathError(ERANGE, "llistxattr", "", path);
  return false;
}

bool MakeNode(const std::string& path, mode_t mode, unsigned major, unsigned minor, SysError* error) {
  if (::mknod(path.c_str(), mode, makedev(major, minor)) != 0) {
    *error = PathError(errno, "mknod", std::to_string(major) + ":" + std::to_string(minor), path);
    return false;
  }
  return true;
}

}  // namespace berth
