// berth-monitor exec [--control-fd N] <stateDir> <exec-spec.json>: run a
// process inside a running container (see exec.cc).
#pragma once

#include <string>

namespace berth::monitor {

// The process's exit code (128 + signal number when killed). Before the
// process runs: 125 (bad spec, container not running, a setup step failed),
// 126 (execve failed: EACCES, ENOEXEC, ...), 127 (execve: ENOENT, not found
// in $PATH); the error is printed on stderr and sent as an error frame on the
// control fd.
int ExecCommand(const std::string& stateDir, const std::string& specPath, int controlFd);

}  // namespace berth::monitor
