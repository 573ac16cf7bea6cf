#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "sys.h"

namespace berth::monitor {

namespace {

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') i++;
    size_t start = i;
    while (i < path.size() && path[i] != '/') i++;
    if (i > start) {
      std::string c = path.substr(start, i - start);
      if (c != ".") out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string FdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

bool OpenInRoot(int rootfd, const std::string& path, TargetKind kind, bool create, uint64_t extraResolve,
                const std::string& step, UniqueFd* out, Error* error) {
  const uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extraResolve;
  std::vector<std::string> parts = Components(path);
  UniqueFd parent(::fcntl(rootfd, F_DUPFD_CLOEXEC, 3));
  if (!parent.Valid()) {
    *error = SysError(step, "dup rootfs fd");
    return false;
  }
  std::string prefix;
  for (size_t i = 0; i < parts.size(); i++) {
    const bool last = i + 1 == parts.size();
    const bool wantDir = !last || kind == TargetKind::kDirectory;
    prefix += (prefix.empty() ? "" : "/") + parts[i];

    int fd = sys::Openat2(rootfd, prefix.c_str(), O_PATH | O_CLOEXEC, resolve);
    if (fd < 0 && errno == ENOENT && create && parts[i] != "..") {
      // Create the missing component in the directory resolved so far; a
      // plain name (no '/') under an fd cannot escape. EEXIST: something
      // appeared meanwhile, or it is a dangling symlink; the re-open below
      // resolves it (again within the root) or reports ENOENT.
      int rc;
      if (wantDir) {
        rc = ::mkdirat(parent.Get(), parts[i].c_str(), 0755);
      } else {
        rc = ::openat(parent.Get(), parts[i].c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (rc >= 0) ::close(rc);
      }
      if (rc < 0 && errno != EEXIST) {
        *error = SysError(step, std::string(wantDir ? "mkdir " : "create ") + "/" + prefix + " in the rootfs");
        return false;
      }
      fd = sys::Openat2(rootfd, prefix.c_str(), O_PATH | O_CLOEXEC, resolve);
    }
    if (fd < 0) {
      *error = SysError(step, "resolve /" + prefix + " in the rootfs");
      return false;
    }
    UniqueFd cur(fd);
    struct stat st;
    if (::fstat(cur.Get(), &st) != 0) {
      *error = SysError(step, "fstat /" + prefix + " in the rootfs");
      return false;
    }
    if (wantDir && !S_ISDIR(st.st_mode)) {
      *error = SysError(step, "resolve /" + prefix + " in the rootfs", ENOTDIR);
      return false;
    }
    if (!wantDir && S_ISDIR(st.st_mode)) {
      *error = SysError(step, "resolve /" + prefix + " in the rootfs", EISDIR, "a file is mounted here, the target is a directory");
      return false;
    }
    parent = std::move(cur);
  }
  *out = std::move(parent);
  return true;
}

}  // namespace berth::monitor
