#include "error.h"

#include <string.h>

#include <utility>

#include "errno_name.h"
#include "json.h"

namespace berth::monitor {

namespace {

void CopyTo(char* dst, size_t cap, const std::string& src) {
  size_t n = src.size() < cap - 1 ? src.size() : cap - 1;
  memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

}  // namespace

std::string Error::Message() const {
  std::string msg = what.empty() ? step : what;
  if (validation) {
    if (!detail.empty()) msg += ": " + detail;
    return msg;
  }
  msg += ": " + ErrnoName(err) + " (" + ErrnoMessage(err) + ")";
  if (!detail.empty()) msg += ": " + detail;
  return msg;
}

std::string Error::ToJson() const {
  json::ObjectWriter w;
  w.String("step", step);
  w.Int("errno", err);
  w.String("errnoName", ErrnoName(err));
  w.String("message", Message());
  return w.Finish();
}

Error SysError(std::string step, std::string what, int err, std::string detail) {
  Error e;
  e.step = std::move(step);
  e.what = std::move(what);
  e.err = err;
  e.detail = std::move(detail);
  return e;
}

Error InvalidError(std::string step, std::string what, std::string detail) {
  Error e;
  e.step = std::move(step);
  e.what = std::move(what);
  e.err = EINVAL;
  e.detail = std::move(detail);
  e.validation = true;
  return e;
}

WireError ToWire(const Error& e) {
  WireError w;
  memset(&w, 0, sizeof w);
  w.err = e.err;
  w.validation = e.validation ? 1 : 0;
  CopyTo(w.step, sizeof w.step, e.step);
  CopyTo(w.what, sizeof w.what, e.what);
  CopyTo(w.detail, sizeof w.detail, e.detail);
  return w;
}

Error FromWire(const WireError& w) {
  Error e;
  e.err = w.err;
  e.validation = w.validation != 0;
  e.step.assign(w.step, strnlen(w.step, sizeof w.step));
  e.what.assign(w.what, strnlen(w.what, sizeof w.what));
  e.detail.assign(w.detail, strnlen(w.detail, sizeof w.detail));
  return e;
}

}  // namespace berth::monitor
