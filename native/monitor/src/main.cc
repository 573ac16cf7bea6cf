// berth-monitor: the per-container monitor of Berth (conmon /
// containerd-shim's job). See ../README.md.
//
//   berth-monitor run <stateDir>
//   berth-monitor run --standby        (the state directory comes on stdin, one line)
//   berth-monitor exec [--control-fd N] <stateDir> <exec-spec.json>
//   berth-monitor seccomp-compile      (profile on stdin, BPF on stdout: seccomp_compile.h)
//   berth-monitor pod-hold [--pid] [--net PATH] [--hostname NAME]   (a pod's namespaces: pod.h)
//   berth-monitor --version
//
// Before anything else, every invocation makes itself non-dumpable (its
// /proc/PID files become root-owned and ptrace-protected) and re-executes
// from a sealed memfd copy of its binary (cloned_binary.h).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cloned_binary.h"
#include "exec.h"
#include "fileio.h"
#include "pod.h"
#include "run.h"
#include "seccomp_compile.h"
#include "spawner.h"
#include "sys.h"
#include "trace.h"

namespace {

constexpr const char* kVersion = "berth-monitor 0.1.0";

void Usage() {
  static const char text[] =
      "usage: berth-monitor run <stateDir>\n"
      "       berth-monitor run --standby [--pool NAME CGROUP_PROCS...]   (then <stateDir> + newline on stdin)\n"
      "       berth-monitor exec [--control-fd N] <stateDir> <exec-spec.json>\n"
      "       berth-monitor seccomp-compile   (profile on stdin, BPF on stdout)\n"
      "       berth-monitor pod-hold [--pid] [--net PATH] [--hostname NAME]\n"
      "       berth-monitor --version\n";
  berth::monitor::WriteAll(2, text, sizeof text - 1);
}

bool ParseFd(const char* s, int* out) {
  char* end = nullptr;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 3 || v > 1 << 20) return false;
  *out = static_cast<int>(v);
  return true;
}

// `run --standby`: the helper starts a monitor ahead of time (exec'd, from
// its sealed copy, linked) and later writes the state directory to its stdin,
// one line. kEof: stdin closed first (the helper needs no more monitors).
// The standby then becomes the monitor itself, without a fork (run.h).
enum class StandbyLine { kOk, kEof, kBad };

StandbyLine ReadStandbyLine(std::string* out) {
  out->clear();
  // The helper writes the line in one write(2): usually one read. Anything
  // after the newline is ignored.
  char buf[4097];
  while (true) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return StandbyLine::kBad;
    if (n == 0) return out->empty() ? StandbyLine::kEof : StandbyLine::kBad;
    const char* nl = static_cast<const char*>(memchr(buf, '\n', static_cast<size_t>(n)));
    out->append(buf, nl ? static_cast<size_t>(nl - buf) : static_cast<size_t>(n));
    if (out->size() > 4096) return StandbyLine::kBad;
    if (nl) break;
  }
  bool ok = !out->empty() && (*out)[0] == '/' && out->find('\0') == std::string::npos;
  return ok ? StandbyLine::kOk : StandbyLine::kBad;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace berth::monitor;
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
    printf("%s\n", kVersion);
    return 0;
  }
  if (argc < 2) {
    Usage();
    return 2;
  }
  std::string command = argv[1];
  // Runs no container: no sealed copy needed (the helper runs it once per
  // distinct profile and caches the program).
  if (command == "seccomp-compile") {
    if (argc != 2) {
      Usage();
      return 2;
    }
    return SeccompCompileCommand();
  }
  if (command != "run" && command != "exec" && command != "pod-hold") {
    Usage();
    return 2;
  }

  // Returns only when already running from the sealed copy, or on failure.
  Error cloneError;
  ReexecFromSealedCopy(argv, &cloneError);
  if (!cloneError.step.empty()) {
    std::string line = "berth-monitor: " + cloneError.Message() + "\n";
    WriteAll(2, line.data(), line.size());
    return command == "run" ? 1 : 125;
  }
  // One name in ps/top however we were exec'd (a memfd path would leave "19"
  // or "memfd:berth-mon").
  ::prctl(PR_SET_NAME, "berth-monitor", 0, 0, 0);

  if (command == "pod-hold") {
    berth::sys::CloseRange(3, ~0U, 0);
    return PodHoldCommand(argc, argv);
  }
  if (command == "run") {
    bool standby = argc >= 3 && strcmp(argv[2], "--standby") == 0;
    bool pool = standby && argc >= 5 && strcmp(argv[3], "--pool") == 0;
    if (argc != 3 && !pool) {
      Usage();
      return 2;
    }
    // Nothing is meant to be inherited beyond stdio.
    berth::sys::CloseRange(3, ~0U, 0);
    if (standby) {
      // The pool (spawner.h): a spawner moves into these groups now, before
      // any request. If it cannot, starts go without it (the helper's spec
      // lists the pool's files to write then).
      Spawner spawner;
      if (pool) {
        std::vector<std::string> files(argv + 5, argv + argc);
        Error poolError;
        if (!spawner.Start(argv[4], files, &poolError)) {
          std::string line = "berth-monitor run --standby: no spawner: " + poolError.Message() + "\n";
          WriteAll(2, line.data(), line.size());
        }
      }
      std::string stateDir;
      switch (ReadStandbyLine(&stateDir)) {
        case StandbyLine::kOk:
          trace::Mark("monitor: state dir received (standby)");
          return RunStandbyCommand(stateDir, &spawner);
        case StandbyLine::kEof:
          return 0;
        case StandbyLine::kBad:
          break;
      }
      static const char bad[] =
          "berth-monitor run --standby: expected an absolute state directory and a newline on stdin\n";
      WriteAll(2, bad, sizeof bad - 1);
      return 2;
    }
    trace::Mark("monitor: exec'd");
    return RunCommand(argv[2]);
  }

  int controlFd = -1;
  int i = 2;
  if (i < argc && strcmp(argv[i], "--control-fd") == 0) {
    if (i + 1 >= argc || !ParseFd(argv[i + 1], &controlFd)) {
      Usage();
      return 125;
    }
    i += 2;
  }
  if (argc - i != 2) {
    Usage();
    return 125;
  }
  // Keep stdio and the control fd; nothing else is meant to be inherited.
  if (controlFd >= 0) {
    if (controlFd > 3) berth::sys::CloseRange(3, static_cast<unsigned>(controlFd - 1), 0);
    berth::sys::CloseRange(static_cast<unsigned>(controlFd + 1), ~0U, 0);
    if (::fcntl(controlFd, F_SETFD, FD_CLOEXEC) != 0) {
      std::string line = "berth-monitor exec: --control-fd " + std::to_string(controlFd) + " is not open\n";
      WriteAll(2, line.data(), line.size());
      return 125;
    }
  } else {
    berth::sys::CloseRange(3, ~0U, 0);
  }
  return ExecCommand(argv[i], argv[i + 1], controlFd);
}
