// Module registration only. N-API (no V8 API), so the same berth.node loads
// in Node and in Electron.
#include <napi.h>

#include "bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCred", Napi::Function::New(env, berth::PeerCred, "peerCred"));
  exports.Set("nsInfo", Napi::Function::New(env, berth::NsInfo, "nsInfo"));
  exports.Set("nsInfoMany", Napi::Function::New(env, berth::NsInfoMany, "nsInfoMany"));
  exports.Set("procNsWalk", Napi::Function::New(env, berth::ProcNsWalk, "procNsWalk"));
  exports.Set("lsetxattr", Napi::Function::New(env, berth::LSetXattr, "lsetxattr"));
  exports.Set("lgetxattr", Napi::Function::New(env, berth::LGetXattr, "lgetxattr"));
  exports.Set("llistxattr", Napi::Function::New(env, berth::LListXattr, "llistxattr"));
  exports.Set("flock", Napi::Function::New(env, berth::Flock, "flock"));
  exports.Set("mknod", Napi::Function::New(env, berth::MkNod, "mknod"));
  exports.Set("sealedExecutable", Napi::Function::New(env, berth::SealedExecutable, "sealedExecutable"));
  exports.Set("cgroupDeviceAttach", Napi::Function::New(env, berth::CgroupDeviceAttach, "cgroupDeviceAttach"));
  exports.Set("cgroupDevicePrograms", Napi::Function::New(env, berth::CgroupDevicePrograms, "cgroupDevicePrograms"));
  exports.Set("cgroupDeviceDetach", Napi::Function::New(env, berth::CgroupDeviceDetach, "cgroupDeviceDetach"));
  exports.Set("openInRoot", Napi::Function::New(env, berth::OpenInRootJs, "openInRoot"));
  exports.Set("overlayMountFd", Napi::Function::New(env, berth::OverlayMountFdJs, "overlayMountFd"));
  exports.Set("StatBatch", berth::StatBatchClass(env));
  exports.Set("PidWatch", berth::PidWatchClass(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(berth, Init)
