#include "loop.h"

#include <errno.h>

namespace berth::monitor {

namespace {

uint64_t Pack(uint32_t generation, int fd) {
  return (static_cast<uint64_t>(generation) << 32) | static_cast<uint32_t>(fd);
}

}  // namespace

bool EventLoop::Init(Error* error) {
  epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.Valid()) {
    *error = SysError("loop", "epoll_create1");
    return false;
  }
  return true;
}

bool EventLoop::Add(int fd, uint32_t events, Callback callback) {
  uint32_t generation = nextGeneration_++;
  struct epoll_event ev = {};
  ev.events = events;
  ev.data.u64 = Pack(generation, fd);
  if (::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, fd, &ev) != 0) return false;
  entries_[fd] = Entry{generation, std::move(callback)};
  return true;
}

bool EventLoop::Modify(int fd, uint32_t events) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) {
    errno = ENOENT;
    return false;
  }
  struct epoll_event ev = {};
  ev.events = events;
  ev.data.u64 = Pack(it->second.generation, fd);
  return ::epoll_ctl(epoll_.Get(), EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::Remove(int fd) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) return;
  ::epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, fd, nullptr);
  entries_.erase(it);
}

bool EventLoop::RunOnce(int timeoutMs, Error* error) {
  struct epoll_event events[32];
  int n = ::epoll_wait(epoll_.Get(), events, 32, timeoutMs);
  if (n < 0) {
    if (errno == EINTR) return true;
    *error = SysError("loop", "epoll_wait");
    return false;
  }
  for (int i = 0; i < n; i++) {
    int fd = static_cast<int>(events[i].data.u64 & 0xFFFFFFFFu);
    uint32_t generation = static_cast<uint32_t>(events[i].data.u64 >> 32);
    auto it = entries_.find(fd);
    if (it == entries_.end() || it->second.generation != generation) continue;
    Callback callback = it->second.callback;  // the callback may Remove() itself
    callback(events[i].events);
  }
  return true;
}

}  // namespace berth::monitor
