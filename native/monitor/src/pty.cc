#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "sys.h"

namespace berth::monitor {

bool NewPty(int dirfd, const char* ptmxPath, UniqueFd* master, UniqueFd* slave, std::string* slaveName,
            Error* error) {
  int fd = sys::Openat2(dirfd, ptmxPath, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK,
                        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) {
    *error = SysError("console", std::string("open ") + ptmxPath);
    return false;
  }
  master->Reset(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *error = SysError("console", std::string("fstat ") + ptmxPath);
    return false;
  }
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2) {
    *error = SysError("console", std::string("open ") + ptmxPath, ENOTTY, "not a ptmx device (char 5:2)");
    return false;
  }
  int unlock = 0;
  if (::ioctl(fd, TIOCSPTLCK, &unlock) != 0) {
    *error = SysError("console", "ioctl TIOCSPTLCK");
    return false;
  }
  unsigned int n = 0;
  if (::ioctl(fd, TIOCGPTN, &n) != 0) {
    *error = SysError("console", "ioctl TIOCGPTN");
    return false;
  }
  *slaveName = "/dev/pts/" + std::to_string(n);
  int s = ::ioctl(fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) {
    *error = SysError("console", "ioctl TIOCGPTPEER");
    return false;
  }
  slave->Reset(s);
  return true;
}

bool SetWinsize(int fd, uint16_t rows, uint16_t cols) {
  struct winsize ws = {};
  ws.ws_row = rows;
  ws.ws_col = cols;
  return ::ioctl(fd, TIOCSWINSZ, &ws) == 0;
}

bool BecomeTerminalOwner(int slave, Error* error) {
  if (::ioctl(slave, TIOCSCTTY, 0) != 0) {
    *error = SysError("console", "ioctl TIOCSCTTY");
    return false;
  }
  for (int target = 0; target <= 2; target++) {
    if (::dup2(slave, target) < 0) {
      *error = SysError("console", "dup2 the terminal to fd " + std::to_string(target));
      return false;
    }
  }
  return true;
}

}  // namespace berth::monitor
