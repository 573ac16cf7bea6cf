// Starting a container (berth-monitor run): the parent's half and the
// child's half of the clone.
//
// Parent (the monitor daemon):
//   open the namespace files to join; create the stdio pipes (none with a
//   terminal: the child opens the pty itself, on its own devpts) and the sync
//   channel; with a user namespace: make it (holder process, maps) and
//   id-map the layers (userns.h); clone3(CLONE_NEWPID|NEWNS|NEWUTS|NEWIPC|
//   NEWNET|NEWTIME as requested | CLONE_PIDFD; never NEWUSER); write
//   the child's pid into each cgroupProcs file; send "go"; then wait for the
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

// On failure, any child is killed and reaped before returning.
bool StartContainer(const Spec& spec, StartedContainer* out, Error* error);

}  // namespace berth::monitor
