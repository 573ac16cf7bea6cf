// berth-monitor run <stateDir>
//
// Foreground: open <stateDir>, take <stateDir>/monitor.lock (flock, held for
// the monitor's life: a second monitor on the same directory is refused, and
// the helper can probe liveness with LOCK_SH|LOCK_NB), remove stale
// state/exit/error files, read and validate spec.json; fork the daemon and
// wait for its one-byte report (0 running, 1 failed), which becomes our exit
// status. The helper may therefore either wait for this process to exit or
// poll for state.json.
//
// Standby (`run --standby`, RunStandbyCommand): the same steps, but the
// process the helper spawned ahead of time is the daemon: no fork, and the
// one-byte report goes to stdout, which the helper reads (a fork and a
// process exit fewer on the start path).
//
// Daemon: setsid, stdio on /dev/null, chdir /, umask 077; join
// monitorCgroupProcs; open the log, listen on attach.sock; start the
// container (container.h); write state.json "running"; report; then one
// epoll loop: container output → log + attach clients, attach input →
// container stdin / pty size, pidfd → reap. SIGTERM/SIGINT/SIGHUP/SIGQUIT are
// read from the signalfd and ignored: the helper signals the container's pid
// itself, and the monitor must outlive the helper and its process group.
// On exit: drain the output, close the log, write exit.json, state.json
// "exited", send the exit frame to attach clients, remove attach.sock, exit 0.
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "container.h"
#include "fileio.h"
#include "frame.h"
#include "log.h"
#include "loop.h"
#include "pty.h"
#include "signals.h"
#include "spawner.h"
#include "spec.h"
#include "state.h"
#include "sys.h"
#include "trace.h"

namespace berth::monitor {

namespace {

constexpr size_t kMaxSpecBytes = 4 << 20;
constexpr size_t kStdinHighWater = 1 << 20;
constexpr size_t kStdinLowWater = 64 << 10;

void PrintError(const Error& e) {
  std::string line = "berth-monitor run: " + e.Message() + "\n";
  WriteAll(2, line.data(), line.size());
}

// monitor-error.json + state.json "failed". Best effort: the directory may
// be the problem.
void RecordFailure(int dirfd, const Error& e) {
  Error ignored;
  AtomicWriteAt(dirfd, "monitor-error.json", e.ToJson() + "\n", &ignored);
  AtomicWriteAt(dirfd, "state.json", FailedStateJson(::getpid(), e), &ignored);
}

bool WriteOwnPid(const std::vector<std::string>& files, Error* error) {
  std::string text = std::to_string(::getpid()) + "\n";
  for (const std::string& file : files) {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.Valid() || ::write(fd.Get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      *error = SysError("cgroup", "write monitor pid to " + file);
      return false;
    }
  }
  return true;
}

class RunMonitor {
 public:
  RunMonitor(const Spec& spec, int dirfd, Spawner* spawner = nullptr) : spec_(spec), dirfd_(dirfd), spawner_(spawner) {}

