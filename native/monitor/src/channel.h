// The parent ↔ child sync channel of run and exec: one SOCK_SEQPACKET
// socketpair, close-on-exec at both ends.
//   parent → child  'G'            go on (cgroups joined, id maps written)
//   child → parent  'F' + an fd    the pty master (SCM_RIGHTS)
//   child → parent  'E' + error    a step failed; the child then _exit(127)s
//   EOF                            the child's execve succeeded (CLOEXEC)
// This is node-pty's "report the child's errno through a CLOEXEC pipe", with
// room for the step name and detail, and for passing the pty master.
#pragma once

#include "error.h"
#include "unique_fd.h"

namespace berth::monitor {

bool ChannelPair(UniqueFd* parentEnd, UniqueFd* childEnd, Error* error);

// Parent side.
bool SendGo(int fd, Error* error);
enum class ChildMessage { kExecuted, kError, kFd };
// Blocks for the next message. kExecuted: EOF. kError: *childError set.
// kFd: *received set. False (with *error) when the channel itself fails.
bool ReceiveChildMessage(int fd, ChildMessage* kind, Error* childError, UniqueFd* received, Error* error);

// Child side (async-signal-safe enough for a freshly cloned child).
// WaitGo returns false when the parent went away (EOF) or sent garbage.
bool WaitGo(int fd);
bool SendFd(int fd, int fdToSend);
[[noreturn]] void ChildFail(int fd, const Error& error);

}  // namespace berth::monitor
