#include "seccomp_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"

namespace berth::monitor {

bool LoadSeccompFilter(const std::string& path, std::vector<sock_filter>* out, Error* error) {
  out->clear();
  std::string bytes;
  if (!ReadFileAt(AT_FDCWD, path, BPF_MAXINSNS * sizeof(sock_filter), &bytes, error)) {
    error->step = "seccomp";
    error->what = "read seccomp filter " + path;
    return false;
  }
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0) {
    *error = InvalidError("seccomp", "seccomp filter " + path,
                          "not a BPF program (" + std::to_string(bytes.size()) + " bytes)");
    return false;
  }
  out->resize(bytes.size() / sizeof(sock_filter));
  memcpy(out->data(), bytes.data(), bytes.size());
  return true;
}

int InstallSeccompFilter(const std::vector<sock_filter>& program) {
  struct sock_fprog prog;
  prog.len = static_cast<unsigned short>(program.size());
  prog.filter = const_cast<sock_filter*>(program.data());
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return errno;
  return 0;
}

}  // namespace berth::monitor
