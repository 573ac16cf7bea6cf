// The last steps of every container process (run's init and exec's child),
// in this order, each failure reported with its step:
//   close_range    every fd above 2 except the sync channel (CLOEXEC) is closed
//   setrlimit      process.rlimits (while still privileged: raising a hard
//                  limit needs CAP_SYS_RESOURCE)
//   chdir          process.cwd, then getcwd() must name a path inside the
//                  container root (CVE-2024-21626: a leaked host fd as cwd)
//   umask          process.user.umask
//   prctl          PR_SET_KEEPCAPS, PR_CAPBSET_DROP for every capability not in
//                  capabilities.bounding (all the kernel knows: cap_last_cap)
//   setgroups / setresgid / setresuid
//   capset         effective, permitted, inheritable
//   prctl          PR_CAP_AMBIENT clear + raise
//   prctl          PR_SET_NO_NEW_PRIVS when process.noNewPrivileges
//   prctl          PR_SET_PDEATHSIG 0 (the container must not die with its monitor)
//   seccomp        the compiled filter, when there is one: the last step, so
//                  none of Berth's own setup runs under it (without
//                  no_new_privs it is installed before the capability steps
//                  instead, as runc does: loading it then needs CAP_SYS_ADMIN)
//   execve         args[0] as given when it holds a '/', else looked up in
//                  the PATH of process.env (runc's rule; default PATH when unset)
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "spec.h"

namespace berth::monitor {

// Everything the child needs, built before clone/fork (node-pty's "copy
// arguments before fork"): argv/envp as NULL-terminated char* arrays.
struct PreparedProcess {
  const Process* process = nullptr;
  std::vector<std::string> argStore;
  std::vector<std::string> envStore;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string path;  // PATH used for the lookup
  std::vector<sock_filter> seccomp;  // empty: no filter (LoadSeccompFilter fills it)
};

void PrepareProcess(const Process& process, PreparedProcess* out);

// Never returns: execve succeeds, or the failing step is sent over
// channelFd and the child _exit(127)s.
[[noreturn]] void FinalizeAndExec(const PreparedProcess& prepared, int channelFd);

}  // namespace berth::monitor
