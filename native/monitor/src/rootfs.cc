#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mountopts.h"
#include "overlay.h"
#include "userns.h"
#include "safepath.h"
#include "trace.h"
#include "sys.h"
#include "unique_fd.h"

namespace berth::monitor {

namespace {

struct Device {
  const char* name;
  unsigned major;
  unsigned minor;
};
const Device kDevices[] = {{"null", 1, 3}, {"zero", 1, 5},    {"full", 1, 7},
                           {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};

// mount(2) of a filesystem onto an O_PATH target fd.
bool MountFs(int targetFd, const std::string& where, const char* source, const char* type, unsigned long flags,
             const char* data, Error* error) {
  if (::mount(source, FdPath(targetFd).c_str(), type, flags, data) != 0) {
    *error = SysError("mount", std::string("mount ") + type + " on " + where);
    return false;
  }
  return true;
}

// Clone the mount tree at `source` (a path in our current view), optionally
// change its attributes while still detached, and attach it at targetFd.
bool BindTree(const std::string& source, bool recursive, unsigned long long attrSet, unsigned long long attrClr,
              unsigned long long propagation, int targetFd, const std::string& where, const std::string& step,
              Error* error) {
  unsigned treeFlags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  UniqueFd tree(sys::OpenTree(AT_FDCWD, source.c_str(), treeFlags));
  if (!tree.Valid()) {
    *error = SysError(step, "open_tree " + source + " (bind source for " + where + ")");
    return false;
  }
  if (attrSet || attrClr || propagation) {
    struct mount_attr attr = {};
    attr.attr_set = attrSet;
    attr.attr_clr = attrClr;
    attr.propagation = propagation;
    if (sys::MountSetattr(tree.Get(), "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr) != 0) {
      *error = SysError(step, "mount_setattr on the bind of " + source + " for " + where);
      return false;
    }
  }
  if (sys::MoveMount(tree.Get(), "", targetFd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    *error = SysError(step, "bind " + source + " on " + where);
    return false;
  }
  return true;
}

bool Target(int rootfd, const std::string& path, TargetKind kind, bool noSymlinks, const std::string& step,
            UniqueFd* out, Error* error) {
  return OpenInRoot(rootfd, path, kind, true, noSymlinks ? RESOLVE_NO_SYMLINKS : 0, step, out, error);
}

bool MountProc(int rootfd, Error* error) {
  UniqueFd t;
  if (!Target(rootfd, "/proc", TargetKind::kDirectory, true, "mount", &t, error)) return false;
  return MountFs(t.Get(), "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, error);
}

// readonly: false only for a spec mount of sysfs on /sys without "ro"
// (--privileged, as docker/runc give it a writable /sys).
bool MountSys(int rootfd, bool readonly, Error* error) {
  UniqueFd t;
  if (!Target(rootfd, "/sys", TargetKind::kDirectory, true, "mount", &t, error)) return false;
  const unsigned long flags = (readonly ? MS_RDONLY : 0) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (::mount("sysfs", FdPath(t.Get()).c_str(), "sysfs", flags, nullptr) == 0) return true;
  if (errno != EPERM) {
    *error = SysError("mount", "mount sysfs on /sys");
    return false;
  }
  // A sysfs instance shows the mounter's network namespace and needs
  // CAP_SYS_ADMIN over its owner: not the case for the host netns seen from
  // a user namespace. runc's answer: a read-only rbind of the host's /sys.
  return BindTree("/sys", true, (readonly ? MOUNT_ATTR_RDONLY : 0) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                  0, 0, t.Get(), "/sys", "mount", error);
}

// ownerOpts: ",uid=N,gid=N" so a user namespace's root owns /dev and /dev/shm, or "".
bool MountDev(int rootfd, bool terminal, const std::string& ownerOpts, Error* error) {
  {
    UniqueFd t;
    if (!Target(rootfd, "/dev", TargetKind::kDirectory, true, "mount", &t, error)) return false;
    if (!MountFs(t.Get(), "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                 ("mode=755,size=65536k" + ownerOpts).c_str(), error)) {
      return false;
    }
  }
  // Re-resolve: the fd above names the directory under the new tmpfs.
  UniqueFd dev;
  if (!OpenInRoot(rootfd, "/dev", TargetKind::kDirectory, false, RESOLVE_NO_SYMLINKS, "mount", &dev, error)) {
    return false;
  }
  // An O_PATH fd is a valid dirfd for mknodat/symlinkat/openat. The child's
  // umask is 0 here, so the modes are exact.
  for (const Device& d : kDevices) {
    std::string where = std::string("/dev/") + d.name;
    if (::mknodat(dev.Get(), d.name, S_IFCHR | 0666, makedev(d.major, d.minor)) != 0) {
      *error = SysError("mknod", "mknod " + where + " " + std::to_string(d.major) + ":" + std::to_string(d.minor));
      return false;
    }
  }
  struct {
    const char* target;
    const char* name;
  } const links[] = {{"/proc/self/fd", "fd"},
                     {"/proc/self/fd/0", "stdin"},
                     {"/proc/self/fd/1", "stdout"},
                     {"/proc/self/fd/2", "stderr"},
                     {"pts/ptmx", "ptmx"}};
  for (const auto& l : links) {
    if (::symlinkat(l.target, dev.Get(), l.name) != 0) {
      *error = SysError("symlink", std::string("symlink /dev/") + l.name + " -> " + l.target);
      return false;
    }
  }
  if (terminal) {
    int fd = ::openat(dev.Get(), "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
      *error = SysError("mknod", "create /dev/console");
      return false;
    }
    ::close(fd);
  }

  {
    UniqueFd t;
    if (!Target(rootfd, "/dev/pts", TargetKind::kDirectory, true, "mount", &t, error)) return false;
    const unsigned long flags = MS_NOSUID | MS_NOEXEC;
    if (!MountFs(t.Get(), "/dev/pts", "devpts", "devpts", flags, "newinstance,ptmxmode=0666,mode=0620,gid=5", error)) {
      return false;
    }
  }
  {
    UniqueFd t;
    if (!Target(rootfd, "/dev/shm", TargetKind::kDirectory, true, "mount", &t, error)) return false;
    if (!MountFs(t.Get(), "/dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 ("mode=1777,size=65536k" + ownerOpts).c_str(), error)) {
      return false;
    }
  }
  {
    UniqueFd t;
    if (!Target(rootfd, "/dev/mqueue", TargetKind::kDirectory, true, "mount", &t, error)) return false;
    if (!MountFs(t.Get(), "/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, error)) {
      return false;
    }
  }
  return true;
}

// linux.devices: mknod each node at its path inside the rootfs (parents made
// with OpenInRoot, so a symlink in the image cannot send it outside), with the
// host node's mode and owner. A file already there (a default /dev node, the
// /dev/ptmx link) is replaced, as runc does; a directory is an error. The
// device policy is in force already: each node's rule carries m.
bool MakeDevices(int rootfd, const std::vector<DeviceNode>& devices, Error* error) {
  for (const DeviceNode& d : devices) {
    size_t slash = d.path.rfind('/');
    std::string dir = slash == 0 ? "/" : d.path.substr(0, slash);
    std::string name = d.path.substr(slash + 1);
    std::string what = "mknod " + d.path + " " + d.type + " " + std::to_string(d.major) + ":" + std::to_string(d.minor);
    if (name.empty() || name == "." || name == "..") {
      *error = InvalidError("device", what, "not a file name");
      return false;
    }
    UniqueFd parent;
    if (dir == "/") {
      parent.Reset(::fcntl(rootfd, F_DUPFD_CLOEXEC, 0));
      if (!parent.Valid()) {
        *error = SysError("device", "dup the rootfs fd for " + d.path);
        return false;
      }
    } else if (!OpenInRoot(rootfd, dir, TargetKind::kDirectory, true, 0, "device", &parent, error)) {
      return false;
    }
    mode_t mode = (d.type == 'b' ? S_IFBLK : S_IFCHR) | (d.fileMode & 07777);
    dev_t dev = makedev(d.major, d.minor);
    if (::mknodat(parent.Get(), name.c_str(), mode, dev) != 0) {
      bool replaced = errno == EEXIST && ::unlinkat(parent.Get(), name.c_str(), 0) == 0 &&
                      ::mknodat(parent.Get(), name.c_str(), mode, dev) == 0;
      if (!replaced) {
        *error = SysError("device", what);
        return false;
      }
    }
    // The umask may have cut the mode; the owner is the host node's.
    if (::fchmodat(parent.Get(), name.c_str(), d.fileMode & 07777, 0) != 0) {
      *error = SysError("device", "chmod " + d.path);
      return false;
    }
    if (::fchownat(parent.Get(), name.c_str(), d.uid, d.gid, AT_SYMLINK_NOFOLLOW) != 0) {
      *error = SysError("device", "chown " + d.path);
      return false;
    }
  }
  return true;
}

bool MountVolume(int rootfd, const Mount& m, Error* error) {
  MountOptions o = ParseMountOptions(m.options);
  if (m.type == "bind") o.bind = true;
  if (o.bind) {
    struct stat st;
    if (::stat(m.source.c_str(), &st) != 0) {
      *error = SysError("mount", "stat bind source " + m.source + " for " + m.destination);
      return false;
    }
    UniqueFd t;
    TargetKind kind = S_ISDIR(st.st_mode) ? TargetKind::kDirectory : TargetKind::kFile;
    if (!Target(rootfd, m.destination, kind, false, "mount", &t, error)) return false;
    unsigned long long clr = 0;
    unsigned long long set = MountAttrFromFlags(o.flags, o.clear, &clr);
    return BindTree(m.source, o.recursive, set, clr, o.propagation & ~static_cast<unsigned long>(MS_REC), t.Get(),
                    m.destination, "mount", error);
  }
  UniqueFd t;
  if (!Target(rootfd, m.destination, TargetKind::kDirectory, false, "mount", &t, error)) return false;
  const char* source = m.source.empty() ? m.type.c_str() : m.source.c_str();
  if (::mount(source, FdPath(t.Get()).c_str(), m.type.c_str(), o.flags & ~static_cast<unsigned long>(MS_REMOUNT),
              o.data.empty() ? nullptr : o.data.c_str()) != 0) {
    *error = SysError("mount", "mount " + m.type + " on " + m.destination);
    return false;
  }
  if (o.propagation) {
    UniqueFd again;
    if (!OpenInRoot(rootfd, m.destination, TargetKind::kDirectory, false, 0, "mount", &again, error)) return false;
    if (::mount(nullptr, FdPath(again.Get()).c_str(), nullptr, o.propagation, nullptr) != 0) {
      *error = SysError("mount", "set propagation of " + m.destination);
      return false;
    }
  }
  return true;
}

bool PivotRoot(int rootfd, Error* error) {
  if (::fchdir(rootfd) != 0) {
    *error = SysError("pivot_root", "chdir to the new root");
    return false;
  }
  // pivot_root(".", "."): the old root ends up mounted on top of the new one
  // at "."; detaching it leaves the new root alone, with no directory needed
  // for the old root (crun, runc).
  if (::syscall(SYS_pivot_root, ".", ".") != 0) {
    *error = SysError("pivot_root", "pivot_root");
    return false;
  }
  if (::umount2(".", MNT_DETACH) != 0) {
    *error = SysError("pivot_root", "umount2 the old root");
    return false;
  }
  if (::chdir("/") != 0) {
    *error = SysError("pivot_root", "chdir /");
    return false;
  }
  return true;
}

}  // namespace

bool PrepareRootfs(const Spec& spec, const std::vector<UniqueFd>& lowers, Error* error) {
  if (spec.overlay.present) {
    OverlayMethod method = spec.overlay.legacyMount ? OverlayMethod::kLegacy : OverlayMethod::kAuto;
    if (!MountOverlay(spec.overlay, spec.rootPath, method, lowers, error)) return false;
    trace::Mark("init: overlay mounted");
  } else {
    // pivot_root needs the new root to be a mount point.
    if (::mount(spec.rootPath.c_str(), spec.rootPath.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      *error = SysError("rootfs", "bind " + spec.rootPath + " onto itself");
      return false;
    }
  }
  // Opened after the mount, so the fd names the overlay's root.
  UniqueFd rootfd(::open(spec.rootPath.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd.Valid()) {
    *error = SysError("rootfs", "open " + spec.rootPath);
    return false;
  }
  if (!MountProc(rootfd.Get(), error)) return false;
  // A spec mount of sysfs on /sys replaces the built-in read-only one (the
  // OCI way: runc's config lists /sys; --privileged drops its "ro").
  const Mount* sysMount = nullptr;
  for (const Mount& m : spec.mounts) {
    if (m.destination == "/sys" && m.type == "sysfs") sysMount = &m;
  }
  bool sysReadonly = sysMount == nullptr || (ParseMountOptions(sysMount->options).flags & MS_RDONLY) != 0;
  if (!MountSys(rootfd.Get(), sysReadonly, error)) return false;
  std::string ownerOpts;
  uint32_t uid = 0, gid = 0;
  if (spec.Creates(CLONE_NEWUSER) && MapToHostId(spec.uidMappings, 0, &uid) && MapToHostId(spec.gidMappings, 0, &gid)) {
    ownerOpts = ",uid=" + std::to_string(uid) + ",gid=" + std::to_string(gid);
  }
  if (!MountDev(rootfd.Get(), spec.process.terminal, ownerOpts, error)) return false;
  for (const Mount& m : spec.mounts) {
    if (&m != sysMount && !MountVolume(rootfd.Get(), m, error)) return false;
  }
  if (!MakeDevices(rootfd.Get(), spec.devices, error)) return false;
  trace::Mark("init: proc, sys, dev, volumes mounted");
  return PivotRoot(rootfd.Get(), error);
}

bool BindConsole(const std::string& slavePath, Error* error) {
  UniqueFd target(::open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!target.Valid()) {
    *error = SysError("console", "open /dev/console");
    return false;
  }
  return BindTree(slavePath, false, 0, 0, 0, target.Get(), "/dev/console", "console", error);
}

bool FinishRootfs(const Spec& spec, Error* error) {
  for (const std::string& path : spec.maskedPaths) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.Valid()) {
      if (errno == ENOENT) continue;
      *error = SysError("masked-path", "open " + path);
      return false;
    }
    struct stat st;
    if (::fstat(fd.Get(), &st) != 0) {
      *error = SysError("masked-path", "fstat " + path);
      return false;
    }
    if (S_ISDIR(st.st_mode)) {
      if (::mount("tmpfs", FdPath(fd.Get()).c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "size=0,mode=0755") != 0) {
        *error = SysError("masked-path", "mount a read-only tmpfs over " + path);
        return false;
      }
    } else if (!BindTree("/dev/null", false, 0, 0, 0, fd.Get(), path, "masked-path", error)) {
      return false;
    }
  }
  for (const std::string& path : spec.readonlyPaths) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.Valid()) {
      if (errno == ENOENT) continue;
      *error = SysError("readonly-path", "open " + path);
      return false;
    }
    // Only "ro" is added; nosuid/nodev/noexec stay as they were (runc keeps
    // the existing flags too).
    if (!BindTree(path, true, MOUNT_ATTR_RDONLY, 0, 0, fd.Get(), path, "readonly-path", error)) {
      return false;
    }
  }
  if (spec.rootReadonly) {
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (sys::MountSetattr(AT_FDCWD, "/", 0, &attr) != 0) {
      *error = SysError("rootfs", "make / read-only");
      return false;
    }
  }
  return true;
}

}  // namespace berth::monitor
