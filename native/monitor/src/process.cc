#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "channel.h"
#include "json.h"
#include "seccomp_filter.h"
#include "sys.h"
#include "trace.h"

namespace berth::monitor {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int LastCap() {
  int fd = ::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kMaxKnownCap;
  char buf[16] = {0};
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return kMaxKnownCap;
  int v = atoi(buf);
  return v > 0 && v < 64 ? v : kMaxKnownCap;
}

std::string CapLabel(int cap) {
  const char* name = CapabilityName(cap);
  return name ? name : "capability " + std::to_string(cap);
}

[[noreturn]] void Fail(int channel, std::string step, std::string what, int err, std::string detail = "") {
  ChildFail(channel, SysError(std::move(step), std::move(what), err, std::move(detail)));
}

void CloseExtraFds(int channel) {
  // close_range(2) since Linux 5.9. Everything from 3 up except the channel.
  if (channel > 3 && sys::CloseRange(3, static_cast<unsigned>(channel - 1), 0) != 0) {
    Fail(channel, "close_range", "close_range 3.." + std::to_string(channel - 1), errno);
  }
  if (sys::CloseRange(static_cast<unsigned>(channel + 1), ~0U, 0) != 0) {
    Fail(channel, "close_range", "close_range " + std::to_string(channel + 1) + "..", errno);
  }
}

void SetRlimits(const Process& p, int channel) {
  for (const Rlimit& rl : p.rlimits) {
    struct rlimit lim;
    lim.rlim_cur = rl.soft == UINT64_MAX ? RLIM_INFINITY : static_cast<rlim_t>(rl.soft);
    lim.rlim_max = rl.hard == UINT64_MAX ? RLIM_INFINITY : static_cast<rlim_t>(rl.hard);
    if (::setrlimit(static_cast<__rlimit_resource_t>(rl.resource), &lim) != 0) {
      Fail(channel, "setrlimit", "setrlimit " + rl.name, errno);
    }
  }
}

void ChangeDir(const Process& p, int channel) {
  if (::chdir(p.cwd.c_str()) != 0) Fail(channel, "chdir", "chdir " + p.cwd, errno);
  char buf[4096];
  if (::getcwd(buf, sizeof buf) == nullptr) {
    // glibc turns the kernel's "(unreachable)/..." into ENOENT.
    Fail(channel, "chdir", "getcwd after chdir " + p.cwd, errno, "the working directory is outside the container root");
  }
  if (buf[0] != '/') {
    Fail(channel, "chdir", "getcwd after chdir " + p.cwd, EPERM, "the working directory is outside the container root");
  }
}

void DropBoundingSet(const Process& p, int channel) {
  int last = LastCap();
  for (int cap = 0; cap <= last; cap++) {
    if (p.caps.bounding & (uint64_t{1} << cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      Fail(channel, "prctl", "prctl PR_CAPBSET_DROP " + CapLabel(cap), errno);
    }
  }
}

void SetUser(const Process& p, int channel) {
  const User& u = p.user;
  if (::syscall(SYS_setgroups, u.additionalGids.size(), u.additionalGids.data()) != 0) {
    Fail(channel, "setgroups", "setgroups", errno);
  }
  // Raw syscalls: glibc's wrappers broadcast to all threads (setxid), which
  // assumes its own view of the thread list; this child has one thread.
  if (::syscall(SYS_setresgid, u.gid, u.gid, u.gid) != 0) {
    Fail(channel, "setresgid", "setresgid " + std::to_string(u.gid), errno);
  }
  if (::syscall(SYS_setresuid, u.uid, u.uid, u.uid) != 0) {
    Fail(channel, "setresuid", "setresuid " + std::to_string(u.uid), errno);
  }
}

void SetCapabilities(const Process& p, int channel) {
  int last = LastCap();
  uint64_t known = last >= 63 ? ~uint64_t{0} : (uint64_t{1} << (last + 1)) - 1;
  struct __user_cap_header_struct header;
  struct __user_cap_data_struct data[2];
  memset(&header, 0, sizeof header);
  memset(data, 0, sizeof data);
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  uint64_t eff = p.caps.effective & known, prm = p.caps.permitted & known, inh = p.caps.inheritable & known;
  data[0].effective = static_cast<uint32_t>(eff);
  data[1].effective = static_cast<uint32_t>(eff >> 32);
  data[0].permitted = static_cast<uint32_t>(prm);
  data[1].permitted = static_cast<uint32_t>(prm >> 32);
  data[0].inheritable = static_cast<uint32_t>(inh);
  data[1].inheritable = static_cast<uint32_t>(inh >> 32);
  if (::syscall(SYS_capset, &header, data) != 0) Fail(channel, "capset", "capset", errno);

  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    Fail(channel, "prctl", "prctl PR_CAP_AMBIENT_CLEAR_ALL", errno);
  }
  for (int cap = 0; cap <= last; cap++) {
    if (!(p.caps.ambient & (uint64_t{1} << cap))) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      Fail(channel, "prctl", "prctl PR_CAP_AMBIENT_RAISE " + CapLabel(cap), errno);
    }
  }
}

