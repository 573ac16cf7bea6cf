// cgroup v2 device policy: a BPF_PROG_TYPE_CGROUP_DEVICE program loaded from
// instructions the caller generated (main/engine/cgroups/v2/device-filter.ts)
// and attached to a cgroup2 directory with BPF_F_ALLOW_MULTI. Pure syscall
// layer: no N-API, safe off the JS thread. Programs are recognised as Berth's
// by their name (kProgramName), so an update replaces only our own.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "errors.h"

namespace berth {

// BPF_OBJ_NAME_LEN is 16 including the NUL.
constexpr const char* kDeviceProgramName = "berth_devices";

struct AttachedProgram {
  uint32_t id = 0;
  std::string name;   // as the kernel holds it ("" when it has none)
  std::string tag;    // 16 hex digits, the kernel's hash of the instructions
  uint32_t insnCount = 0;
};

// BPF_PROG_LOAD (type CGROUP_DEVICE) of `insns` (8 bytes each), attach to
// `groupDir` (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), then detach every other
// program named kDeviceProgramName from it. The new program is in force
// before the old one goes, so no window is left without a policy (while both
// are attached, a request must pass both). *newId: the loaded program's id;
// *replaced: ids of the programs detached. A verifier refusal carries the
// first line of the verifier's log in the error.
bool AttachDeviceProgram(const std::string& groupDir, const uint8_t* insns, size_t len, uint32_t* newId,
                         std::vector<uint32_t>* replaced, SysError* error);

// BPF_PROG_QUERY on groupDir: the programs attached there directly (not the
// inherited ones), with their names and tags.
bool QueryDevicePrograms(const std::string& groupDir, std::vector<AttachedProgram>* out, SysError* error);

// Detach every program named kDeviceProgramName from groupDir; *detached: their ids.
bool DetachDevicePrograms(const std::string& groupDir, std::vector<uint32_t>* detached, SysError* error);

}  // namespace berth
