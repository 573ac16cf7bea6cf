// Run berth-monitor only from a sealed in-memory copy of itself.
//
// CVE-2019-5736: a process in a container that can open /proc/PID/exe of a
// runtime process (e.g. while `exec` is setting up inside the container, or
// by tricking it into executing `#!/proc/self/exe`) gets the host's runtime
// binary and can overwrite it once the runtime exits. runc's answer
// (libcontainer/nsenter/cloned_binary.c) is to re-exec from a memfd copy
// sealed with F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE: the only
// file a container can ever reach through /proc/PID/exe is that copy, and the
// seals make it immutable (open with O_TRUNC and write(2) fail with EPERM).
// The host binary is never executed past this point.
#pragma once

#include "error.h"

namespace berth::monitor {

// True when /proc/self/exe is a memfd carrying all four seals.
bool RunningFromSealedCopy();

// If not already running from a sealed copy: copy /proc/self/exe into a new
// memfd, seal it, and fexecve it with the same argv/envp. Returns only on
// failure (the caller must stop: running unprotected is not an option).
// A marker variable in the environment stops a re-exec loop if the kernel
// ever refused to report the seals after the exec.
void ReexecFromSealedCopy(char** argv, Error* error);

}  // namespace berth::monitor
