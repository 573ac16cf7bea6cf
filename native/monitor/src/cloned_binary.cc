#include "cloned_binary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"
#include "unique_fd.h"

extern char** environ;

namespace berth::monitor {

namespace {

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
constexpr const char* kMarker = "_BERTH_MONITOR_CLONED";

}  // namespace

bool RunningFromSealedCopy() {
  UniqueFd fd(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!fd.Valid()) return false;
  int seals = ::fcntl(fd.Get(), F_GET_SEALS);
  return seals >= 0 && (seals & kSeals) == kSeals;
}

void ReexecFromSealedCopy(char** argv, Error* error) {
  if (RunningFromSealedCopy()) {
    ::unsetenv(kMarker);
    *error = Error();
    return;
  }
  if (::getenv(kMarker) != nullptr) {
    *error = SysError("clone-binary", "re-exec from a sealed memfd", EPROTO,
                      "still not running from a sealed copy after fexecve");
    return;
  }

  UniqueFd src(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!src.Valid()) {
    *error = SysError("clone-binary", "open /proc/self/exe");
    return;
  }
  struct stat st;
  if (::fstat(src.Get(), &st) != 0) {
    *error = SysError("clone-binary", "fstat /proc/self/exe");
    return;
  }

  // MFD_EXEC: where vm.memfd_noexec makes memfds non-executable by default
  // (Linux ≥ 6.3), ask for an executable one; older kernels reject the flag.
  UniqueFd mem(::memfd_create("berth-monitor", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  if (!mem.Valid() && errno == EINVAL) {
    mem.Reset(::memfd_create("berth-monitor", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  }
  if (!mem.Valid()) {
    *error = SysError("clone-binary", "memfd_create");
    return;
  }

  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(mem.Get(), src.Get(), &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = SysError("clone-binary", "copy /proc/self/exe into the memfd");
      return;
    }
    if (n == 0) break;
  }
  if (offset != st.st_size) {
    *error = SysError("clone-binary", "copy /proc/self/exe into the memfd", EIO, "short copy");
    return;
  }
  if (::fcntl(mem.Get(), F_ADD_SEALS, kSeals) != 0) {
    *error = SysError("clone-binary", "fcntl F_ADD_SEALS");
    return;
  }
  if (::setenv(kMarker, "1", 1) != 0) {
    *error = SysError("clone-binary", "setenv");
    return;
  }
  // fexecve(): execveat(fd, "", AT_EMPTY_PATH). The memfd is close-on-exec,
  // which is fine for an ELF binary (the kernel has it open already).
  ::fexecve(mem.Get(), argv, environ);
  *error = SysError("clone-binary", "fexecve the sealed memfd");
  ::unsetenv(kMarker);
}

}  // namespace berth::monitor
