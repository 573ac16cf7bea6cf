#include "args.h"

#include <string.h>

#include <cmath>

#include "errors.h"

namespace berth {

namespace {

bool GetCleanString(Napi::Env env, Napi::Value value, const std::string& what, const char* noun,
                    std::string* out) {
  if (!value.IsString()) {
    ThrowArgError(env, what + " must be a string");
    return false;
  }
  *out = value.As<Napi::String>().Utf8Value();
  if (out->empty() || memchr(out->data(), '\0', out->size()) != nullptr) {
    ThrowArgError(env, what + " must be a non-empty " + noun + " without NUL bytes");
    return false;
  }
  return true;
}

}  // namespace

bool GetPath(Napi::Env env, Napi::Value value, const std::string& what, std::string* out) {
  return GetCleanString(env, value, what, "path", out);
}

bool GetName(Napi::Env env, Napi::Value value, const std::string& what, std::string* out) {
  return GetCleanString(env, value, what, "string", out);
}

bool GetInteger(Napi::Env env, Napi::Value value, const std::string& what, double min, double max,
                int64_t* out) {
  if (!value.IsNumber()) {
    ThrowArgError(env, what + " must be a number");
    return false;
  }
  double raw = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(raw) || raw != std::floor(raw) || raw < min || raw > max) {
    ThrowArgError(env, what + " must be an integer from " + std::to_string(static_cast<int64_t>(min)) +
                           " to " + std::to_string(static_cast<int64_t>(max)));
    return false;
  }
  *out = static_cast<int64_t>(raw);
  return true;
}

}  // namespace berth
