// nsInfo / nsInfoMany: JS bindings over ReadNsInfo (nsioctl.cc).
#include <string>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "errors.h"
#include "nsioctl.h"

namespace berth {

namespace {

Napi::Object RefToJs(Napi::Env env, const NsRef& ref) {
  Napi::Object obj = Napi::Object::New(env);
  obj.Set("dev", Napi::Number::New(env, static_cast<double>(ref.dev)));
  obj.Set("ino", Napi::Number::New(env, static_cast<double>(ref.ino)));
  return obj;
}

// Sets `field` (ref or null) and, when refused, `<field>Error`; leaves both
// unset when the ioctl does not apply to this namespace type.
void SetRelated(Napi::Env env, Napi::Object obj, const char* field, const RelatedNs& rel) {
  if (!rel.asked) return;
  if (rel.found) {
    obj.Set(field, RefToJs(env, rel.ref));
  } else {
    obj.Set(field, env.Null());
    obj.Set(std::string(field) + "Error", Napi::String::New(env, ErrnoName(rel.err)));
  }
}

Napi::Object ResultToJs(Napi::Env env, const NsInfoResult& r) {
  Napi::Object obj = Napi::Object::New(env);
  obj.Set("dev", Napi::Number::New(env, static_cast<double>(r.self.dev)));
  obj.Set("ino", Napi::Number::New(env, static_cast<double>(r.self.ino)));
  obj.Set("type", Napi::Number::New(env, r.type));
  obj.Set("typeName", Napi::String::New(env, r.typeName));
  SetRelated(env, obj, "userns", r.userns);
  SetRelated(env, obj, "parent", r.parent);
  if (r.hasOwnerUid) obj.Set("ownerUid", Napi::Number::New(env, r.ownerUid));
  return obj;
}

// Plain-data error entry for nsInfoMany (not an Error instance, so it can be
// structured-cloned across IPC as is).
Napi::Object ErrorEntryToJs(Napi::Env env, const SysError& e) {
  Napi::Object err = Napi::Object::New(env);
  err.Set("code", Napi::String::New(env, ErrnoName(e.err)));
  err.Set("errno", Napi::Number::New(env, e.err));
  err.Set("syscall", Napi::String::New(env, e.syscall));
  err.Set("path", Napi::String::New(env, e.path));
  err.Set("message", Napi::String::New(env, FormatMessage(e)));
  Napi::Object entry = Napi::Object::New(env);
  entry.Set("error", err);
  return entry;
}

}  // namespace

Napi::Value NsInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!GetPath(env, info.Length() > 0 ? info[0] : env.Undefined(), "nsInfo(path): path", &path)) {
    return env.Undefined();
  }
  NsInfoResult result;
  SysError error;
  if (!ReadNsInfo(path, &result, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  return ResultToJs(env, result);
}

Napi::Value NsInfoMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    ThrowArgError(env, "nsInfoMany(paths): paths must be an array of strings");
    return env.Undefined();
  }
  Napi::Array input = info[0].As<Napi::Array>();
  uint32_t n = input.Length();

  // Validate every element before touching the kernel: a bad argument fails
  // the whole call, a failing path fails only its own entry.
  std::vector<std::string> paths(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value v = input.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();  // throwing getter
    if (!GetPath(env, v, "nsInfoMany(paths): paths[" + std::to_string(i) + "]", &paths[i])) {
      return env.Undefined();
    }
  }

  Napi::Array output = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n; i++) {
    NsInfoResult result;
    SysError error;
    if (ReadNsInfo(paths[i], &result, &error)) {
      output.Set(i, ResultToJs(env, result));
    } else {
      output.Set(i, ErrorEntryToJs(env, error));
    }
  }
  return output;
}

}  // namespace berth
