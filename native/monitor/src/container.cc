#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "channel.h"
#include "fileio.h"
#include "loopback.h"
#include "process.h"
#include "pty.h"
#include "rootfs.h"
#include "seccomp_filter.h"
#include "signals.h"
#include "spawner.h"
#include "sys.h"
#include "trace.h"
#include "userns.h"

namespace berth::monitor {

namespace {

struct NsJoin {
  int fd;
  int flag;
  std::string what;
};

struct InitArgs {
  const Spec* spec;
  const PreparedProcess* prepared;
  int channel;
  int stdinFd;   // -1 with a terminal
  int stdoutFd;
  int stderrFd;
  const std::vector<NsJoin>* joins;
  int userns;                          // the user namespace to enter last, or -1
  const std::vector<UniqueFd>* lowers;  // id-mapped layer mounts (user namespace), else empty
};

[[noreturn]] void Fail(int channel, const Error& e) { ChildFail(channel, e); }

// The container's first process, before execve. Steps, in order (each
// failure: {step, errno} over the channel, then _exit(127)):
//   signals      handlers back to SIG_DFL, mask emptied (inherited by execve)
//   setsid       own session (the monitor's signals and terminal stay apart)
//   stdio        dup2 of the pipes to 0, 1, 2
//   wait         for "go": cgroups joined by the parent
//   setns        join the namespaces given by path (network, ipc, uts, cgroup;
//                pid is joined by the monitor before the clone)
//   loopback     a new network namespace: lo up (loopback.h)
//   unshare      CLONE_NEWCGROUP, now that the parent has put us in our
//                cgroups (the namespace's root is the cgroup we are in)
//   sethostname
//   mount        MS_REC|MS_PRIVATE on / (nothing propagates to the host)
//   rootfs       overlay, proc, sys, dev, volumes, pivot_root (rootfs.h)
//   console      terminal: pty on the container's devpts, master sent to the
//                monitor, slave as controlling tty and stdio, bound on /dev/console
//   masked/readonly paths, read-only root (rootfs.h)
//   userns       setns into the user namespace (made by the parent): last,
//                so every mount above was made as the host's root
//   process      close fds, rlimits, cwd, capabilities, user, no_new_privs,
//                execve (process.h)
[[noreturn]] void ContainerInit(const InitArgs& a) {
  const Spec& spec = *a.spec;
  const int ch = a.channel;
  trace::Mark("init: cloned");
  ResetSignalsInChild();
  // Until execve, die with the monitor (PR_SET_PDEATHSIG is cleared again
  // just before execve in FinalizeAndExec).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  ::umask(0);
  if (::setsid() < 0) Fail(ch, SysError("setsid", "setsid"));
  if (!spec.process.terminal) {
    if (::dup2(a.stdinFd, 0) < 0 || ::dup2(a.stdoutFd, 1) < 0 || ::dup2(a.stderrFd, 2) < 0) {
      Fail(ch, SysError("stdio", "dup2 the stdio pipes"));
    }
  }
  if (!WaitGo(ch)) ::_exit(126);  // the monitor went away or failed: it reports
  trace::Mark("init: go received");

  for (const NsJoin& j : *a.joins) {
    if (sys::SetNs(j.fd, j.flag) != 0) Fail(ch, SysError("setns", j.what));
  }
  Error e;
  if (spec.Creates(CLONE_NEWNET) && !LoopbackUp(&e)) Fail(ch, e);
  if (spec.Creates(CLONE_NEWCGROUP) && ::unshare(CLONE_NEWCGROUP) != 0) {
    Fail(ch, SysError("unshare", "unshare CLONE_NEWCGROUP"));
  }
  if (spec.hasHostname && ::sethostname(spec.hostname.data(), spec.hostname.size()) != 0) {
    Fail(ch, SysError("sethostname", "sethostname " + spec.hostname));
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    Fail(ch, SysError("mount", "make / rprivate"));
  }
  trace::Mark("init: namespaces set up");
  if (!PrepareRootfs(spec, *a.lowers, &e)) Fail(ch, e);

  if (spec.process.terminal) {
    UniqueFd master, slave;
    std::string slaveName;
    if (!NewPty(AT_FDCWD, "/dev/ptmx", &master, &slave, &slaveName, &e)) Fail(ch, e);
    if (spec.process.hasConsoleSize &&
        !SetWinsize(slave.Get(), spec.process.consoleHeight, spec.process.consoleWidth)) {
      Fail(ch, SysError("console", "ioctl TIOCSWINSZ"));
    }
    // The terminal belongs to the process's user (group tty from devpts'
    // gid=5), as login(1) would arrange; we are still the host's root here,
    // so a user namespace's uid is given in host ids.
    uint32_t owner = spec.process.user.uid;
    if (a.userns >= 0 && !MapToHostId(spec.uidMappings, spec.process.user.uid, &owner)) {
      Fail(ch, SysError("console", "map uid " + std::to_string(owner), EINVAL, "the uid is not in uidMappings"));
    }
    if (::fchown(slave.Get(), owner, static_cast<gid_t>(-1)) != 0) {
      Fail(ch, SysError("console", "fchown " + slaveName + " to uid " + std::to_string(owner)));
    }
    if (!BindConsole(slaveName, &e)) Fail(ch, e);
    if (!SendFd(ch, master.Get())) Fail(ch, SysError("console", "send the pty master to the monitor"));
    master.Reset();
    if (!BecomeTerminalOwner(slave.Get(), &e)) Fail(ch, e);
  }
  if (!FinishRootfs(spec, &e)) Fail(ch, e);
  trace::Mark("init: masked and read-only paths");
  if (a.userns >= 0 && sys::SetNs(a.userns, CLONE_NEWUSER) != 0) Fail(ch, SysError("setns", "setns user"));
  FinalizeAndExec(*a.prepared, ch);
}

bool WriteCgroupProcs(pid_t pid, const std::vector<std::string>& files, Error* error) {
  std::string text = std::to_string(pid) + "\n";
  for (const std::string& file : files) {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.Valid()) {
      *error = SysError("cgroup", "open " + file);
      return false;
    }
    if (::write(fd.Get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      *error = SysError("cgroup", "write " + file);
      return false;
    }
  }
  return true;
}

// One clone of init, run by the monitor itself or in its spawner
// (spawner.h: then with CLONE_PARENT, so init is the monitor's child and
// is born in the spawner's v1 cgroups). Results are written back here.
struct CloneRequest {
  uint64_t flags;
  int cgroupFd;      // cgroupInto's directory, or -1
  int pidNsFd;       // a pod's pid namespace to have init born in, or -1
  int closeInChild;  // the monitor's end of the channel
  const InitArgs* args;
  int pidfd;
  bool intoUsed;
  bool setnsFailed;
  int err;
};

long CloneInit(void* p) {
  CloneRequest* r = static_cast<CloneRequest*>(p);
  // setns(pid) changes where the caller's children are born.
  if (r->pidNsFd >= 0 && sys::SetNs(r->pidNsFd, CLONE_NEWPID) != 0) {
    r->err = errno;
    r->setnsFailed = true;
    return -1;
  }
  r->intoUsed = r->cgroupFd >= 0;
  pid_t pid = sys::CloneFork(r->flags, &r->pidfd, r->cgroupFd);
  if (pid < 0 && r->intoUsed && (errno == ENOSYS || errno == E2BIG || errno == EINVAL || errno == EOPNOTSUPP)) {
    // A kernel without CLONE_INTO_CGROUP (< 5.7): the monitor writes the
    // directory's cgroup.procs instead.
    r->intoUsed = false;
    pid = sys::CloneFork(r->flags, &r->pidfd);
  }
  if (pid < 0) {
    r->err = errno;
    return -1;
  }
  if (pid == 0) {
    ::close(r->closeInChild);
    ContainerInit(*r->args);
  }
  if (r->flags & CLONE_PARENT) trace::Mark("spawner: init cloned");
  return pid;
}

}  // namespace

bool StartContainer(const Spec& spec, StartedContainer* out, Error* error, Spawner* spawner) {
  PreparedProcess prepared;
  PrepareProcess(spec.process, &prepared);
  if (!spec.seccompFilter.empty() && !LoadSeccompFilter(spec.seccompFilter, &prepared.seccomp, error)) return false;

  std::vector<UniqueFd> nsFds;
  std::vector<NsJoin> joins;
  UniqueFd pidNs;
  uint64_t flags = CLONE_PIDFD;
  for (const Namespace& ns : spec.namespaces) {
    if (ns.path.empty()) {
      // cgroup: unshared by the child once it sits in its cgroups; user:
      // made apart and entered last (userns.h).
      if (ns.flag != CLONE_NEWCGROUP && ns.flag != CLONE_NEWUSER) flags |= static_cast<uint64_t>(ns.flag);
      continue;
    }
    UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.Valid()) {
      *error = SysError("setns", "open " + ns.type + " namespace " + ns.path);
      return false;
    }
    if (ns.flag == CLONE_NEWPID) {
      // A pod's pid namespace: joined by whoever clones init (CloneInit), so
      // that the clone lands inside.
      pidNs = std::move(fd);
      continue;
    }
    joins.push_back({fd.Get(), ns.flag, "setns " + ns.type + " " + ns.path});
    nsFds.push_back(std::move(fd));
  }
  UniqueFd userns;
  std::vector<UniqueFd> lowers;
  if (spec.Creates(CLONE_NEWUSER)) {
    if (!MakeUserNamespace(spec, &userns, error)) return false;
    if (spec.overlay.present && !IdmapDirs(spec.overlay.lowerdirs, userns.Get(), &lowers, error)) return false;
  }

