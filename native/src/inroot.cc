#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <deque>
#include <string>
#include <vector>

#include "unique_fd.h"

#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_IN_ROOT
#define RESOLVE_IN_ROOT 0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif

namespace berth {

namespace {

// Values from linux/mount.h (not included: it clashes with glibc's sys/mount.h).
constexpr unsigned kFsopenCloexec = 0x1;
constexpr unsigned kFsconfigSetString = 1;
constexpr unsigned kFsconfigCmdCreate = 6;
constexpr unsigned kFsmountCloexec = 0x1;
constexpr unsigned kAttrNosuid = 0x2;
constexpr unsigned kAttrNodev = 0x4;
constexpr unsigned kAttrNoexec = 0x8;
constexpr int kMaxLinks = 40;  // the kernel's MAXSYMLINKS

struct OpenHow {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

void Split(const std::string& path, std::deque<std::string>* out, bool front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (front) {
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) out->push_front(*it);
  } else {
    for (auto& p : parts) out->push_back(p);
  }
}

SysError WalkError(int err, const char* syscall, const std::string& path) {
  return PathError(err, syscall, "in root", path);
}

// The fallback: every step is openat(..., O_NOFOLLOW) on the directory fd
// reached so far, symlinks are read and spliced into the remaining components
// (absolute ones restart at the root), and ".." pops a stack whose bottom is
// the root, so no step ever names a directory outside it.
bool Walk(int rootFd, const std::string& path, int flags, unsigned mode, int* out, SysError* error) {
  std::vector<UniqueFd> stack;
  stack.emplace_back(::fcntl(rootFd, F_DUPFD_CLOEXEC, 0));
  if (!stack.back().Valid()) {
    *error = WalkError(errno, "fcntl", path);
    return false;
  }
  std::deque<std::string> rest;
  Split(path, &rest, false);
  int links = 0;
  while (true) {
    if (rest.empty()) {
      // The path named the directory reached ("/", ".", "a/..").
      int fd = ::openat(stack.back().Get(), ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
      if (fd < 0) {
        *error = WalkError(errno, "openat", path);
        return false;
      }
      *out = fd;
      return true;
    }
    std::string comp = rest.front();
    rest.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      if (stack.size() > 1) stack.pop_back();
      continue;
    }
    const bool last = rest.empty();
    int cur = stack.back().Get();
    if (!last || !(flags & O_NOFOLLOW)) {
      UniqueFd step(::openat(cur, comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!step.Valid()) {
        if (last && errno == ENOENT && (flags & O_CREAT)) {
          // Created below, in the directory reached.
        } else {
          *error = WalkError(errno, "openat", path);
          return false;
        }
      } else {
        struct stat st;
        if (::fstat(step.Get(), &st) != 0) {
          *error = WalkError(errno, "fstat", path);
          return false;
        }
        if (S_ISLNK(st.st_mode)) {
          if (++links > kMaxLinks) {
            *error = WalkError(ELOOP, "openat", path);
            return false;
          }
          char buf[4096];
          ssize_t n = ::readlinkat(step.Get(), "", buf, sizeof buf);
          if (n < 0 || n >= static_cast<ssize_t>(sizeof buf)) {
            *error = WalkError(n < 0 ? errno : ENAMETOOLONG, "readlinkat", path);
            return false;
          }
          std::string target(buf, static_cast<size_t>(n));
          if (!target.empty() && target[0] == '/') stack.resize(1);
          Split(target, &rest, true);
          continue;
        }
        if (!last) {
          if (!S_ISDIR(st.st_mode)) {
            *error = WalkError(ENOTDIR, "openat", path);
            return false;
          }
          stack.push_back(std::move(step));
          continue;
        }
      }
    }
    // The last component, not a symlink (or O_NOFOLLOW asked for it as it is).
    int fd = ::openat(cur, comp.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
      *error = WalkError(errno, "openat", path);
      return false;
    }
    *out = fd;
    return true;
  }
}

}  // namespace

bool OpenInRoot(int rootFd, const std::string& path, int flags, unsigned mode, bool walk, int* out,
                SysError* error) {
  if (!walk) {
    OpenHow how{};
    how.flags = static_cast<uint64_t>(static_cast<unsigned>(flags | O_CLOEXEC));
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const char* p = path.empty() ? "." : path.c_str();
    long fd = ::syscall(SYS_openat2, rootFd, p, &how, sizeof how);
    if (fd >= 0) {
      *out = static_cast<int>(fd);
      return true;
    }
    if (errno != ENOSYS) {
      *error = PathError(errno, "openat2", "in root", path);
      return false;
    }
  }
  return Walk(rootFd, path, flags, mode, out, error);
}

bool OverlayMountFd(const std::vector<std::string>& lowers, const std::string& upper, const std::string& work,
                    int* out, SysError* error) {
  UniqueFd fsfd(static_cast<int>(::syscall(SYS_fsopen, "overlay", kFsopenCloexec)));
  if (!fsfd.Valid()) {
    *error = PathError(errno, "fsopen", "overlay", upper);
    return false;
  }
  auto set = [&](const char* key, const std::string& value) {
    if (::syscall(SYS_fsconfig, fsfd.Get(), kFsconfigSetString, key, value.c_str(), 0) == 0) return true;
    *error = PathError(errno, "fsconfig", key, value);
    return false;
  };
  // lowerdir+ (6.8+) takes one layer at a time, without the page-size limit of
  // one option string; older kernels get the joined form.
  bool plus = true;
  for (size_t i = 0; i < lowers.size(); i++) {
    if (::syscall(SYS_fsconfig, fsfd.Get(), kFsconfigSetString, "lowerdir+", lowers[i].c_str(), 0) == 0) continue;
    if (i == 0 && errno == EINVAL) {
      plus = false;
      break;
    }
    *error = PathError(errno, "fsconfig", "lowerdir+", lowers[i]);
    return false;
  }
  if (!plus) {
    std::string joined;
    for (size_t i = 0; i < lowers.size(); i++) joined += (i ? ":" : "") + lowers[i];
    if (!set("lowerdir", joined)) return false;
  }
  if (!set("upperdir", upper) || !set("workdir", work)) return false;
  if (::syscall(SYS_fsconfig, fsfd.Get(), kFsconfigCmdCreate, nullptr, nullptr, 0) != 0) {
    *error = PathError(errno, "fsconfig", "create overlay", upper);
    return false;
  }
  int mnt = static_cast<int>(
      ::syscall(SYS_fsmount, fsfd.Get(), kFsmountCloexec, kAttrNosuid | kAttrNodev | kAttrNoexec));
  if (mnt < 0) {
    *error = PathError(errno, "fsmount", "overlay", upper);
    return false;
  }
  *out = mnt;
  return true;
}

}  // namespace berth
