// `berth-monitor seccomp-compile`: a resolved profile (seccomp_profile.h) on
// stdin, the classic BPF program libseccomp makes of it on stdout
// (seccomp_export_bpf: struct sock_filter[], native byte order), and one JSON
// line on stderr: {"instructions":N,"skipped":["name",…]}.
//
// Semantics follow runc's use of libseccomp: every architecture listed is
// added (the native one is always there); a syscall name libseccomp does not
// know is skipped (listed in "skipped"), so one profile serves old and new
// kernels; a rule whose action and errno equal the default is a no-op and is
// left out (libseccomp refuses it); a rule with several conditions on the same
// argument becomes one rule per condition (libseccomp takes at most one
// condition per argument in a rule). The program is a binary tree of
// syscall numbers (SCMP_FLTATR_CTL_OPTIMIZE 2): cheaper to attach, see the
// .cc.
//
// Exit status: 0 written; 2 invalid profile; 1 libseccomp failed.
#pragma once

#include <string>
#include <vector>

#include "error.h"
#include "seccomp_profile.h"

namespace berth::monitor {

struct SeccompCompileResult {
  size_t instructions = 0;
  std::vector<std::string> skipped;
};

// Compiles `profile` and writes the BPF program to outFd. Errors: step "seccomp".
bool CompileSeccomp(const SeccompProfile& profile, int outFd, SeccompCompileResult* result, Error* error);

int SeccompCompileCommand();

}  // namespace berth::monitor
