// berth-monitor exec [--control-fd N] <stateDir> <exec-spec.json>
//
//  1. read and validate exec-spec.json (first: nothing is touched for a bad spec)
//  2. <stateDir>/state.json must say "running"; pidfd_open(pid); the pid's
//     start time (field 22 of /proc/PID/stat) must equal pidStartTime
//  3. open /proc/PID/ns/{user,mnt,uts,ipc,net,cgroup} (those that differ from
//     ours) and /proc/PID/ns/pid, open each cgroupProcs file; with a
//     terminal, open a pty on the container's devpts (through
//     /proc/PID/root/dev/ptmx resolved inside the container root)
//  4. the pidfd must still be alive: then every fd above was opened on the
//     right process, not on a successor that reused its pid
//  5. setns(pid) (and time): they apply to our children only
//  6. fork (clone3 + CLONE_PIDFD); the child, now in the container's pid
//     namespace: signals reset, setsid, terminal or pipes as stdio, waits
//     for "go", setns mnt → uts → ipc → net → cgroup → user (setns(mnt) makes
//     the container's / our root and cwd), chdir /, then process.h's steps
//     (fds, rlimits, cwd, capabilities, user, no_new_privs, execve)
//  7. the parent writes the child's pid into each cgroupProcs file, sends
//     "go", waits for execve (EOF) or the child's error
//  8. relay: our stdin → the process (pipe or pty), its stdout/stderr (or
//     the pty) → our stdout/stderr, with bounded buffers and backpressure;
//     resize frames from the control fd → TIOCSWINSZ. SIGTERM, SIGINT,
//     SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 are forwarded to the process.
//  9. exit with its status (128 + signal), after an exit frame on the
//     control fd.
// The control fd is the helper's hold on the session: when it reaches EOF
// (the helper ended the session, or died and cannot ever reattach it), the
// process and every process of its session get SIGKILL. A signal to the
// process alone would not do: an interactive shell ignores SIGTERM, and a
// parent-death signal does not survive the process's change of user.
// The parent never enters the container's mount or user namespace: it keeps
// the host's view (cgroup files, our own stdio) and root's full credentials.
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "channel.h"
#include "fileio.h"
#include "frame.h"
#include "json.h"
#include "loop.h"
#include "process.h"
#include "seccomp_filter.h"
#include "pty.h"
#include "signals.h"
#include "spec.h"
#include "state.h"
#include "sys.h"

namespace berth::monitor {

namespace {

constexpr size_t kMaxBuffer = 1 << 20;

struct NsFd {
  const char* name;
  int flag;
  UniqueFd fd;
};

// One direction of the relay: src → buf → dst.
struct Pump {
  int src = -1;
  int dst = -1;
  std::string buf;
  bool srcOpen = true;
  bool closeDstAtEof = false;  // the process's stdin pipe
};

class ExecMonitor {
 public:
  ExecMonitor(const std::string& stateDir, const std::string& specPath, int controlFd)
      : stateDir_(stateDir), specPath_(specPath), control_(controlFd) {}

  int Run() {
    Error e;
    // Before anything else: a SIGTERM from the helper while we set up must
    // reach the process later, not kill us. The child undoes this.
    if (!SetupMonitorSignals(&sigfd_, &e)) return Fail(e, 125);
    if (!Setup(&e)) {
      int code = 125;
      if (e.step == "execve") code = e.err == ENOENT ? 127 : 126;
      return Fail(e, code);
    }
    int code = Relay();
    RestoreFlags();
    return code;
  }

 private:
  int Fail(const Error& e, int code) {
    std::string line = "berth-monitor exec: " + e.Message() + "\n";
    WriteAll(2, line.data(), line.size());
    SendControl(kFrameError, e.ToJson());
    RestoreFlags();
    return code;
  }

  void SendControl(uint8_t type, const std::string& payload) {
    if (control_ < 0) return;
    std::string frame;
    AppendFrame(&frame, type, payload.data(), payload.size());
    if (!WriteAll(control_, frame.data(), frame.size())) control_ = -1;
  }