  // Returns the daemon's exit status.
  int Run(int readyFd) {
    Error e;
    auto failStart = [&](const Error& err) {
      RecordFailure(dirfd_, err);
      char one = 1;
      WriteAll(readyFd, &one, 1);
      return 1;
    };
    trace::Mark("daemon: begins");
    if (!WriteOwnPid(spec_.monitorCgroupProcs, &e)) return failStart(e);
    trace::Mark("daemon: own cgroups joined");
    if (!SetupMonitorSignals(&signalFd_, &e)) return failStart(e);
    if (!loop_.Init(&e)) return failStart(e);
    if (!log_.Open(spec_.log, &e)) return failStart(e);
    AttachServer::Handlers handlers;
    handlers.stdinData = [this](const char* data, size_t size) { QueueStdin(data, size); };
    handlers.resize = [this](uint16_t rows, uint16_t cols) {
      if (c_.ptyMaster.Valid()) SetWinsize(c_.ptyMaster.Get(), rows, cols);
    };
    handlers.closeStdin = [this]() {
      if (c_.stdinWrite.Valid()) {
        closeStdinWhenDrained_ = true;
        PumpStdin();
      }
    };
    if (!attach_.Listen(&loop_, dirfd_, handlers, &e)) return failStart(e);
    trace::Mark("daemon: log and attach ready");
    if (!StartContainer(spec_, &c_, &e, spawner_)) {
      attach_.Shutdown("{}");
      return failStart(e);
    }
    running_.pid = c_.pid;
    running_.monitorPid = ::getpid();
    running_.startedAt = NowRfc3339Nano();
    if (!ReadPidStartTime(c_.pid, &running_.pidStartTime, &e)) {
      // /proc/PID stays until we reap it, so this only fails without /proc:
      // record 0 rather than fail a container that runs.
      running_.pidStartTime = 0;
    }
    if (!RegisterFds(&e) || !AtomicWriteAt(dirfd_, "state.json", RunningJson(running_), &e, Sync::kNone)) {
      sys::PidfdSendSignal(c_.pidfd.Get(), SIGKILL);
      siginfo_t info;
      ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(c_.pidfd.Get()), &info, WEXITED);
      attach_.Shutdown("{}");
      return failStart(e);
    }
    trace::Mark("daemon: state.json running");
    char zero = 0;
    WriteAll(readyFd, &zero, 1);
    ::close(readyFd);

    while (!exited_) {
      int64_t now = MonotonicMs();
      int64_t due = log_.NextFlushInMs(now);
      if (!loop_.RunOnce(due < 0 ? -1 : static_cast<int>(due), &e)) {
        // Cannot poll any more: keep the promise of exit.json at least.
        Error ignored;
        AtomicWriteAt(dirfd_, "monitor-error.json", e.ToJson() + "\n", &ignored);
        siginfo_t info;
        memset(&info, 0, sizeof info);
        ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(c_.pidfd.Get()), &info, WEXITED);
        exitInfo_ = info;
        exited_ = true;
        break;
      }
      log_.FlushPartial(MonotonicMs(), false);
    }
    return Finish();
  }

