// Starting a container (berth-monitor run): the parent's half and the
// child's half of the clone.
//
// Parent (the monitor daemon):
//   open the namespace files to join; create the stdio pipes (none with a
//   terminal: the child opens the pty itself, on its own devpts) and the sync
//   channel; with a user namespace: make it (holder process, maps) and
//   id-map the layers (userns.h); clone3(CLONE_NEWPID|NEWNS|NEWUTS|NEWIPC|
//   NEWNET|NEWTIME as requested | CLONE_PIDFD; never NEWUSER), into
//   cgroupInto (CLONE_INTO_CGROUP) and, through the standby's spawner, in
//   cgroupPool's v1 groups (spawner.h); write the child's pid into each
//   remaining cgroupProcs file; send "go"; then wait for the
//   channel: the pty master (terminal), an error (step failed), or EOF
//   (execve succeeded).
// Child: see ContainerInit in container.cc for the step list.
#pragma once

#include <sys/types.h>

#include "error.h"
#include "spec.h"
#include "unique_fd.h"

namespace berth::monitor {

struct StartedContainer {
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd stdinWrite;  // openStdin: the write end of the container's stdin pipe
  UniqueFd stdoutRead;
  UniqueFd stderrRead;
  UniqueFd ptyMaster;   // terminal: stdout and stdin in one
  // The container's mount namespace, held so that its last process's exit
  // does not unmount the overlay: that unmount syncs the whole upper
  // filesystem (overlayfs' sync_fs), tens of ms on a busy disk, and would
  // delay the exit's report. Run drops it right after exit.json (run.cc).
  UniqueFd mountNs;
};

class Spawner;

// On failure, any child is killed and reaped before returning. spawner: a
// standby's (spawner.h), used when it joined spec.cgroupPool's pool and
// discarded otherwise; it is gone afterwards either way.
bool StartContainer(const Spec& spec, StartedContainer* out, Error* error, Spawner* spawner = nullptr);

}  // namespace berth::monitor
