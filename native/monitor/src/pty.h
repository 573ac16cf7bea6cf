// Pseudo-terminals on the container's own devpts instance. The master is
// opened through the container's ptmx (…/dev/ptmx -> pts/ptmx), resolved
// inside the container root, and checked to be a ptmx (char 5:2) before use;
// the slave comes from TIOCGPTPEER (Linux ≥ 4.13), which opens exactly the
// peer of that master without a path lookup in a directory the container
// controls.
#pragma once

#include <stdint.h>

#include <string>

#include "error.h"
#include "unique_fd.h"

namespace berth::monitor {

// ptmxPath is resolved relative to dirfd with RESOLVE_IN_ROOT (dirfd acts as
// "/"). *slaveName receives the slave's path inside the container
// ("/dev/pts/0").
bool NewPty(int dirfd, const char* ptmxPath, UniqueFd* master, UniqueFd* slave, std::string* slaveName,
            Error* error);

bool SetWinsize(int fd, uint16_t rows, uint16_t cols);

// In the child: make slave the controlling terminal (the caller is a session
// leader without one) and its stdin/stdout/stderr.
bool BecomeTerminalOwner(int slave, Error* error);

}  // namespace berth::monitor
