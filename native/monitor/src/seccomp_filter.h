// A compiled seccomp filter (the BPF program `seccomp-compile` wrote into the
// helper's cache) loaded before clone/fork and installed by the container's
// process as its last step before execve (process.h). The file is read whole
// by the monitor, never by the container: it is root's, in the data root.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "error.h"

namespace berth::monitor {

// Reads `path` (a whole number of struct sock_filter, 1..BPF_MAXINSNS).
// Errors: step "seccomp".
bool LoadSeccompFilter(const std::string& path, std::vector<sock_filter>* out, Error* error);

// seccomp(SECCOMP_SET_MODE_FILTER, 0, prog). Needs no_new_privs or
// CAP_SYS_ADMIN. 0 or errno.
int InstallSeccompFilter(const std::vector<sock_filter>& program);

}  // namespace berth::monitor