  // An id of the container's user namespace in ours, from its uid_map
  // ("inside outside count" lines, as seen from our namespace).
  static bool MapToHost(const std::string& mapFile, uint32_t id, uid_t* out, Error* e) {
    std::string text;
    if (!ReadFileAt(AT_FDCWD, mapFile, 1 << 16, &text, e)) return false;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      unsigned long long inside = 0, outside = 0, count = 0;
      if (sscanf(text.substr(pos, nl - pos).c_str(), "%llu %llu %llu", &inside, &outside, &count) == 3 &&
          id >= inside && id - inside < count) {
        *out = static_cast<uid_t>(outside + (id - inside));
        return true;
      }
      pos = nl + 1;
    }
    *e = SysError("console", "map uid " + std::to_string(id) + " through " + mapFile, EINVAL,
                  "not mapped in the container's user namespace");
    return false;
  }

  bool ReadState(pid_t* pid, uint64_t* startTime, Error* e) {
    UniqueFd dir(::open(stateDir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.Valid()) {
      *e = SysError("state", "open state directory " + stateDir_);
      return false;
    }
    std::string text;
    if (!ReadFileAt(dir.Get(), "state.json", 1 << 16, &text, e)) {
      e->step = "state";
      return false;
    }
    json::Value v;
    json::ParseError pe;
    if (!json::Parse(text, &v, &pe) || v.kind != json::Kind::Object) {
      *e = InvalidError("state", stateDir_ + "/state.json", "not a JSON object");
      return false;
    }
    const json::Value* status = v.Find("status");
    if (!status || status->kind != json::Kind::String || status->text != "running") {
      *e = SysError("state", "container in " + stateDir_, ESRCH,
                    "not running (state.json status " + (status ? json::Serialize(*status) : "missing") + ")");
      return false;
    }
    const json::Value* p = v.Find("pid");
    const json::Value* st = v.Find("pidStartTime");
    uint64_t pv = 0;
    if (!p || p->kind != json::Kind::Number || !json::ToU64(p->text, &pv) || pv == 0 || pv > 0x7FFFFFFF || !st ||
        st->kind != json::Kind::Number || !json::ToU64(st->text, startTime)) {
      *e = InvalidError("state", stateDir_ + "/state.json", "pid / pidStartTime missing or invalid");
      return false;
    }
    *pid = static_cast<pid_t>(pv);
    return true;
  }

  // The set-up before the relay, in phases (numbers as in the header
  // comment). Each phase reports its failure with a step and errno in *e;
  // what it opened is owned by members or locals (UniqueFd), so a failure
  // anywhere closes everything already opened.
  bool Setup(Error* e) {
    if (!LoadSpec(e)) return false;                                // 1
    if (!IdentifyTarget(e)) return false;                          // 2
    if (!OpenNamespaces(e) || !OpenCgroupFiles(e)) return false;   // 3
    UniqueFd slave;
    if (spec_.process.terminal && !OpenTerminal(&slave, e)) return false;
    if (!CheckTargetAlive(e)) return false;                        // 4
    std::vector<std::pair<int, int>> childJoins;
    if (!JoinNamespacesForChildren(&childJoins, e)) return false;  // 5
    StdioPipes pipes;
    if (!spec_.process.terminal && !pipes.Make(e)) return false;
    UniqueFd parentEnd;
    if (!ForkChild(&slave, &pipes, childJoins, &parentEnd, e)) return false;  // 6
    if (!PlaceChildInCgroups(e) || !StartChild(parentEnd.Get(), e)) {         // 7
      KillChild();
      return false;
    }
    procIn_ = std::move(pipes.inW);
    procOut_ = std::move(pipes.outR);
    procErr_ = std::move(pipes.errR);
    ReportStarted();
    return true;
  }

  // The child's stdin/stdout/stderr pipes (none with a terminal).
  struct StdioPipes {
    UniqueFd inR, inW, outR, outW, errR, errW;

    bool Make(Error* e) {
      return Pipe(&inR, &inW, "stdin", e) && Pipe(&outR, &outW, "stdout", e) && Pipe(&errR, &errW, "stderr", e);
    }
    // What only the child uses, closed in the parent once it is forked.
    void CloseChildEnds() {
      inR.Reset();
      outW.Reset();
      errW.Reset();
    }

  };

  // 1. exec-spec.json, the prepared argv/envp, the seccomp program.
  bool LoadSpec(Error* e) {
    std::string text;
    if (!ReadFileAt(AT_FDCWD, specPath_, 4 << 20, &text, e)) {
      e->step = "spec";
      return false;
    }
    if (!ParseExecSpec(text, "exec spec " + specPath_, &spec_, e)) return false;
    PrepareProcess(spec_.process, &prepared_);
    return spec_.seccompFilter.empty() || LoadSeccompFilter(spec_.seccompFilter, &prepared_.seccomp, e);
  }

  // 2. The container's init, identified by pid + start time, held by a pidfd.
  bool IdentifyTarget(Error* e) {
    uint64_t startTime = 0;
    if (!ReadState(&pid_, &startTime, e)) return false;
    target_.Reset(sys::PidfdOpen(pid_, 0));
    if (!target_.Valid()) {
      *e = SysError("state", "pidfd_open " + std::to_string(pid_), errno, "the container is not running");
      return false;
    }
    uint64_t actual = 0;
    if (!ReadPidStartTime(pid_, &actual, e)) return false;
    if (actual != startTime) {
      *e = SysError("state", "check pid " + std::to_string(pid_), ESRCH,
                    "start time " + std::to_string(actual) + " != " + std::to_string(startTime) +
                        ": the container exited and the pid was reused");
      return false;
    }
    return true;
  }

  std::string ProcDir() const { return "/proc/" + std::to_string(pid_); }

  // 3a. An fd for each of the container's namespaces that is not ours.
  bool OpenNamespaces(Error* e) {
    const std::string proc = ProcDir();
    for (NsFd& ns : ns_) {
      std::string theirs = proc + "/ns/" + ns.name;
      std::string ours = std::string("/proc/self/ns/") + ns.name;
      struct stat a, b;
      if (::stat(theirs.c_str(), &a) != 0) {
        if (errno == ENOENT && ns.flag == CLONE_NEWTIME) continue;  // kernel without time namespaces
        *e = SysError("setns", "stat " + theirs);
        return false;
      }
      if (::stat(ours.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) continue;  // shared
      ns.fd.Reset(::open(theirs.c_str(), O_RDONLY | O_CLOEXEC));
      if (!ns.fd.Valid()) {
        *e = SysError("setns", "open " + theirs);
        return false;
      }
    }
    return true;
  }

  // 3b. The container's cgroup.procs files, opened while the pid is checked.
  bool OpenCgroupFiles(Error* e) {
    for (const std::string& file : spec_.cgroupProcs) {
      UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
      if (!fd.Valid()) {
        *e = SysError("cgroup", "open " + file);
        return false;
      }
      cgroupFds_.push_back(std::move(fd));
    }
    return true;
  }

  // 3c. A pty on the container's devpts; the slave belongs to the process's
  // user, in our (host) ids: the container's uid_map says which host uid.
  bool OpenTerminal(UniqueFd* slave, Error* e) {
    const std::string proc = ProcDir();
    UniqueFd root(::open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.Valid()) {
      *e = SysError("console", "open " + proc + "/root");
      return false;
    }
    std::string slaveName;
    if (!NewPty(root.Get(), "dev/ptmx", &master_, slave, &slaveName, e)) return false;
    uid_t hostUid;
    if (!MapToHost(proc + "/uid_map", spec_.process.user.uid, &hostUid, e)) return false;
    if (::fchown(slave->Get(), hostUid, static_cast<gid_t>(-1)) != 0) {
      *e = SysError("console", "fchown the pty to uid " + std::to_string(hostUid));
      return false;
    }
    if (spec_.process.hasConsoleSize) {
      SetWinsize(slave->Get(), spec_.process.consoleHeight, spec_.process.consoleWidth);
    }
    return true;
  }

  // 4. Still the same process? Then every fd above was opened on it, not on
  // a successor that reused its pid.
  bool CheckTargetAlive(Error* e) {
    if (sys::PidfdSendSignal(target_.Get(), 0) != 0) {
      *e = SysError("state", "check pid " + std::to_string(pid_), errno, "the container exited meanwhile");
      return false;
    }
    return true;
  }

  // 5. setns(pid) and setns(time) apply to our children only: done here. The
  // others are the child's to join, in ns_'s order (user last).
  bool JoinNamespacesForChildren(std::vector<std::pair<int, int>>* childJoins, Error* e) {
    for (NsFd& ns : ns_) {
      if (!ns.fd.Valid()) continue;
      if (ns.flag != CLONE_NEWPID && ns.flag != CLONE_NEWTIME) {
        childJoins->push_back({ns.fd.Get(), ns.flag});
        continue;
      }
      if (sys::SetNs(ns.fd.Get(), ns.flag) != 0) {
        *e = SysError("setns", std::string("setns ") + ns.name + " " + ProcDir() + "/ns/" + ns.name);
        return false;
      }
    }
    return true;
  }

  // 6. clone3 + CLONE_PIDFD; the child never returns. The parent keeps its
  // channel end and closes every fd only the child needs.
  bool ForkChild(UniqueFd* slave, StdioPipes* pipes, const std::vector<std::pair<int, int>>& childJoins,
                 UniqueFd* parentEnd, Error* e) {
    UniqueFd childEnd;
    if (!ChannelPair(parentEnd, &childEnd, e)) return false;
    int pidfd = -1;
    pid_t child = sys::CloneFork(CLONE_PIDFD, &pidfd);
    if (child < 0) {
      *e = SysError("clone", "clone3");
      return false;
    }
    if (child == 0) {
      parentEnd->Reset();
      Child(childEnd.Get(), slave->Get(), pipes->inR.Get(), pipes->outW.Get(), pipes->errW.Get(), childJoins);
    }
    child_ = child;
    childPidfd_.Reset(pidfd);
    childEnd.Reset();
    slave->Reset();
    pipes->CloseChildEnds();
    for (NsFd& ns : ns_) ns.fd.Reset();
    return true;
  }

  // 7a. The child's pid into each cgroup.procs file opened in 3b.
  bool PlaceChildInCgroups(Error* e) {
    std::string pidText = std::to_string(child_) + "\n";
    for (size_t i = 0; i < cgroupFds_.size(); i++) {
      if (::write(cgroupFds_[i].Get(), pidText.data(), pidText.size()) != static_cast<ssize_t>(pidText.size())) {
        *e = SysError("cgroup", "write " + spec_.cgroupProcs[i]);
        return false;
      }
    }
    cgroupFds_.clear();
    return true;
  }

  // 7b. "go", then EOF on the channel (execve succeeded) or the child's error.
  bool StartChild(int parentEnd, Error* e) {
    if (!SendGo(parentEnd, e)) return false;
    ChildMessage kind;
    Error childError;
    UniqueFd unused;
    if (!ReceiveChildMessage(parentEnd, &kind, &childError, &unused, e)) return false;
    if (kind == ChildMessage::kExecuted) return true;
    if (kind == ChildMessage::kError) {
      *e = childError;
    } else {
      *e = SysError("sync", "receive from the child", EPROTO, "unexpected fd");
    }
    return false;
  }

  // The started frame on the control fd: the process's pid and start time.
  void ReportStarted() {
    uint64_t childStart = 0;
    Error ignored;
    ReadPidStartTime(child_, &childStart, &ignored);
    json::ObjectWriter w;
    w.Int("pid", child_).Uint("pidStartTime", childStart);
    SendControl(kFrameStarted, w.Finish());
  }

  [[noreturn]] void Child(int ch, int slave, int inR, int outW, int errW,
                          const std::vector<std::pair<int, int>>& joins) {
    ResetSignalsInChild();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // Host fds this process has no use for: gone now rather than at
    // close_range, while we are already visible in the container's pid
    // namespace (non-dumpable, but still).
    master_.Reset();
    target_.Reset();
    cgroupFds_.clear();
    if (::setsid() < 0) ChildFail(ch, SysError("setsid", "setsid"));
    Error e;
    if (slave >= 0) {
      if (!BecomeTerminalOwner(slave, &e)) ChildFail(ch, e);
    } else if (::dup2(inR, 0) < 0 || ::dup2(outW, 1) < 0 || ::dup2(errW, 2) < 0) {
      ChildFail(ch, SysError("stdio", "dup2 the stdio pipes"));
    }
    if (!WaitGo(ch)) ::_exit(126);
    static const char* const kNames[] = {"user", "mnt", "uts", "ipc", "net", "cgroup"};  // by flag, below
    for (const auto& j : joins) {
      if (sys::SetNs(j.first, j.second) != 0) {
        const char* name = "?";
        switch (j.second) {
          case CLONE_NEWUSER: name = kNames[0]; break;
          case CLONE_NEWNS: name = kNames[1]; break;
          case CLONE_NEWUTS: name = kNames[2]; break;
          case CLONE_NEWIPC: name = kNames[3]; break;
          case CLONE_NEWNET: name = kNames[4]; break;
          case CLONE_NEWCGROUP: name = kNames[5]; break;
        }
        ChildFail(ch, SysError("setns", std::string("setns ") + name + " of pid " + std::to_string(pid_)));
      }
    }
    if (::chdir("/") != 0) ChildFail(ch, SysError("chdir", "chdir / in the container"));
    FinalizeAndExec(prepared_, ch);
  }

  void KillChild() { sys::KillAndReap(childPidfd_.Get()); }

  // ---- relay ----

  // O_NONBLOCK only on pipes and sockets that are ours alone to care about;
  // a terminal (a person running exec by hand) stays blocking, and is only
  // read when poll says so.
  void MakeNonblocking(int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_NONBLOCK)) return;
    if (fd <= 2) savedFlags_.push_back({fd, flags});
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  }

