// Error helpers: a failed syscall becomes a JS Error carrying
//   code    errno name ("ENOENT", "EPERM", ...)
//   errno   the number
//   syscall the call that failed ("open", "ioctl", "getsockopt", ...)
//   path    the file concerned, when there is one
//   message "<syscall> <op> <target>: <CODE> (<strerror>)"
// Bad arguments become a TypeError with code "EINVAL_ARG".
#pragma once

#include <napi.h>

#include <string>
#include <string_view>

#include "errno_name.h"

namespace berth {

// A failed syscall, captured where it happened (no N-API involved), turned
// into JS later by the binding layer.
struct SysError {
  int err = 0;                  // errno value
  const char* syscall = "";     // "open", "ioctl", "fstat", "getsockopt"
  std::string op;               // detail, e.g. "NS_GET_PARENT" (may be empty)
  std::string target;           // what it acted on, e.g. the path or "fd 12"
  std::string path;             // filesystem path, if any (becomes .path)
};

// A failed call on a file: the path is both what it acted on and .path. (op
// is a view so that building the call's arguments allocates nothing before
// errno is read.)
inline SysError PathError(int err, const char* syscall, std::string_view op, const std::string& path) {
  SysError e;
  e.err = err;
  e.syscall = syscall;
  e.op = std::string(op);
  e.target = path;
  e.path = path;
  return e;
}

// "ioctl NS_GET_PARENT /proc/1/ns/pid: EPERM (Operation not permitted)"
std::string FormatMessage(const SysError& e);

// A JS Error object with code/errno/syscall/path set (not thrown).
Napi::Object MakeSysErrorObject(Napi::Env env, const SysError& e);

// Throws the error above as a pending JS exception. Callers return right after.
void ThrowSysError(Napi::Env env, const SysError& e);

// Throws a TypeError with code "EINVAL_ARG". Callers return right after.
void ThrowArgError(Napi::Env env, const std::string& message);

}  // namespace berth
