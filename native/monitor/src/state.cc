#include "state.h"

#include <signal.h>
#include <sys/wait.h>

#include "fileio.h"
#include "json.h"
#include "signals.h"

namespace berth::monitor {

namespace {

void AddRunning(json::ObjectWriter* w, const RunningState& s) {
  w->Int("pid", s.pid).Uint("pidStartTime", s.pidStartTime).Int("monitorPid", s.monitorPid);
  w->String("startedAt", s.startedAt);
}

void AddExit(json::ObjectWriter* w, const ExitStatus& e) {
  w->Int("exitCode", e.exitCode);
  if (e.signal) {
    char buf[32];
    w->String("signal", SignalName(e.signal, buf, sizeof buf));
  } else {
    w->Null("signal");
  }
  if (e.coreDumped) w->Bool("coreDumped", true);
  w->String("finishedAt", e.finishedAt);
}

}  // namespace

std::string RunningJson(const RunningState& s) {
  json::ObjectWriter w;
  w.String("status", "running");
  AddRunning(&w, s);
  return w.Finish() + "\n";
}

std::string ExitJson(const ExitStatus& e) {
  json::ObjectWriter w;
  AddExit(&w, e);
  return w.Finish() + "\n";
}

std::string ExitedStateJson(const RunningState& s, const ExitStatus& e) {
  json::ObjectWriter w;
  w.String("status", "exited");
  AddRunning(&w, s);
  AddExit(&w, e);
  return w.Finish() + "\n";
}

std::string FailedStateJson(pid_t monitorPid, const Error& error) {
  json::ObjectWriter w;
  w.String("status", "failed").Int("monitorPid", monitorPid).Raw("error", error.ToJson());
  w.String("failedAt", NowRfc3339Nano());
  return w.Finish() + "\n";
}

ExitStatus ExitFromSiginfo(int code, int status) {
  ExitStatus e;
  if (code == CLD_EXITED) {
    e.exitCode = status;
  } else {
    e.signal = status;
    e.exitCode = 128 + status;
    e.coreDumped = code == CLD_DUMPED;
  }
  e.finishedAt = NowRfc3339Nano();
  return e;
}

}  // namespace berth::monitor
