// Signal discipline. Monitors block the signals they handle and read them
// from a signalfd in their poll loop; SIGPIPE is ignored (a vanished attach
// client or a closed container stdin must not kill the monitor). Children
// undo all of it before execve: dispositions set to SIG_IGN and the blocked
// mask would otherwise be inherited by the container process.
#pragma once

#include <signal.h>

#include "error.h"
#include "unique_fd.h"

namespace berth::monitor {

// Blocks SIGCHLD SIGTERM SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH,
// ignores SIGPIPE, and returns a signalfd (non-blocking, close-on-exec) for
// the blocked set.
bool SetupMonitorSignals(UniqueFd* signalFd, Error* error);

// In a child: every handler back to SIG_DFL, empty mask.
void ResetSignalsInChild();

// "SIGKILL" etc.; "SIG<n>" for unnamed numbers.
const char* SignalName(int sig, char* buf, size_t size);

}  // namespace berth::monitor