 private:
  bool RegisterFds(Error* e) {
    if (!loop_.Add(signalFd_.Get(), EPOLLIN, [this](uint32_t) { DrainSignals(); }) ||
        !loop_.Add(c_.pidfd.Get(), EPOLLIN, [this](uint32_t) { Reap(); })) {
      *e = SysError("loop", "epoll_ctl");
      return false;
    }
    auto setNonblock = [](int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); };
    if (c_.ptyMaster.Valid()) {
      setNonblock(c_.ptyMaster.Get());
      if (!loop_.Add(c_.ptyMaster.Get(), EPOLLIN, [this](uint32_t ev) { OnPty(ev); })) {
        *e = SysError("loop", "epoll_ctl pty");
        return false;
      }
      return true;
    }
    for (int s = 0; s < 2; s++) {
      UniqueFd& fd = s == 0 ? c_.stdoutRead : c_.stderrRead;
      setNonblock(fd.Get());
      LogStream stream = s == 0 ? LogStream::kStdout : LogStream::kStderr;
      int raw = fd.Get();
      if (!loop_.Add(raw, EPOLLIN, [this, raw, stream](uint32_t) { ReadOutput(raw, stream); })) {
        *e = SysError("loop", "epoll_ctl output pipe");
        return false;
      }
    }
    if (c_.stdinWrite.Valid()) setNonblock(c_.stdinWrite.Get());
    return true;
  }

  UniqueFd& OutputFd(LogStream stream) {
    if (c_.ptyMaster.Valid()) return c_.ptyMaster;
    return stream == LogStream::kStdout ? c_.stdoutRead : c_.stderrRead;
  }

  // Reads what is there (bounded per event, for fairness). Returns false at
  // EOF (pipe closed, or EIO on a pty whose slave side is all closed).
  bool ReadOutput(int fd, LogStream stream) {
    char buf[65536];
    for (int i = 0; i < 16; i++) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        log_.Write(stream, buf, static_cast<size_t>(n), MonotonicMs());
        attach_.Broadcast(stream == LogStream::kStdout ? kFrameStdout : kFrameStderr, buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      // EOF, EIO (pty) or another error: this stream is over.
      UniqueFd& owned = OutputFd(stream);
      if (owned.Get() == fd) {
        loop_.Remove(fd);
        if (!c_.ptyMaster.Valid() || fd != c_.ptyMaster.Get()) owned.Reset();
        else ptyClosed_ = true;
      }
      return false;
    }
    return true;
  }

  void OnPty(uint32_t events) {
    if (events & EPOLLOUT) PumpStdin();
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ReadOutput(c_.ptyMaster.Get(), LogStream::kStdout);
    UpdatePtyInterest();
  }

  void UpdatePtyInterest() {
    if (!c_.ptyMaster.Valid() || ptyClosed_) return;
    loop_.Modify(c_.ptyMaster.Get(), EPOLLIN | (stdin_.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT)));
  }

  int StdinFd() const {
    if (c_.ptyMaster.Valid()) return ptyClosed_ ? -1 : c_.ptyMaster.Get();
    return c_.stdinWrite.Get();
  }

  void QueueStdin(const char* data, size_t size) {
    if (StdinFd() < 0 || closeStdinWhenDrained_) return;  // nowhere to go: dropped
    stdin_.append(data, size);
    PumpStdin();
  }

  void PumpStdin() {
    int fd = StdinFd();
    while (fd >= 0 && !stdin_.empty()) {
      ssize_t n = ::write(fd, stdin_.data(), stdin_.size());
      if (n > 0) {
        stdin_.erase(0, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      stdin_.clear();  // EPIPE: the container closed its stdin
      if (!c_.ptyMaster.Valid()) {
        loop_.Remove(fd);
        c_.stdinWrite.Reset();
        fd = -1;
      }
    }
    if (!c_.ptyMaster.Valid() && c_.stdinWrite.Valid()) {
      int w = c_.stdinWrite.Get();
      if (stdin_.empty() && closeStdinWhenDrained_) {
        loop_.Remove(w);
        c_.stdinWrite.Reset();
      } else if (!stdin_.empty() && !loop_.Has(w)) {
        loop_.Add(w, EPOLLOUT, [this](uint32_t) { PumpStdin(); });
      } else if (stdin_.empty() && loop_.Has(w)) {
        loop_.Remove(w);
      }
    }
    if (c_.ptyMaster.Valid()) UpdatePtyInterest();
    // Backpressure: stop reading attach clients while the container is not
    // reading its stdin.
    if (!pausedNow_ && stdin_.size() > kStdinHighWater) {
      pausedNow_ = true;
      attach_.PauseInput(true);
    } else if (pausedNow_ && stdin_.size() < kStdinLowWater) {
      pausedNow_ = false;
      attach_.PauseInput(false);
    }
  }

  void DrainSignals() {
    struct signalfd_siginfo si;
    while (::read(signalFd_.Get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      // SIGCHLD: the pidfd tells us. TERM/INT/HUP/QUIT/USR*: not forwarded
      // (the helper signals the container directly); the monitor stays.
    }
  }

  void Reap() {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(c_.pidfd.Get()), &info, WEXITED | WNOHANG) != 0) {
      if (errno == EINTR) return;
      // ECHILD (init is not our child, or was reaped elsewhere): the pidfd
      // stays readable, so returning would spin the loop. The status is
      // lost: report why and record 255, as the helper does for "dead".
      Error ignored;
      AtomicWriteAt(dirfd_, "monitor-error.json", SysError("waitid", "the container's init").ToJson() + "\n", &ignored);
      memset(&info, 0, sizeof info);
      info.si_code = CLD_EXITED;
      info.si_status = 255;
    } else if (info.si_pid == 0) {
      return;
    }
    trace::Mark("daemon: reaped");
    exitInfo_ = info;
    exited_ = true;
  }

  int Finish() {
    // What the container wrote before it died is still in the pipes/pty.
    if (c_.ptyMaster.Valid() && !ptyClosed_) {
      ReadAll(c_.ptyMaster.Get(), LogStream::kStdout);
    } else {
      if (c_.stdoutRead.Valid()) ReadAll(c_.stdoutRead.Get(), LogStream::kStdout);
      if (c_.stderrRead.Valid()) ReadAll(c_.stderrRead.Get(), LogStream::kStderr);
    }
    log_.Close();
    ExitStatus status = ExitFromSiginfo(exitInfo_.si_code, exitInfo_.si_status);
    Error e;
    std::string exitJson = ExitJson(status);
    Error ignored;
    trace::Mark("daemon: output drained, writing exit.json");
    // No fsync: a process crash cannot tear them (rename), and the helper
    // keeps the exit durably in its record as soon as it reads exit.json.
    // After a power cut (which ends every container) an exit.json the
    // helper never read may be missing or unreadable: it then records
    // "dead", exit code 255.
    if (!AtomicWriteAt(dirfd_, "exit.json", exitJson, &e, Sync::kNone)) {
      AtomicWriteAt(dirfd_, "monitor-error.json", e.ToJson() + "\n", &ignored);
    }
    trace::Mark("daemon: exit.json written");
    // Now the overlay may go (and sync the upper filesystem): the exit is
    // reported. Before state.json "exited" and before monitor.lock is
    // released, so the next run on this directory never meets it mounted.
    c_.mountNs.Reset();
    if (!AtomicWriteAt(dirfd_, "state.json", ExitedStateJson(running_, status), &e, Sync::kNone)) {
      AtomicWriteAt(dirfd_, "monitor-error.json", e.ToJson() + "\n", &ignored);
    }
    if (!log_.WriteError().step.empty()) {
      AtomicWriteAt(dirfd_, "monitor-error.json", log_.WriteError().ToJson() + "\n", &ignored);
    }
    trace::Mark("daemon: overlay released, state.json exited");
    // Last, off the exit's path: a bench reads it once state.json says exited.
    trace::WriteAt(dirfd_, "trace.txt", &ignored);
    exitJson.pop_back();  // the newline
    attach_.Shutdown(exitJson);
    return 0;
  }

  // Bounded: with no pid namespace, a process outside our reach may still
  // hold the pipe and keep writing.
  void ReadAll(int fd, LogStream stream) {
    for (int rounds = 0; rounds < 1024; rounds++) {
      if (!ReadOutput(fd, stream)) return;  // EOF
      int avail = 0;
      if (::ioctl(fd, FIONREAD, &avail) != 0 || avail <= 0) return;  // nothing buffered
    }
  }

  const Spec& spec_;
  int dirfd_;
  Spawner* spawner_;
  EventLoop loop_;
  LogWriter log_;
  AttachServer attach_;
  StartedContainer c_;
  UniqueFd signalFd_;
  RunningState running_;
  std::string stdin_;
  bool closeStdinWhenDrained_ = false;
  bool pausedNow_ = false;
  bool ptyClosed_ = false;
  bool exited_ = false;
  siginfo_t exitInfo_ = {};
};

}  // namespace