[[noreturn]] void Exec(const PreparedProcess& pp, int channel) {
  const char* name = pp.argv[0];
  if (strchr(name, '/') != nullptr) {
    ::execve(name, pp.argv.data(), pp.envp.data());
    Fail(channel, "execve", std::string("execve ") + name, errno);
  }
  // PATH lookup inside the container (runc: exec.LookPath after pivot_root):
  // the first regular file with an execute bit wins; its execve error is final.
  const std::string& path = pp.path;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0) {
      ::execve(candidate.c_str(), pp.argv.data(), pp.envp.data());
      Fail(channel, "execve", "execve " + candidate, errno);
    }
    start = end + 1;
  }
  Fail(channel, "execve", std::string("execve ") + json::Quote(name), ENOENT,
       "executable file not found in $PATH (" + path + ")");
}

void ApplySeccomp(const PreparedProcess& pp, int channel) {
  if (pp.seccomp.empty()) return;
  int err = InstallSeccompFilter(pp.seccomp);
  if (err != 0) {
    Fail(channel, "seccomp", "seccomp SECCOMP_SET_MODE_FILTER (" + std::to_string(pp.seccomp.size()) + " instructions)",
         err);
  }
}

}  // namespace

void PrepareProcess(const Process& process, PreparedProcess* out) {
  out->process = &process;
  out->argStore = process.args;
  out->envStore = process.env;
  out->argv.clear();
  out->envp.clear();
  for (auto& s : out->argStore) out->argv.push_back(s.data());
  out->argv.push_back(nullptr);
  out->path = kDefaultPath;
  for (auto& s : out->envStore) {
    out->envp.push_back(s.data());
    if (s.compare(0, 5, "PATH=") == 0) out->path = s.substr(5);
  }
  out->envp.push_back(nullptr);
}

void FinalizeAndExec(const PreparedProcess& pp, int channel) {
  const Process& p = *pp.process;
  CloseExtraFds(channel);
  SetRlimits(p, channel);
  ChangeDir(p, channel);
  ::umask(static_cast<mode_t>(p.user.umask));
  if (!p.noNewPrivileges) ApplySeccomp(pp, channel);
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) Fail(channel, "prctl", "prctl PR_SET_KEEPCAPS", errno);
  DropBoundingSet(p, channel);
  SetUser(p, channel);
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) Fail(channel, "prctl", "prctl PR_SET_KEEPCAPS", errno);
  SetCapabilities(p, channel);
  if (p.noNewPrivileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    Fail(channel, "prctl", "prctl PR_SET_NO_NEW_PRIVS", errno);
  }
  if (::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) != 0) Fail(channel, "prctl", "prctl PR_SET_PDEATHSIG", errno);
  if (p.noNewPrivileges) ApplySeccomp(pp, channel);
  trace::Mark("init: execve");
  Exec(pp, channel);
}

}  // namespace berth::monitor