  UniqueFd inR, inW, outR, outW, errR, errW;
  if (!spec.process.terminal) {
    if (spec.process.openStdin) {
      if (!Pipe(&inR, &inW, "stdin", error)) return false;
    } else {
      inR.Reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      if (!inR.Valid()) {
        *error = SysError("stdio", "open /dev/null");
        return false;
      }
    }
    if (!Pipe(&outR, &outW, "stdout", error) || !Pipe(&errR, &errW, "stderr", error)) return false;
  }
  UniqueFd parentEnd, childEnd;
  if (!ChannelPair(&parentEnd, &childEnd, error)) return false;

  InitArgs args{&spec,     &prepared,    childEnd.Get(), inR.Get(), outW.Get(),
                errW.Get(), &joins, userns.Valid() ? userns.Get() : -1, &lowers};

  // Where init is born. v1: in the spawner's groups when it joined this
  // spec's pool (the helper renamed them to the container's), else in ours
  // and moved after the clone. v2: cgroupInto, at the clone.
  const bool usePool = spawner != nullptr && spawner->Valid() && spec.cgroupPool.present &&
                       spec.cgroupPool.name == spawner->Pool();
  // Not this container's pool: the spawner must not linger in groups the helper removes.
  if (spawner != nullptr && !usePool) spawner->Discard();
  std::vector<std::string> writes = spec.cgroupProcs;
  if (spec.cgroupPool.present && !usePool) writes.insert(writes.end(), spec.cgroupPool.procs.begin(), spec.cgroupPool.procs.end());
  UniqueFd into;
  if (!spec.cgroupInto.empty()) {
    into.Reset(::open(spec.cgroupInto.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!into.Valid()) {
      *error = SysError("cgroup", "open " + spec.cgroupInto);
      return false;
    }
  }
  // From the spawner, CLONE_PARENT: init is our child (we reap it), not the spawner's.
  CloneRequest req{usePool ? flags | CLONE_PARENT : flags, into.Valid() ? into.Get() : -1, pidNs.Valid() ? pidNs.Get() : -1, parentEnd.Get(),
                   &args, -1, false, false, 0};
  trace::Mark("daemon: clone");
  Error spawnerError;
  long pid = usePool ? spawner->Run(CloneInit, &req, &spawnerError) : CloneInit(&req);
  if (usePool && !spawnerError.step.empty() && req.pidfd < 0) {
    // The spawner died before it cloned (killed): clone here and write the
    // pool's files, as without a spawner.
    spawnerError = Error();
    req.flags &= ~static_cast<uint64_t>(CLONE_PARENT);
    req.err = 0;
    req.setnsFailed = false;
    writes.insert(writes.end(), spec.cgroupPool.procs.begin(), spec.cgroupPool.procs.end());
    pid = CloneInit(&req);
  }
  if (pid <= 0) {
    if (req.pidfd >= 0) sys::KillAndReap(req.pidfd);  // cloned, then the spawner died
    *error = !spawnerError.step.empty() ? spawnerError
             : req.setnsFailed            ? SysError("setns", "setns pid", req.err)
                                          : SysError("clone", usePool ? "clone3 (spawner)" : "clone3", req.err);
    return false;
  }
  if (!spec.cgroupInto.empty() && !req.intoUsed) writes.push_back(spec.cgroupInto + "/cgroup.procs");
  out->pid = static_cast<pid_t>(pid);
  out->pidfd.Reset(req.pidfd);
  std::string mntNs = "/proc/" + std::to_string(out->pid) + "/ns/mnt";
  out->mountNs.Reset(::open(mntNs.c_str(), O_RDONLY | O_CLOEXEC));
  childEnd.Reset();
  inR.Reset();
  outW.Reset();
  errW.Reset();
  nsFds.clear();
  userns.Reset();
  lowers.clear();

  auto fail = [&](const Error& e) {
    *error = e;
    sys::KillAndReap(out->pidfd.Get());
    return false;
  };

  if (!out->mountNs.Valid()) return fail(SysError("clone", "open " + mntNs));
  trace::Mark("daemon: clone returned");
  if (!WriteCgroupProcs(out->pid, writes, error)) return fail(*error);
  trace::Mark("daemon: cgroup.procs written");
  if (!SendGo(parentEnd.Get(), error)) return fail(*error);

  while (true) {
    ChildMessage kind;
    Error childError;
    UniqueFd received;
    if (!ReceiveChildMessage(parentEnd.Get(), &kind, &childError, &received, error)) return fail(*error);
    if (kind == ChildMessage::kExecuted) {
      trace::Mark("daemon: execve seen");
      break;
    }
    if (kind == ChildMessage::kError) return fail(childError);
    out->ptyMaster = std::move(received);
  }
  if (spec.process.terminal && !out->ptyMaster.Valid()) {
    return fail(SysError("console", "receive the pty master", EPROTO, "the child exec'd without sending it"));
  }
  out->stdinWrite = std::move(inW);
  out->stdoutRead = std::move(outR);
  out->stderrRead = std::move(errR);
  return true;
}

}  // namespace berth::monitor
