// A new network namespace's loopback starts down. The container's first
// process brings it up itself, inside its namespace (no `ip netns add` +
// `ip link set lo up` by the helper: two process spawns per start).
#pragma once

#include "error.h"

namespace berth::monitor {

// SIOCSIFFLAGS IFF_UP on "lo"; needs CAP_NET_ADMIN in the namespace (the
// child is root there until FinalizeAndExec drops capabilities).
// Errors: step "loopback".
bool LoopbackUp(Error* error);

}  // namespace berth::monitor
