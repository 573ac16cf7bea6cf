// flock(fd, op, wait): advisory whole-file locks (flock(2)) for locks shared
// between processes. The kernel drops a flock when its open file description
// is closed, so a holder killed with SIGKILL releases it at once: no pid
// file, no "is the holder alive?" guess, no race between two processes that
// both judge a lock stale.
//   op    "ex" (exclusive), "sh" (shared) or "un" (release)
//   wait  false: LOCK_NB, returns false when another description holds it;
//         true: blocks the calling thread (only for locks held for a few
//         syscalls, like the IPAM read-modify-write), EINTR retried.
// Returns true when the lock was taken (or released).
#include <errno.h>
#include <sys/file.h>

#include <string>

#include "args.h"
#include "bindings.h"
#include "errors.h"

namespace berth {

Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "flock(fd, op, wait)";
  int64_t fd = 0;
  if (!GetInteger(env, info.Length() > 0 ? info[0] : env.Undefined(), std::string(usage) + ": fd", 0, 2147483647.0,
                  &fd)) {
    return env.Undefined();
  }
  if (info.Length() < 3 || !info[1].IsString() || !info[2].IsBoolean()) {
    ThrowArgError(env, std::string(usage) + ": op must be \"ex\", \"sh\" or \"un\" and wait a boolean");
    return env.Undefined();
  }
  std::string opName = info[1].As<Napi::String>().Utf8Value();
  bool wait = info[2].As<Napi::Boolean>().Value();
  int op = 0;
  if (opName == "ex") {
    op = LOCK_EX;
  } else if (opName == "sh") {
    op = LOCK_SH;
  } else if (opName == "un") {
    op = LOCK_UN;
  } else {
    ThrowArgError(env, std::string(usage) + ": op must be \"ex\", \"sh\" or \"un\"");
    return env.Undefined();
  }
  if (!wait) op |= LOCK_NB;
  int rc;
  do {
    rc = ::flock(static_cast<int>(fd), op);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return Napi::Boolean::New(env, true);
  if (errno == EWOULDBLOCK && !wait) return Napi::Boolean::New(env, false);
  ThrowSysError(env, {errno, "flock", opName, "fd " + std::to_string(fd), ""});
  return env.Undefined();
}

}  // namespace berth
