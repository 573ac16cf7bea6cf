#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <vector>

#include "sys.h"
#include "unique_fd.h"

namespace berth::monitor {

namespace {

// The fs context keeps the kernel's messages ("e overlayfs: failed to
// resolve 'x': -2"): read them to say *why* it failed.
std::string KernelMessages(int fsfd) {
  std::string all;
  char buf[1024];
  while (true) {
    ssize_t n = ::read(fsfd, buf, sizeof buf - 1);
    if (n <= 0) break;
    buf[n] = '\0';
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.size() > 2 && line[1] == ' ') line = line.substr(2);  // "e ", "w ", "i " prefixes
    if (!all.empty()) all += "; ";
    all += line;
  }
  return all;
}

bool SetString(int fsfd, const char* key, const std::string& value, Error* error) {
  if (sys::FsConfig(fsfd, FSCONFIG_SET_STRING, key, value.c_str(), 0) != 0) {
    int err = errno;
    *error = SysError("overlay", std::string("fsconfig overlay ") + key + "=" + value, err, KernelMessages(fsfd));
    return false;
  }
  return true;
}

// Returns false with error->err == ENOSYS/EINVAL(+lowerdir+) when the caller
// should fall back to mount(2).
bool MountWithFsopen(const Overlay& o, const std::string& target, const std::vector<UniqueFd>& lowers, bool* fallBack,
                     Error* error) {
  *fallBack = false;
  UniqueFd fsfd(sys::FsOpen("overlay", FSOPEN_CLOEXEC));
  if (!fsfd.Valid()) {
    if (errno == ENOSYS) {
      *fallBack = true;
      return false;
    }
    *error = SysError("overlay", "fsopen overlay");
    return false;
  }
  for (size_t i = 0; i < lowers.size(); i++) {
    if (sys::FsConfig(fsfd.Get(), FSCONFIG_SET_FD, "lowerdir+", nullptr, lowers[i].Get()) != 0) {
      int err = errno;
      *error = SysError("overlay", "fsconfig overlay lowerdir+=<id-mapped " + o.lowerdirs[i] + ">", err,
                        KernelMessages(fsfd.Get()));
      return false;
    }
  }
  for (size_t i = 0; i < o.lowerdirs.size() && lowers.empty(); i++) {
    if (sys::FsConfig(fsfd.Get(), FSCONFIG_SET_STRING, "lowerdir+", o.lowerdirs[i].c_str(), 0) != 0) {
      int err = errno;
      std::string messages = KernelMessages(fsfd.Get());
      if (i == 0 && err == EINVAL && messages.find("Unknown parameter") != std::string::npos) {
        *fallBack = true;  // kernel < 6.8
        return false;
      }
      *error = SysError("overlay", "fsconfig overlay lowerdir+=" + o.lowerdirs[i], err, messages);
      return false;
    }
  }
  if (!SetString(fsfd.Get(), "upperdir", o.upperdir, error)) return false;
  if (!SetString(fsfd.Get(), "workdir", o.workdir, error)) return false;
  if (sys::FsConfig(fsfd.Get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    int err = errno;
    *error = SysError("overlay", "create overlay filesystem", err, KernelMessages(fsfd.Get()));
    return false;
  }
  UniqueFd mnt(sys::FsMount(fsfd.Get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt.Valid()) {
    int err = errno;
    *error = SysError("overlay", "fsmount overlay", err, KernelMessages(fsfd.Get()));
    return false;
  }
  if (sys::MoveMount(mnt.Get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    *error = SysError("overlay", "move_mount overlay onto " + target);
    return false;
  }
  return true;
}

std::string Options(const Overlay& o, const std::string& prefixToStrip) {
  auto rel = [&](const std::string& p) { return prefixToStrip.empty() ? p : p.substr(prefixToStrip.size()); };
  std::string s = "lowerdir=";
  for (size_t i = 0; i < o.lowerdirs.size(); i++) {
    if (i) s += ":";
    s += rel(o.lowerdirs[i]);
  }
  s += ",upperdir=" + rel(o.upperdir) + ",workdir=" + rel(o.workdir);
  return s;
}

// Longest common directory of all paths, with a trailing '/': "/a/b/".
std::string CommonParent(const Overlay& o) {
  std::vector<const std::string*> all;
  for (const auto& l : o.lowerdirs) all.push_back(&l);
  all.push_back(&o.upperdir);
  all.push_back(&o.workdir);
  std::string common = *all[0];
  for (const std::string* p : all) {
    size_t n = 0;
    while (n < common.size() && n < p->size() && common[n] == (*p)[n]) n++;
    common.resize(n);
  }
  size_t slash = common.rfind('/');
  common.resize(slash == std::string::npos ? 0 : slash + 1);
  return common;
}

bool MountLegacy(const Overlay& o, const std::string& target, Error* error) {
  auto unsafe = [](const std::string& p) { return p.find_first_of(",:\\") != std::string::npos; };
  for (const auto& l : o.lowerdirs) {
    if (unsafe(l)) {
      *error = SysError("overlay", "mount overlay", EINVAL, "layer path " + l + " holds ',', ':' or '\\'");
      return false;
    }
  }
  if (unsafe(o.upperdir) || unsafe(o.workdir)) {
    *error = SysError("overlay", "mount overlay", EINVAL, "upperdir/workdir path holds ',', ':' or '\\'");
    return false;
  }
  const size_t limit = static_cast<size_t>(::sysconf(_SC_PAGESIZE)) - 1;
  std::string options = Options(o, "");
  std::string dir;
  if (options.size() > limit) {
    dir = CommonParent(o);
    options = Options(o, dir);
    if (dir.size() <= 1 || options.size() > limit) {
      *error = SysError("overlay", "mount overlay", E2BIG,
                        "options are " + std::to_string(options.size()) + " bytes even relative to " +
                            (dir.empty() ? "/" : dir) + " (limit " + std::to_string(limit) + ")");
      return false;
    }
    if (::chdir(dir.c_str()) != 0) {
      *error = SysError("overlay", "chdir " + dir + " (common parent of the layers)");
      return false;
    }
  }
  int rc = ::mount("overlay", target.c_str(), "overlay", 0, options.c_str());
  int err = errno;
  if (!dir.empty() && ::chdir("/") != 0) {
    *error = SysError("overlay", "chdir /");
    return false;
  }
  if (rc != 0) {
    *error = SysError("overlay", "mount overlay on " + target, err,
                      dir.empty() ? "" : "relative to " + dir + " (options too long for one page)");
    return false;
  }
  return true;
}

}  // namespace

bool MountOverlay(const Overlay& overlay, const std::string& target, OverlayMethod method,
                  const std::vector<UniqueFd>& lowers, Error* error) {
  if (!lowers.empty()) {
    bool ignored = false;  // id-mapped layers exist only as fds: no mount(2) fallback
    return MountWithFsopen(overlay, target, lowers, &ignored, error);
  }
  if (method == OverlayMethod::kAuto) {
    bool fallBack = false;
    if (MountWithFsopen(overlay, target, lowers, &fallBack, error)) return true;
    if (!fallBack) return false;
  }
  return MountLegacy(overlay, target, error);
}

}  // namespace berth::monitor