  void RestoreFlags() {
    for (const auto& s : savedFlags_) ::fcntl(s.first, F_SETFL, s.second);
    savedFlags_.clear();
  }

  int Relay() {
    Error e;
    if (!loop_.Init(&e)) {
      // Cannot relay: let the process run to its end and report that.
      return WaitOnly(e);
    }
    int in = 0, out = 1, err = 2;
    if (master_.Valid()) {
      pumps_.push_back({in, master_.Get(), "", true, false});
      pumps_.push_back({master_.Get(), out, "", true, false});
    } else {
      pumps_.push_back({in, procIn_.Get(), "", true, true});
      pumps_.push_back({procOut_.Get(), out, "", true, false});
      pumps_.push_back({procErr_.Get(), err, "", true, false});
    }
    for (const Pump& p : pumps_) {
      MakeNonblocking(p.src);
      MakeNonblocking(p.dst);
    }
    loop_.Add(sigfd_.Get(), EPOLLIN, [this](uint32_t) { ForwardSignals(sigfd_.Get()); });
    loop_.Add(childPidfd_.Get(), EPOLLIN, [this](uint32_t) { Reap(); });
    if (control_ >= 0 && !loop_.Add(control_, EPOLLIN, [this](uint32_t ev) { OnControl(ev); })) control_ = -1;
    Refresh();

    while (!exited_) {
      bool busy = PollUnpollable();
      if (!loop_.RunOnce(busy ? 0 : -1, &e)) return WaitOnly(e);
      Refresh();
    }
    // Drain what the process left in its pipes / pty, then flush blocking.
    for (Pump& p : pumps_) {
      if (p.src == in) continue;
      ClearNonblock(p.dst);
      for (int i = 0; i < 1024 && p.srcOpen; i++) {
        int avail = 0;
        if (::ioctl(p.src, FIONREAD, &avail) != 0 || avail <= 0) break;
        ReadInto(&p);
        WriteOut(&p, true);
      }
      WriteOut(&p, true);
    }
    ExitStatus status = ExitFromSiginfo(exitInfo_.si_code, exitInfo_.si_status);
    std::string exitJson = ExitJson(status);
    exitJson.pop_back();
    SendControl(kFrameExit, exitJson);
    return status.exitCode;
  }

