// Errors of berth-monitor: the stable step name, what was being done, the
// errno, and optional detail (e.g. the kernel's own message for a failed
// overlay mount). Message format, like crun's and the addon's:
//   "mount proc on /proc: EPERM (Operation not permitted)"
//   "spec.json: process.args: must be a non-empty array of strings"  (validation)
#pragma once

#include <errno.h>

#include <string>

namespace berth::monitor {

struct Error {
  std::string step;       // stable id: "spec", "chdir", "execve", "mount", "cgroup", ...
  std::string what;       // human phrase; empty → step is used
  int err = 0;            // errno; EINVAL for validation errors
  std::string detail;     // appended after the errno text
  bool validation = false;  // true: "<what>: <detail>" (no errno text)

  std::string Message() const;
  // {"step":..,"errno":..,"errnoName":..,"message":..}
  std::string ToJson() const;
};

// A failed syscall. Captures errno at the call (pass it explicitly when other
// calls happened in between).
Error SysError(std::string step, std::string what, int err = errno, std::string detail = "");

// Invalid input: errno EINVAL, message "<what>: <detail>".
Error InvalidError(std::string step, std::string what, std::string detail);

// Fixed-size form of an Error, sent from a child to its parent over the
// CLOEXEC sync socket (no allocation needed to build or send it).
struct WireError {
  int err;
  int validation;
  char step[64];
  char what[512];
  char detail[1024];
};

WireError ToWire(const Error& e);
Error FromWire(const WireError& w);

}  // namespace berth::monitor
