// `berth-monitor pod-hold`: the process that owns a pod's shared namespaces
// (podman's infra container, without a container). The members join its
// namespaces by /proc/PID/ns/* (the monitor's spec: linux.namespaces[].path).
//
//   berth-monitor pod-hold [--pid] [--net PATH] [--hostname NAME]
//
// The command clones the holder into new ipc and uts namespaces (and a new
// pid namespace with --pid, of which the holder is init), joins the network
// namespace at PATH (the pod's prepared netns), sets the hostname, and once
// that is done prints the holder's host pid and a newline on stdout and
// exits 0; the holder is then an orphan in its own session that waits for
// SIGTERM/SIGINT (exit 0) and reaps every child handed to it (as init of a
// shared pid namespace it inherits the members' orphans). A failure before
// the holder is ready: the message on stderr, exit 1, nothing left running.
#pragma once

namespace berth::monitor {

int PodHoldCommand(int argc, char** argv);

}  // namespace berth::monitor
