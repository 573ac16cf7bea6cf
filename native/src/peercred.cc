// peerCred: credentials of the process on the other end of a connected Unix
// socket, as recorded by the kernel at connect()/socketpair() time.
#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cmath>
#include <string>

#include "bindings.h"
#include "errors.h"

namespace berth {

Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    ThrowArgError(env, "peerCred(fd): fd must be a number");
    return env.Undefined();
  }
  double raw = info[0].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(raw) || raw != std::floor(raw) || raw < 0 || raw > 2147483647.0) {
    ThrowArgError(env, "peerCred(fd): fd must be a non-negative integer");
    return env.Undefined();
  }
  int fd = static_cast<int>(raw);
  std::string target = "fd " + std::to_string(fd);

  struct ucred cred = {};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    ThrowSysError(env, {errno, "getsockopt", "SO_PEERCRED", target, ""});
    return env.Undefined();
  }
  // A socket with no peer (never connected) reports uid = gid = -1. Refuse
  // it rather than hand an access check the value 4294967295.
  if (cred.uid == static_cast<uid_t>(-1) && cred.gid == static_cast<gid_t>(-1)) {
    ThrowSysError(env, {ENOTCONN, "getsockopt", "SO_PEERCRED", target + " (no peer credentials)", ""});
    return env.Undefined();
  }

  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));  // 0 if not visible in our pid ns
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

}  // namespace berth
