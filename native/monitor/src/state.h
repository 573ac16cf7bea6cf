// The files a monitor writes into <stateDir>, each replaced atomically:
//   state.json          {"status":"running","pid":..,"pidStartTime":..,"monitorPid":..,"startedAt":".."}
//                       {"status":"exited", ...running fields, "exitCode":..,"signal":..,"finishedAt":".."}
//                       {"status":"failed","monitorPid":..,"error":{step,errno,errnoName,message},"failedAt":".."}
//   exit.json           {"exitCode":..,"signal":"SIGKILL"|null,"finishedAt":".."}
//   monitor-error.json  {step, errno, errnoName, message}
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <string>

#include "error.h"

namespace berth::monitor {

struct RunningState {
  pid_t pid = 0;
  uint64_t pidStartTime = 0;
  pid_t monitorPid = 0;
  std::string startedAt;
};

struct ExitStatus {
  int exitCode = 0;     // the code, or 128 + signal number
  int signal = 0;       // 0 when it exited normally
  bool coreDumped = false;
  std::string finishedAt;
};

std::string RunningJson(const RunningState& s);
std::string ExitJson(const ExitStatus& e);
std::string ExitedStateJson(const RunningState& s, const ExitStatus& e);
std::string FailedStateJson(pid_t monitorPid, const Error& error);

// From waitid's siginfo (CLD_EXITED / CLD_KILLED / CLD_DUMPED).
ExitStatus ExitFromSiginfo(int code, int status);

}  // namespace berth::monitor
