// PidWatch: tells JS once when a process ends, without polling. A pidfd
// (pidfd_open, Linux >= 5.3) turns readable when its process exits (as a
// zombie already, before anyone reaps it), and a uv_poll_t on Node's loop
// wakes only then. The helper watches each container's monitor this way;
// a /proc read per monitor every 2 s cost more than the whole stats tick's
// event at 100 containers (bench/stats-sampling).
//   new PidWatch(pid, onExit: () => void)   throws ESRCH when the pid is gone
//                                           already, ENOSYS before Linux 5.3
//   close()                                  stops watching (idempotent);
//                                            onExit is never called after it
// The handle is unref'd: a watch never keeps the process alive.
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include <climits>
#include <memory>
#include <string>

#include "args.h"
#include "bindings.h"
#include "errors.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

namespace berth {

namespace {

class PidWatchWrap;

// Owned by libuv from uv_poll_init until its close callback: the JS object
// may be collected first, so the handle lives on its own.
struct PollHandle {
  uv_poll_t handle;
  int fd = -1;
  PidWatchWrap* owner = nullptr;  // null once the JS side stopped
};

class PidWatchWrap : public Napi::ObjectWrap<PidWatchWrap> {
 public:
  explicit PidWatchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PidWatchWrap>(info) {
    Napi::Env env = info.Env();
    int64_t pid = 0;
    if (!GetInteger(env, Arg(info, 0), "new PidWatch(pid, onExit): pid", 1, INT_MAX, &pid)) return;
    if (!Arg(info, 1).IsFunction()) {
      ThrowArgError(env, "new PidWatch(pid, onExit): onExit must be a function");
      return;
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      ThrowSysError(env, SysError{EINVAL, "napi_get_uv_event_loop", "", "", ""});
      return;
    }
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
    if (fd < 0) {
      ThrowSysError(env, SysError{errno, "pidfd_open", "", "pid " + std::to_string(pid), ""});
      return;
    }
    auto poll = std::make_unique<PollHandle>();
    poll->fd = fd;
    int r = uv_poll_init(loop, &poll->handle, fd);
    if (r < 0) {
      ::close(fd);
      ThrowSysError(env, SysError{-r, "uv_poll_init", "", "pidfd of pid " + std::to_string(pid), ""});
      return;
    }
    // From here on the handle must be closed through uv_close, never deleted.
    poll->handle.data = poll.get();
    r = uv_poll_start(&poll->handle, UV_READABLE, OnReadable);
    if (r < 0) {
      Release(poll.release());
      ThrowSysError(env, SysError{-r, "uv_poll_start", "", "pidfd of pid " + std::to_string(pid), ""});
      return;
    }
    uv_unref(reinterpret_cast<uv_handle_t*>(&poll->handle));
    poll->owner = this;
    poll_ = poll.release();
    callback_ = Napi::Persistent(Arg(info, 1).As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "berth.PidWatch");
  }

  ~PidWatchWrap() override { Stop(); }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Stop();
    callback_.Reset();
    return info.Env().Undefined();
  }

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PidWatch", {InstanceMethod<&PidWatchWrap::Close>("close")});
  }

 private:
  static Napi::Value Arg(const Napi::CallbackInfo& info, size_t i) {
    return info.Length() > i ? info[i] : info.Env().Undefined();
  }

  // Stops the poll and hands the handle to libuv to close (it frees it).
  void Stop() {
    if (poll_ == nullptr) return;
    poll_->owner = nullptr;
    Release(poll_);
    poll_ = nullptr;
  }

  static void Release(PollHandle* p) {
    uv_poll_stop(&p->handle);
    uv_close(reinterpret_cast<uv_handle_t*>(&p->handle), [](uv_handle_t* h) {
      auto* closing = static_cast<PollHandle*>(h->data);
      if (closing->fd >= 0) ::close(closing->fd);
      delete closing;
    });
  }

  // On the loop thread. status < 0 (the fd failed) is reported as an exit
  // too: the caller then checks the process itself.
  static void OnReadable(uv_poll_t* h, int /*status*/, int /*events*/) {
    PidWatchWrap* self = static_cast<PollHandle*>(h->data)->owner;
    if (self == nullptr) return;
    self->Stop();  // once
    if (self->callback_.IsEmpty()) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::FunctionReference cb = std::move(self->callback_);
    cb.MakeCallback(env.Global(), {}, *self->context_);  // napi_make_callback needs an object receiver
    // A throwing onExit is the process's uncaught exception, as for any event.
    if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }

  PollHandle* poll_ = nullptr;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

Napi::Function PidWatchClass(Napi::Env env) { return PidWatchWrap::Define(env); }

}  // namespace berth
