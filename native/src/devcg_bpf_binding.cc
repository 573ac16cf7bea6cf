// cgroupDeviceAttach / cgroupDevicePrograms / cgroupDeviceDetach: JS bindings
// over devcg_bpf.cc. Synchronous: a load + attach is a few syscalls (the
// verifier runs on a program of a few dozen instructions). Called only by the
// helper (root), through main/engine/cgroups/v2/devices.ts.
#include <string>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "devcg_bpf.h"
#include "errors.h"

namespace berth {

namespace {

Napi::Value Arg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i ? info[i] : info.Env().Undefined();
}

Napi::Array Ids(Napi::Env env, const std::vector<uint32_t>& ids) {
  Napi::Array out = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, ids[i]));
  return out;
}

}  // namespace

Napi::Value CgroupDeviceAttach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string dir;
  if (!GetPath(env, Arg(info, 0), "cgroupDeviceAttach(groupDir, insns): groupDir", &dir)) return env.Undefined();
  Napi::Value v = Arg(info, 1);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowArgError(env, "cgroupDeviceAttach(groupDir, insns): insns must be a Buffer or Uint8Array");
    return env.Undefined();
  }
  Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
  if (bytes.ByteLength() == 0 || bytes.ByteLength() % 8 != 0 || bytes.ByteLength() > 8 * 4096) {
    ThrowArgError(env, "cgroupDeviceAttach(groupDir, insns): insns must be 1..4096 instructions of 8 bytes");
    return env.Undefined();
  }
  // Copy: the bytes must not move or change while the kernel reads them.
  std::vector<uint8_t> insns(bytes.Data(), bytes.Data() + bytes.ByteLength());
  uint32_t id = 0;
  std::vector<uint32_t> replaced;
  SysError error;
  if (!AttachDeviceProgram(dir, insns.data(), insns.size(), &id, &replaced, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", Napi::Number::New(env, id));
  out.Set("replaced", Ids(env, replaced));
  return out;
}

Napi::Value CgroupDevicePrograms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string dir;
  if (!GetPath(env, Arg(info, 0), "cgroupDevicePrograms(groupDir): groupDir", &dir)) return env.Undefined();
  std::vector<AttachedProgram> progs;
  SysError error;
  if (!QueryDevicePrograms(dir, &progs, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, progs.size());
  for (size_t i = 0; i < progs.size(); i++) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("id", Napi::Number::New(env, progs[i].id));
    p.Set("name", Napi::String::New(env, progs[i].name));
    p.Set("tag", Napi::String::New(env, progs[i].tag));
    p.Set("insnCount", Napi::Number::New(env, progs[i].insnCount));
    p.Set("berth", Napi::Boolean::New(env, progs[i].name == kDeviceProgramName));
    out.Set(static_cast<uint32_t>(i), p);
  }
  return out;
}

Napi::Value CgroupDeviceDetach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string dir;
  if (!GetPath(env, Arg(info, 0), "cgroupDeviceDetach(groupDir): groupDir", &dir)) return env.Undefined();
  std::vector<uint32_t> detached;
  SysError error;
  if (!DetachDevicePrograms(dir, &detached, &error)) {
    ThrowSysError(env, error);
    return env.Undefined();
  }
  return Ids(env, detached);
}

}  // namespace berth
