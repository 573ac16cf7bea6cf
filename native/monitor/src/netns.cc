#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unique_fd.h"

namespace berth::monitor {

bool LoopbackUp(Error* error) {
  // Any socket of the namespace carries the interface ioctls; ioctl rather
  // than netlink: two calls, no message building, nothing to parse.
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock.Valid()) {
    *error = SysError("loopback", "socket AF_INET for the loopback ioctls");
    return false;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, "lo", 3);
  if (::ioctl(sock.Get(), SIOCGIFFLAGS, &ifr) != 0) {
    *error = SysError("loopback", "ioctl SIOCGIFFLAGS lo");
    return false;
  }
  if (ifr.ifr_flags & IFF_UP) return true;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(sock.Get(), SIOCSIFFLAGS, &ifr) != 0) {
    *error = SysError("loopback", "ioctl SIOCSIFFLAGS lo up");
    return false;
  }
  return true;
}

bool NetnsName::Bind(pid_t pid, const std::string& path, Error* error) {
  Release();
  size_t slash = path.rfind('/');
  if (slash != 0 && slash != std::string::npos) {
    std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) == 0) {
      ::chmod(dir.c_str(), 0755);  // like ip(8)'s /run/netns, whatever our umask
    } else if (errno != EEXIST) {
      *error = SysError("netns", "mkdir " + dir);
      return false;
    }
  }
  // A name left by a monitor that was killed: detach it (EINVAL: not a mount).
  if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT) {
    *error = SysError("netns", "detach the stale mount on " + path);
    return false;
  }
  {
    UniqueFd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0));
    if (!f.Valid()) {
      *error = SysError("netns", "create " + path);
      return false;
    }
  }
  std::string source = "/proc/" + std::to_string(pid) + "/ns/net";
  if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    *error = SysError("netns", "bind " + source + " on " + path);
    ::unlink(path.c_str());
    return false;
  }
  path_ = path;
  return true;
}

void NetnsName::Release() {
  if (path_.empty()) return;
  ::umount2(path_.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
  ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace berth::monitor
