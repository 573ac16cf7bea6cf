#include "loopback.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

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

}  // namespace berth::monitor
