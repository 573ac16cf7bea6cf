#include "pod.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "error.h"
#include "fileio.h"
#include "loopback.h"
#include "signals.h"
#include "sys.h"
#include "unique_fd.h"

namespace berth::monitor {

namespace {

struct PodHoldArgs {
  bool pid = false;
  std::string net;       // a netns file to join; empty: a new one with lo up
  std::string hostname;  // empty: keep the host's (copied by the new uts ns)
};

bool ParseArgs(int argc, char** argv, PodHoldArgs* a, std::string* why) {
  for (int i = 2; i < argc; i++) {
    std::string f = argv[i];
    if (f == "--pid") {
      a->pid = true;
    } else if ((f == "--net" || f == "--hostname") && i + 1 < argc) {
      std::string v = argv[++i];
      if (f == "--net") {
        if (v.empty() || v[0] != '/') return *why = "--net needs an absolute path", false;
        a->net = v;
      } else {
        if (v.empty() || v.size() > 64) return *why = "--hostname needs 1 to 64 characters", false;
        a->hostname = v;
      }
    } else {
      return *why = "unknown or incomplete argument " + f, false;
    }
  }
  return true;
}

// The holder's life after setup: every signal blocked and taken with
// sigwaitinfo (as init of a pid namespace, a signal without a handler from
// inside would be dropped; blocked ones are queued). SIGCHLD: reap all.
[[noreturn]] void Hold() {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  while (true) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig == SIGCHLD) {
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
    } else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
      ::_exit(0);
    }
  }
}

// The holder's setup, in the child of clone: own session, stdio to
// /dev/null, the network namespace, the hostname. Reports one byte ('R') or
// a WireError on the pipe.
[[noreturn]] void HolderChild(const PodHoldArgs& a, int netFd, int report) {
  ResetSignalsInChild();
  ::prctl(PR_SET_NAME, "berth-pod", 0, 0, 0);
  Error e;
  auto fail = [&](const Error& err) {
    WireError w = ToWire(err);
    WriteAll(report, reinterpret_cast<const char*>(&w), sizeof w);
    ::_exit(1);
  };
  if (::setsid() < 0) fail(SysError("setsid", "setsid"));
  if (::chdir("/") != 0) fail(SysError("chdir", "chdir /"));
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(null, 1) < 0 || ::dup2(null, 2) < 0) {
    fail(SysError("stdio", "dup2 /dev/null"));
  }
  if (netFd >= 0) {
    if (sys::SetNs(netFd, CLONE_NEWNET) != 0) fail(SysError("setns", "setns network " + a.net));
  } else if (!LoopbackUp(&e)) {
    fail(e);
  }
  if (!a.hostname.empty() && ::sethostname(a.hostname.data(), a.hostname.size()) != 0) {
    fail(SysError("sethostname", "sethostname " + a.hostname));
  }
  char ok = 'R';
  WriteAll(report, &ok, 1);
  ::close(report);
  if (netFd >= 0) ::close(netFd);
  Hold();
}

}  // namespace

int PodHoldCommand(int argc, char** argv) {
  PodHoldArgs a;
  std::string why;
  auto die = [](const std::string& msg, int code) {
    std::string line = "berth-monitor pod-hold: " + msg + "\n";
    WriteAll(2, line.data(), line.size());
    return code;
  };
  if (!ParseArgs(argc, argv, &a, &why)) return die(why, 2);
  UniqueFd netFd;
  if (!a.net.empty()) {
    netFd.Reset(::open(a.net.c_str(), O_RDONLY | O_CLOEXEC));
    if (!netFd.Valid()) return die(SysError("setns", "open network namespace " + a.net).Message(), 1);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return die(SysError("pipe", "pipe2").Message(), 1);
  UniqueFd readEnd(fds[0]), writeEnd(fds[1]);
  uint64_t flags = CLONE_NEWIPC | CLONE_NEWUTS | (a.pid ? CLONE_NEWPID : 0) | (a.net.empty() ? CLONE_NEWNET : 0);
  pid_t pid = sys::CloneFork(flags, nullptr);
  if (pid < 0) return die(SysError("clone", "clone3 (the pod's namespaces)").Message(), 1);
  if (pid == 0) {
    readEnd.Reset();
    HolderChild(a, netFd.Valid() ? netFd.Get() : -1, writeEnd.Get());
  }
  writeEnd.Reset();
  WireError w;
  ssize_t n;
  do {
    n = ::read(readEnd.Get(), &w, sizeof w);
  } while (n < 0 && errno == EINTR);
  if (n == 1 && reinterpret_cast<const char*>(&w)[0] == 'R') {
    std::string line = std::to_string(pid) + "\n";
    WriteAll(1, line.data(), line.size());
    return 0;
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  if (n == static_cast<ssize_t>(sizeof w)) return die(FromWire(w).Message(), 1);
  return die("the holder ended before it was ready", 1);
}

}  // namespace berth::monitor
