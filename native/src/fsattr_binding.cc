// lsetxattr / lgetxattr / llistxattr / mknod: JS bindings over fsattr.cc.
// Synchronous like the other bindings: each is one or two syscalls on a
// local path. Errors have the addon's usual shape (code, errno, syscall,
// path, message "<syscall> <name> <path>: <CODE> (<text>)").
#include <sys/stat.h>

#include <string>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "errors.h"
#include "fsattr.h"

namespace berth {

namespace {

Napi::Value Arg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i ? info[i] : info.Env().Undefined();
}

}  // namespace

Napi::Value LSetXattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path, name;
  if (!GetPath(env, Arg(info, 0), "lsetxattr(path, name, value): path", &path)) return env.Undefined();
  if (!GetName(env, Arg(info, 1), "lsetxattr(path, name, value): name", &name)) return env.Undefined();
  Napi::Value value = Arg(info, 2);
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowArgError(env, "lsetxattr(path, name, value): value must be a Buffer or Uint8Array");
    return env.Undefined();
  }
  Napi::Uint8Array bytes = value.As<Napi::Uint8Array>();
  SysError error;
  if (!SetXattr(path, name, bytes.Data(), bytes.ByteLength(), &error)) {
    ThrowSysError(env, error);
  }
  return env.Undefined();
}

Napi::Value LGetXattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path, name;
  if (!GetPath(env, Arg(info, 0), "lgetxattr(path, name): path", &path)) return env.Undefined();
  if (!GetName(env, Arg(info, 1), "lgetxattr(path, name): name", &name)) return env.Undefined();
  std::vector<char> value;
  bool found = false;
  SysError error;
  if (!GetXattr(path, name, &value, &found, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  if (!found) return env.Null();
  return Napi::Buffer<char>::Copy(env, value.data(), value.size());
}

Napi::Value LListXattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!GetPath(env, Arg(info, 0), "llistxattr(path): path", &path)) return env.Undefined();
  std::vector<std::string> names;
  SysError error;
  if (!ListXattr(path, &names, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) {
    out.Set(static_cast<uint32_t>(i), Napi::String::New(env, names[i]));
  }
  return out;
}

Napi::Value MkNod(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  int64_t mode = 0, major = 0, minor = 0;
  if (!GetPath(env, Arg(info, 0), "mknod(path, mode, major, minor): path", &path)) return env.Undefined();
  if (!GetInteger(env, Arg(info, 1), "mknod(path, mode, major, minor): mode", 0, 0xFFFF, &mode)) {
    return env.Undefined();
  }
  // makedev() packs 32-bit major and minor numbers; the kernel's dev_t
  // currently uses 12 + 20 bits and answers EINVAL/EOVERFLOW beyond that.
  if (!GetInteger(env, Arg(info, 2), "mknod(path, mode, major, minor): major", 0, 0xFFFFFFFF, &major) ||
      !GetInteger(env, Arg(info, 3), "mknod(path, mode, major, minor): minor", 0, 0xFFFFFFFF, &minor)) {
    return env.Undefined();
  }
  SysError error;
  if (!MakeNode(path, static_cast<mode_t>(mode), static_cast<unsigned>(major), static_cast<unsigned>(minor),
                &error)) {
    ThrowSysError(env, error);
  }
  return env.Undefined();
}

}  // namespace berth
