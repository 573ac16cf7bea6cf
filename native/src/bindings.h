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

// procNsWalk(proc, files, threads, ownPidNs): NsWalk (nswalk.cc)
Napi::Value ProcNsWalk(const Napi::CallbackInfo& info);

// lsetxattr(path, name, value: Buffer): void
Napi::Value LSetXattr(const Napi::CallbackInfo& info);

// lgetxattr(path, name): Buffer | null (null: no such attribute, ENODATA)
Napi::Value LGetXattr(const Napi::CallbackInfo& info);

// llistxattr(path): string[]
Napi::Value LListXattr(const Napi::CallbackInfo& info);

// flock(fd, op: "ex" | "sh" | "un", wait: boolean): boolean (flock_binding.cc)
Napi::Value Flock(const Napi::CallbackInfo& info);

// mknod(path, mode, major, minor): void
Napi::Value MkNod(const Napi::CallbackInfo& info);

// sealedExecutable(path): number (a sealed, close-on-exec memfd copy; sealed_exe.cc)
Napi::Value SealedExecutable(const Napi::CallbackInfo& info);
// cgroupDeviceAttach(groupDir, insns): { id, replaced } (devcg_bpf_binding.cc)
Napi::Value CgroupDeviceAttach(const Napi::CallbackInfo& info);
// cgroupDevicePrograms(groupDir): Array<{ id, name, tag, insnCount, berth }>
Napi::Value CgroupDevicePrograms(const Napi::CallbackInfo& info);
// cgroupDeviceDetach(groupDir): number[] (ids of Berth's programs detached)
Napi::Value CgroupDeviceDetach(const Napi::CallbackInfo& info);
// class StatBatch (statbatch_binding.cc): kept-open stat files read in one call per tick.
Napi::Function StatBatchClass(Napi::Env env);
// class PidWatch (pidwatch_binding.cc): one callback when a process exits, from a pidfd.
Napi::Function PidWatchClass(Napi::Env env);

// openInRoot(rootFd, path, flags, mode, walk): fd (inroot_binding.cc)
Napi::Value OpenInRootJs(const Napi::CallbackInfo& info);
// overlayMountFd(lowers, upper, work): fd of a detached overlay mount
Napi::Value OverlayMountFdJs(const Napi::CallbackInfo& info);

}  // namespace berth
