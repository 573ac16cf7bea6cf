// The container's new network namespace, made by the clone itself (no
// `ip netns add`): the child brings its loopback up, the parent gives the
// namespace a name by bind-mounting /proc/PID/ns/net onto spec.netnsBind
// (what `ip netns add` makes: /run/netns/NAME), so `ip netns exec`, the
// helper's inspect and the namespace graph find it. The name goes away when
// the container has exited (before exit.json), so the helper has nothing to
// undo; after a monitor crash the helper removes a leftover name itself.
#pragma once

#include <sys/types.h>

#include <string>

#include "error.h"

namespace berth::monitor {

// Child, inside its new network namespace, with CAP_NET_ADMIN there:
// SIOCSIFFLAGS IFF_UP on "lo" (a new namespace's loopback starts down).
bool LoopbackUp(Error* error);

// A bind mount of a process's network namespace onto a file. Unmounted and
// unlinked by Release() or the destructor.
class NetnsName {
 public:
  NetnsName() = default;
  ~NetnsName() { Release(); }
  NetnsName(const NetnsName&) = delete;
  NetnsName& operator=(const NetnsName&) = delete;
  NetnsName(NetnsName&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  NetnsName& operator=(NetnsName&& other) noexcept {
    if (this != &other) {
      Release();
      path_ = std::move(other.path_);
      other.path_.clear();
    }
    return *this;
  }

  // Creates the parent directory (0755) and the file if missing; a stale
  // mount on `path` (a previous monitor killed before its Release) is
  // detached first. Errors: step "netns".
  bool Bind(pid_t pid, const std::string& path, Error* error);
  // umount2(MNT_DETACH) + unlink; best effort (nothing to report to at exit).
  void Release();
  bool Bound() const { return !path_.empty(); }

 private:
  std::string path_;
};

}  // namespace berth::monitor
