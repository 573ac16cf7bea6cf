// The JS-facing functions, registered by addon.cc.
#pragma once

#include <napi.h>

namespace berth {

// peerCred(fd: number): { pid, uid, gid }
Napi::Value PeerCred(const Napi::CallbackInfo& info);

// nsInfo(path: string): NsInfo
Napi::Value NsInfo(const Napi::CallbackInfo& info);

// nsInfoMany(paths: string[]): Array<NsInfo | { error }>
Napi::Value NsInfoMany(const Napi::CallbackInfo& info);

}  // namespace berth
