// berth-monitor run <stateDir>: start the container described by
// <stateDir>/spec.json and stay with it until it exits (see run.cc).
#pragma once

#include <string>

namespace berth::monitor {

// Exit status of the foreground process: 0 the container is running,
// 1 it failed to start (state.json "failed"), 2 bad usage, unreadable state
// directory, another monitor on it, or an invalid spec.json.
int RunCommand(const std::string& stateDir);

// `run --standby`, once the state directory has come: this process becomes
// the monitor, without the fork (it was spawned detached, ahead of time, and
// is already in its own session). It reports on stdout instead of with its
// exit status: one byte, 0 running, 1 failed to start, 2 as above (the
// message on stderr first); then stdio is /dev/null. Returns when the
// container has ended (0), or the failure's status. spawner: made before
// the state directory came (`--pool`, spawner.h), or null.
class Spawner;
int RunStandbyCommand(const std::string& stateDir, Spawner* spawner = nullptr);

}  // namespace berth::monitor
