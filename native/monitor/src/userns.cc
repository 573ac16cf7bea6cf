#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"

namespace berth::monitor {

bool WriteIdMap(pid_t pid, const char* file, const std::vector<IdMapping>& maps, Error* error) {
  std::string content;
  for (const IdMapping& m : maps) {
    content += std::to_string(m.containerId) + " " + std::to_string(m.hostId) + " " + std::to_string(m.size) + "\n";
  }
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  // One write(2): the kernel accepts a map only once, whole.
  if (!fd.Valid() || ::write(fd.Get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    *error = SysError("userns", "write " + path);
    return false;
  }
  return true;
}

bool MakeUserNamespace(const Spec& spec, UniqueFd* userns, Error* error) {
  // The holder blocks on a pipe until we close our end (or it dies with us).
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    *error = SysError("userns", "pipe for the user namespace holder");
    return false;
  }
  UniqueFd r(p[0]), w(p[1]);
  int pidfd = -1;
  pid_t pid = sys::CloneFork(CLONE_NEWUSER | CLONE_PIDFD, &pidfd);
  if (pid < 0) {
    *error = SysError("userns", "clone CLONE_NEWUSER (the user namespace holder)");
    return false;
  }
  if (pid == 0) {
    w.Reset();
    char c;
    while (::read(r.Get(), &c, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }
  UniqueFd holder(pidfd);
  r.Reset();
  bool ok = WriteIdMap(pid, "uid_map", spec.uidMappings, error) && WriteIdMap(pid, "gid_map", spec.gidMappings, error);
  if (ok) {
    std::string ns = "/proc/" + std::to_string(pid) + "/ns/user";
    userns->Reset(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!userns->Valid()) {
      *error = SysError("userns", "open " + ns);
      ok = false;
    }
  }
  w.Reset();
  sys::KillAndReap(holder.Get());
  return ok;
}

bool IdmapDirs(const std::vector<std::string>& dirs, int userns, std::vector<UniqueFd>* out, Error* error) {
  out->clear();
  for (const std::string& dir : dirs) {
    UniqueFd tree(sys::OpenTree(AT_FDCWD, dir.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!tree.Valid()) {
      *error = SysError("idmap", "open_tree " + dir);
      return false;
    }
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns);
    if (sys::MountSetattr(tree.Get(), "", AT_EMPTY_PATH, &attr) != 0) {
      *error = SysError("idmap", "mount_setattr MOUNT_ATTR_IDMAP on " + dir);
      return false;
    }
    out->push_back(std::move(tree));
  }
  return true;
}

bool MapToHostId(const std::vector<IdMapping>& maps, uint32_t id, uint32_t* host) {
  for (const IdMapping& m : maps) {
    if (id >= m.containerId && id - m.containerId < m.size) {
      *host = m.hostId + (id - m.containerId);
      return true;
    }
  }
  return false;
}

}  // namespace berth::monitor
