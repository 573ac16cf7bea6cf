// The seccomp profile the monitor compiles (`berth-monitor seccomp-compile`):
// the OCI runtime spec's `linux.seccomp` object after the helper resolved
// Docker's extensions (archMap, includes/excludes by capability and
// architecture, minKernel). So every rule here applies; nothing is
// conditional. Decoding is strict and names the field, like spec.json:
//   seccomp profile: syscalls[3].args[0].op: unknown operator "SCMP_CMP_XX"
#pragma once

#include <stdint.h>

#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace berth::monitor {

enum class SeccompAction : uint8_t { kKillProcess, kKillThread, kTrap, kErrno, kTrace, kAllow, kLog };
enum class SeccompOp : uint8_t { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

struct SeccompArg {
  uint32_t index = 0;  // 0..5
  uint64_t value = 0;
  uint64_t valueTwo = 0;
  SeccompOp op = SeccompOp::kEq;
};

struct SeccompRule {
  std::vector<std::string> names;
  SeccompAction action = SeccompAction::kAllow;
  uint32_t errnoRet = 0;  // kErrno / kTrace; defaults to EPERM (errno) / 0 (trace)
  std::vector<SeccompArg> args;
};

struct SeccompProfile {
  SeccompAction defaultAction = SeccompAction::kErrno;
  uint32_t defaultErrnoRet = 1;          // EPERM
  std::vector<std::string> architectures;  // libseccomp names: "x86_64", "x86", "x32", "aarch64", …
  std::vector<SeccompRule> syscalls;
};

// Errors: step "seccomp", validation.
bool ParseSeccompProfile(std::string_view text, SeccompProfile* out, Error* error);

// "SCMP_ARCH_X86_64" → "x86_64", "SCMP_ARCH_MIPSEL64N32" → "mipsel64n32"; "" when not an SCMP_ARCH_ name.
std::string SeccompArchName(std::string_view ociName);

}  // namespace berth::monitor
