// openInRoot / overlayMountFd: JS bindings over inroot.cc. Synchronous: each
// is a handful of syscalls on local paths (the helper's cp and commit).
#include <string>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "errors.h"
#include "inroot.h"

namespace berth {

namespace {

Napi::Value Arg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i ? info[i] : info.Env().Undefined();
}

}  // namespace

Napi::Value OpenInRootJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string sig = "openInRoot(rootFd, path, flags, mode, walk): ";
  int64_t rootFd = 0, flags = 0, mode = 0;
  if (!GetInteger(env, Arg(info, 0), sig + "rootFd", 0, 0x7FFFFFFF, &rootFd)) return env.Undefined();
  Napi::Value p = Arg(info, 1);
  if (!p.IsString()) {
    ThrowArgError(env, sig + "path must be a string");
    return env.Undefined();
  }
  std::string path = p.As<Napi::String>().Utf8Value();
  if (path.find('\0') != std::string::npos) {
    ThrowArgError(env, sig + "path holds a NUL byte");
    return env.Undefined();
  }
  if (!GetInteger(env, Arg(info, 2), sig + "flags", 0, 0x7FFFFFFF, &flags)) return env.Undefined();
  if (!GetInteger(env, Arg(info, 3), sig + "mode", 0, 07777, &mode)) return env.Undefined();
  bool walk = Arg(info, 4).IsBoolean() && Arg(info, 4).As<Napi::Boolean>().Value();
  int fd = -1;
  SysError error;
  if (!OpenInRoot(static_cast<int>(rootFd), path, static_cast<int>(flags), static_cast<unsigned>(mode), walk, &fd,
                  &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

Napi::Value OverlayMountFdJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string sig = "overlayMountFd(lowers, upper, work): ";
  Napi::Value l = Arg(info, 0);
  if (!l.IsArray()) {
    ThrowArgError(env, sig + "lowers must be an array of paths");
    return env.Undefined();
  }
  Napi::Array arr = l.As<Napi::Array>();
  std::vector<std::string> lowers;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    std::string s;
    if (!GetPath(env, arr.Get(i), sig + "lowers[i]", &s)) return env.Undefined();
    lowers.push_back(s);
  }
  std::string upper, work;
  if (!GetPath(env, Arg(info, 1), sig + "upper", &upper)) return env.Undefined();
  if (!GetPath(env, Arg(info, 2), sig + "work", &work)) return env.Undefined();
  int fd = -1;
  SysError error;
  if (!OverlayMountFd(lowers, upper, work, &fd, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

}  // namespace berth
