// flock(fd, operation): flock(2) with LOCK_NB. Node has no flock; cross-process
// state files (the user-namespace range allocations) need a lock that the
// kernel releases when its holder dies, which a pid file cannot promise.
// Never blocks: false means another open file description holds a
// conflicting lock (EWOULDBLOCK); the caller retries asynchronously.
#include <errno.h>
#include <sys/file.h>

#include <string>

#include "args.h"
#include "bindings.h"
#include "errors.h"

namespace berth {

Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t fd = 0;
  if (!GetInteger(env, info.Length() > 0 ? info[0] : env.Undefined(), "flock(fd, operation): fd", 0, 0x7FFFFFFF,
                  &fd)) {
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[1].IsString()) {
    ThrowArgError(env, "flock(fd, operation): operation must be 'exclusive', 'shared' or 'unlock'");
    return env.Undefined();
  }
  std::string op = info[1].As<Napi::String>().Utf8Value();
  int how = op == "exclusive" ? LOCK_EX : op == "shared" ? LOCK_SH : op == "unlock" ? LOCK_UN : -1;
  if (how < 0) {
    ThrowArgError(env, "flock(fd, operation): operation must be 'exclusive', 'shared' or 'unlock'");
    return env.Undefined();
  }
  int rc;
  do {
    rc = ::flock(static_cast<int>(fd), how | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return Napi::Boolean::New(env, true);
  if (errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
  SysError error;
  error.err = errno;
  error.syscall = "flock";
  error.op = op;
  error.target = "fd " + std::to_string(fd);
  ThrowSysError(env, error);
  return env.Undefined();
}

}  // namespace berth
