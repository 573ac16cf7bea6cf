// sealedExecutable(path): a sealed memfd copy of an executable, made once by
// the helper so that every berth-monitor it starts runs from the same copy
// (exec'd as /proc/<helper>/fd/N) instead of each monitor copying itself
// (native/monitor/src/cloned_binary.cc, the CVE-2019-5736 guard, which then
// finds itself already sealed and skips the copy). Seals: SEAL, SHRINK,
// GROW, WRITE: no process, host root included, can change it.
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "args.h"
#include "bindings.h"
#include "errors.h"
#include "unique_fd.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

namespace berth {

namespace {

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

bool MakeSealedCopy(const std::string& path, int* out, SysError* error) {
  auto fail = [&](const char* syscall, const std::string& op, int err) {
    *error = SysError{err, syscall, op, path, path};
    return false;
  };
  UniqueFd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!src.Valid()) return fail("open", "", errno);
  struct stat st;
  if (::fstat(src.Get(), &st) != 0) return fail("fstat", "", errno);
  if (!S_ISREG(st.st_mode)) return fail("open", "(not a regular file)", EINVAL);
  // MFD_EXEC: where vm.memfd_noexec makes memfds non-executable by default
  // (Linux >= 6.3), ask for an executable one; older kernels reject the flag.
  UniqueFd mem(::memfd_create("berth-monitor", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  if (!mem.Valid() && errno == EINVAL) mem.Reset(::memfd_create("berth-monitor", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem.Valid()) return fail("memfd_create", "for", errno);
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(mem.Get(), src.Get(), &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("sendfile", "into the memfd from", errno);
    if (n == 0) break;
  }
  if (offset != st.st_size) return fail("sendfile", "(short copy) into the memfd from", EIO);
  if (::fcntl(mem.Get(), F_ADD_SEALS, kSeals) != 0) return fail("fcntl", "F_ADD_SEALS on the copy of", errno);
  *out = mem.Release();
  return true;
}

}  // namespace

Napi::Value SealedExecutable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!GetPath(env, info.Length() > 0 ? info[0] : env.Undefined(), "sealedExecutable(path): path", &path)) {
    return env.Undefined();
  }
  int fd = -1;
  SysError error;
  if (!MakeSealedCopy(path, &fd, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

}  // namespace berth
