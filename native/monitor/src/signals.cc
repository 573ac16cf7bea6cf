#include "signals.h"

#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>

namespace berth::monitor {

bool SetupMonitorSignals(UniqueFd* signalFd, Error* error) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) sigaddset(&set, sig);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
    *error = SysError("signals", "sigprocmask");
    return false;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  if (sigaction(SIGPIPE, &sa, nullptr) != 0) {
    *error = SysError("signals", "sigaction SIGPIPE");
    return false;
  }
  int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) {
    *error = SysError("signals", "signalfd");
    return false;
  }
  signalFd->Reset(fd);
  return true;
}

void ResetSignalsInChild() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &sa, nullptr);  // EINVAL for the libc-reserved ones: fine
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
}

const char* SignalName(int sig, char* buf, size_t size) {
  const char* abbrev = sigabbrev_np(sig);  // glibc ≥ 2.32: "KILL"
  if (abbrev != nullptr) {
    snprintf(buf, size, "SIG%s", abbrev);
  } else {
    snprintf(buf, size, "SIG%d", sig);
  }
  return buf;
}

}  // namespace berth::monitor
