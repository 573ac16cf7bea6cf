// berth-monitor run <stateDir>: start the container described by
// <stateDir>/spec.json and stay with it until it exits (see run.cc).
#pragma once

#include <string>

namespace berth::monitor {

// Exit status of the foreground process: 0 the container is running,
// 1 it failed to start (state.json "failed"), 2 bad usage, unreadable state
// directory, another monitor on it, or an invalid spec.json.
int RunCommand(const std::string& stateDir);

}  // namespace berth::monitor