  int WaitOnly(const Error& e) {
    std::string line = "berth-monitor exec: " + e.Message() + " (output is not relayed)\n";
    WriteAll(2, line.data(), line.size());
    siginfo_t info;
    memset(&info, 0, sizeof info);
    while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(childPidfd_.Get()), &info, WEXITED) != 0 &&
           errno == EINTR) {
    }
    return ExitFromSiginfo(info.si_code, info.si_status).exitCode;
  }

  static void ClearNonblock(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  }

  // Sources that epoll refuses (regular files, e.g. stdin redirected from a
  // file) are read directly. Returns true while such a source has more.
  bool PollUnpollable() {
    bool more = false;
    for (Pump& p : pumps_) {
      if (!p.srcOpen || !unpollable_.count(p.src) || p.buf.size() >= kMaxBuffer) continue;
      ReadInto(&p);
      WriteOut(&p, false);
      if (p.srcOpen) more = true;
    }
    return more;
  }

  void ReadInto(Pump* p) {
    char buf[65536];
    ssize_t n = ::read(p->src, buf, sizeof buf);
    if (n > 0) {
      p->buf.append(buf, static_cast<size_t>(n));
      return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // EOF, or EIO from a pty master once the process and its children are gone.
    p->srcOpen = false;
    if (p->closeDstAtEof && p->buf.empty()) CloseProcStdin();
  }

  void CloseProcStdin() {
    if (!procIn_.Valid()) return;
    loop_.Remove(procIn_.Get());
    registered_.erase(procIn_.Get());
    for (Pump& q : pumps_) {
      if (q.dst == procIn_.Get()) q.dst = -1;
    }
    procIn_.Reset();
  }

  void WriteOut(Pump* p, bool blocking) {
    if (p->dst < 0) {
      p->buf.clear();
      return;
    }
    if (blocking) ClearNonblock(p->dst);
    while (!p->buf.empty()) {
      ssize_t n = ::write(p->dst, p->buf.data(), p->buf.size());
      if (n > 0) {
        p->buf.erase(0, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      p->buf.clear();  // EPIPE etc.: the reader is gone; drop this direction
      if (p->closeDstAtEof) CloseProcStdin();
      p->dst = -1;
      return;
    }
    if (!p->srcOpen && p->closeDstAtEof) CloseProcStdin();
  }

  // Recomputes the epoll interest of every fd from the pumps that use it.
  // An fd with nothing to wait for is removed from epoll altogether: a
  // closed pipe reports EPOLLHUP/EPOLLERR even with an empty event mask,
  // and would make the loop spin.
  void Refresh() {
    std::map<int, uint32_t> want;
    for (const Pump& p : pumps_) {
      if (p.srcOpen && p.buf.size() < kMaxBuffer) want[p.src] |= EPOLLIN;
      if (p.dst >= 0 && !p.buf.empty()) want[p.dst] |= EPOLLOUT;
    }
    for (auto it = registered_.begin(); it != registered_.end();) {
      if (want.count(it->first) == 0) {
        loop_.Remove(it->first);
        it = registered_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [fd, events] : want) {
      if (unpollable_.count(fd)) continue;
      auto r = registered_.find(fd);
      if (r != registered_.end()) {
        if (r->second != events) {
          loop_.Modify(fd, events);
          r->second = events;
        }
      } else if (loop_.Add(fd, events, [this, fd](uint32_t ev) { OnFd(fd, ev); })) {
        registered_[fd] = events;
      } else {
        unpollable_[fd] = true;  // EPERM: a regular file or the like
      }
    }
  }

  void OnFd(int fd, uint32_t ev) {
    for (Pump& p : pumps_) {
      if (p.src == fd && p.srcOpen && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && p.buf.size() < kMaxBuffer) {
        ReadInto(&p);
        // Destinations epoll cannot watch (files) are written at once.
        WriteOut(&p, p.dst >= 0 && unpollable_.count(p.dst) != 0);
      }
      if (p.dst == fd && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) WriteOut(&p, false);
    }
  }

  void OnControl(uint32_t ev) {
    char buf[4096];
    ssize_t n = ::read(control_, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      loop_.Remove(control_);
      control_ = -1;
      KillSession();  // the helper let go of the session: it ends
      return;
    }
    (void)ev;
    controlIn_.Feed(buf, static_cast<size_t>(n));
    uint8_t type;
    std::string payload;
    while (true) {
      FrameReader::Result r = controlIn_.Next(&type, &payload);
      if (r == FrameReader::Result::kNeedMore) break;
      if (r == FrameReader::Result::kTooLarge) {
        loop_.Remove(control_);
        control_ = -1;
        return;
      }
      if (type == kFrameResize && payload.size() == 4 && master_.Valid()) {
        const unsigned char* p = reinterpret_cast<const unsigned char*>(payload.data());
        SetWinsize(master_.Get(), static_cast<uint16_t>((p[0] << 8) | p[1]), static_cast<uint16_t>((p[2] << 8) | p[3]));
      }
      // Other frame types are ignored on the control fd.
    }
  }

  // SIGKILL to the process, its process group and every process whose
  // session is the process's (setsid made it a session leader; a shell's
  // jobs get their own groups but stay in its session). Only before the
  // process is reaped: until then its pid (and so the session id) cannot be
  // reused. /proc is the host's (we never entered the container's mount
  // namespace), so the ids it shows are in our pid namespace, as child_ is.
  void KillSession() {
    if (exited_ || !childPidfd_.Valid()) return;
    sys::PidfdSendSignal(childPidfd_.Get(), SIGKILL);
    ::kill(-child_, SIGKILL);
    // A process may fork while we look: look again until a pass finds none.
    for (int pass = 0; pass < 8; pass++) {
      DIR* d = ::opendir("/proc");
      if (d == nullptr) {
        std::string line = "berth-monitor exec: opendir /proc: " + std::string(strerror(errno)) + "\n";
        WriteAll(2, line.data(), line.size());
        return;
      }
      int found = 0;
      while (struct dirent* ent = ::readdir(d)) {
        char* end = nullptr;
        long pid = strtol(ent->d_name, &end, 10);
        if (pid <= 0 || *end != '\0' || pid == child_) continue;
        if (SessionOf(static_cast<pid_t>(pid)) == child_ && ::kill(static_cast<pid_t>(pid), SIGKILL) == 0) found++;
      }
      ::closedir(d);
      if (found == 0) break;
    }
  }

  // Field 6 of /proc/PID/stat (after the parenthesized name), or -1.
  static pid_t SessionOf(pid_t pid) {
    std::string text;
    Error ignored;
    if (!ReadFileAt(AT_FDCWD, "/proc/" + std::to_string(pid) + "/stat", 4096, &text, &ignored)) return -1;
    size_t close = text.rfind(')');
    if (close == std::string::npos) return -1;
    char state = 0;
    int ppid = 0, pgrp = 0, session = 0;
    if (sscanf(text.c_str() + close + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) != 4) return -1;
    return static_cast<pid_t>(session);
  }

  void ForwardSignals(int sigfd) {
    struct signalfd_siginfo si;
    while (::read(sigfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      int sig = static_cast<int>(si.ssi_signo);
      if (sig == SIGCHLD || sig == SIGWINCH) continue;
      sys::PidfdSendSignal(childPidfd_.Get(), sig);
    }
  }

  void Reap() {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(childPidfd_.Get()), &info, WEXITED | WNOHANG) != 0 ||
        info.si_pid == 0) {
      return;
    }
    exitInfo_ = info;
    exited_ = true;
  }

  std::string stateDir_;
  std::string specPath_;
  int control_;
  UniqueFd sigfd_;
  ExecSpec spec_;
  PreparedProcess prepared_;
  pid_t pid_ = 0;
  UniqueFd target_;
  // user last: the container's other namespaces belong to the host's user
  // namespace (userns.h), so they are joined while we are still its root.
  NsFd ns_[8] = {{"mnt", CLONE_NEWNS, {}},   {"uts", CLONE_NEWUTS, {}},       {"ipc", CLONE_NEWIPC, {}},
                 {"net", CLONE_NEWNET, {}},  {"cgroup", CLONE_NEWCGROUP, {}}, {"user", CLONE_NEWUSER, {}},
                 {"pid", CLONE_NEWPID, {}},  {"time", CLONE_NEWTIME, {}}};
  std::vector<UniqueFd> cgroupFds_;
  UniqueFd master_;
  pid_t child_ = 0;
  UniqueFd childPidfd_;
  UniqueFd procIn_, procOut_, procErr_;
  EventLoop loop_;
  std::vector<Pump> pumps_;
  std::map<int, uint32_t> registered_;
  std::map<int, bool> unpollable_;
  std::vector<std::pair<int, int>> savedFlags_;
  FrameReader controlIn_;
  bool exited_ = false;
  siginfo_t exitInfo_ = {};
};

}  // namespace

int ExecCommand(const std::string& stateDir, const std::string& specPath, int controlFd) {
  ExecMonitor m(stateDir, specPath, controlFd);
  return m.Run();
}

}  // namespace berth::monitor