namespace {

// What both ways of running share, before the container: the state
// directory, its monitor.lock (held for the monitor's life), no stale
// state/exit/error files, and spec.json read and validated.
struct OpenedRun {
  UniqueFd dir;
  UniqueFd lock;
  Spec spec;
};

// 0, or the exit status (2) after the error is printed (and, once the
// directory is ours, recorded in monitor-error.json).
int OpenRun(const std::string& stateDir, OpenedRun* run) {
  run->dir.Reset(::open(stateDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!run->dir.Valid()) {
    PrintError(SysError("statedir", "open state directory " + stateDir));
    return 2;
  }
  int dir = run->dir.Get();
  run->lock.Reset(::openat(dir, "monitor.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!run->lock.Valid()) {
    PrintError(SysError("lock", "open " + stateDir + "/monitor.lock"));
    return 2;
  }
  if (::flock(run->lock.Get(), LOCK_EX | LOCK_NB) != 0) {
    PrintError(SysError("lock", "lock " + stateDir + "/monitor.lock", errno,
                        errno == EWOULDBLOCK ? "another berth-monitor runs on this state directory" : ""));
    return 2;
  }
  for (const char* stale : {"state.json", "exit.json", "monitor-error.json"}) {
    if (::unlinkat(dir, stale, 0) != 0 && errno != ENOENT) {
      PrintError(SysError("statedir", std::string("remove stale ") + stale));
      return 2;
    }
  }
  Error e;
  std::string text;
  if (!ReadFileAt(dir, "spec.json", kMaxSpecBytes, &text, &e)) {
    e.step = "spec";
    RecordFailure(dir, e);
    PrintError(e);
    return 2;
  }
  if (!ParseSpec(text, "spec.json", &run->spec, &e)) {
    RecordFailure(dir, e);
    PrintError(e);
    return 2;
  }
  trace::Mark("monitor: spec.json parsed");
  if (run->spec.trace) {
    Error ignored;
    trace::Share(&ignored);  // untraced if it fails; the run goes on
  }
  return 0;
}

// The daemon's stdio: /dev/null (nothing reads or writes a terminal of the
// helper's); cwd /, umask 077. False with *e set.
bool DetachStdio(Error* e) {
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(devnull, 1) < 0 || ::dup2(devnull, 2) < 0) {
    *e = SysError("daemonize", "redirect stdio to /dev/null");
    if (devnull >= 0) ::close(devnull);
    return false;
  }
  if (devnull > 2) ::close(devnull);
  if (::chdir("/") != 0) {
    // Cannot happen for "/"; nothing depends on the cwd anyway.
  }
  ::umask(077);
  return true;
}

void ReportByte(int fd, char status) { WriteAll(fd, &status, 1); }

}  // namespace

int RunCommand(const std::string& stateDir) {
  OpenedRun run;
  if (int code = OpenRun(stateDir, &run)) return code;
  const int dir = run.dir.Get();
  Error e;
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    e = SysError("daemonize", "pipe");
    RecordFailure(dir, e);
    PrintError(e);
    return 1;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    e = SysError("daemonize", "fork");
    RecordFailure(dir, e);
    PrintError(e);
    return 1;
  }
  if (pid > 0) {
    ::close(ready[1]);
    char status = 0;
    ssize_t n;
    do {
      n = ::read(ready[0], &status, 1);
    } while (n < 0 && errno == EINTR);
    trace::Mark("monitor: daemon reported");
    if (n != 1) {
      PrintError(SysError("daemonize", "wait for the monitor", EPIPE, "it exited without reporting"));
      return 1;
    }
    if (status != 0) {
      // The details are in state.json / monitor-error.json; echo them.
      std::string err;
      Error ignored;
      if (ReadFileAt(dir, "monitor-error.json", 1 << 16, &err, &ignored)) {
        std::string line = "berth-monitor run: container failed to start: " + err;
        WriteAll(2, line.data(), line.size());
      }
      return 1;
    }
    return 0;
  }

