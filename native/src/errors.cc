#include "errors.h"

namespace berth {

std::string FormatMessage(const SysError& e) {
  std::string msg = e.syscall;
  if (!e.op.empty()) msg += " " + e.op;
  if (!e.target.empty()) msg += " " + e.target;
  msg += ": " + ErrnoName(e.err) + " (" + ErrnoMessage(e.err) + ")";
  return msg;
}

Napi::Object MakeSysErrorObject(Napi::Env env, const SysError& e) {
  Napi::Object obj = Napi::Error::New(env, FormatMessage(e)).Value();
  obj.Set("code", Napi::String::New(env, ErrnoName(e.err)));
  obj.Set("errno", Napi::Number::New(env, e.err));
  obj.Set("syscall", Napi::String::New(env, e.syscall));
  if (!e.path.empty()) obj.Set("path", Napi::String::New(env, e.path));
  return obj;
}

void ThrowSysError(Napi::Env env, const SysError& e) {
  Napi::Error(env, MakeSysErrorObject(env, e)).ThrowAsJavaScriptException();
}

void ThrowArgError(Napi::Env env, const std::string& message) {
  Napi::TypeError err = Napi::TypeError::New(env, message);
  err.Set("code", Napi::String::New(env, "EINVAL_ARG"));
  err.ThrowAsJavaScriptException();
}

}  // namespace berth
