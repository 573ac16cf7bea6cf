// errno → name / message. Plain C++ (no N-API), shared by the addon and by
// berth-monitor.
#pragma once

#include <string>

namespace berth {

// "ENOENT" for ENOENT; "E<n>" for numbers outside the table.
std::string ErrnoName(int err);

// Thread-safe strerror.
std::string ErrnoMessage(int err);

}  // namespace berth