  // The daemon.
  ::close(ready[0]);
  if (::setsid() < 0) e = SysError("daemonize", "setsid");
  if (!e.step.empty() || !DetachStdio(&e)) {
    RecordFailure(dir, e);
    ReportByte(ready[1], 1);
    ::_exit(1);
  }
  RunMonitor monitor(run.spec, dir);
  int code = monitor.Run(ready[1]);
  ::_exit(code);
}

int RunStandbyCommand(const std::string& stateDir, Spawner* spawner) {
  // The report goes out on a copy of stdout: stdio becomes /dev/null below.
  UniqueFd report(::fcntl(1, F_DUPFD_CLOEXEC, 3));
  if (!report.Valid()) {
    PrintError(SysError("daemonize", "duplicate stdout for the report"));
    return 2;
  }
  OpenedRun run;
  if (int code = OpenRun(stateDir, &run)) {
    ReportByte(report.Get(), static_cast<char>(code));
    return code;
  }
  const int dir = run.dir.Get();
  Error e;
  // Spawned detached, we lead our own session already (EPERM then).
  if (::setsid() < 0 && errno != EPERM) e = SysError("daemonize", "setsid");
  if (!e.step.empty() || !DetachStdio(&e)) {
    RecordFailure(dir, e);
    ReportByte(report.Get(), 1);
    return 1;
  }
  RunMonitor monitor(run.spec, dir, spawner);
  return monitor.Run(report.Release());
}

}  // namespace berth::monitor
