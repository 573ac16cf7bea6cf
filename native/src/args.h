// Argument readers for the bindings: each throws a TypeError with code
// EINVAL_ARG (via ThrowArgError) and returns false on a bad value.
#pragma once

#include <napi.h>

#include <stdint.h>

#include <string>

namespace berth {

// A non-empty string without NUL bytes (which the kernel would silently cut
// short). `what` names the argument in the message, e.g. "nsInfo(path): path".
bool GetPath(Napi::Env env, Napi::Value value, const std::string& what, std::string* out);

// Same rule, for names (xattr names): "must be a non-empty string ...".
bool GetName(Napi::Env env, Napi::Value value, const std::string& what, std::string* out);

// An integer in [min, max] (a JS number with no fractional part).
bool GetInteger(Napi::Env env, Napi::Value value, const std::string& what, double min, double max,
                int64_t* out);

}  // namespace berth
