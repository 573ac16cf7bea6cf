// A minimal epoll loop: one callback per fd. Events carry a generation
// number next to the fd, so an event queued for an fd that was closed and
// reused within the same epoll_wait batch is dropped instead of delivered to
// the new owner.
#pragma once

#include <stdint.h>
#include <sys/epoll.h>

#include <functional>
#include <unordered_map>

#include "error.h"
#include "unique_fd.h"

namespace berth::monitor {

class EventLoop {
 public:
  using Callback = std::function<void(uint32_t events)>;

  bool Init(Error* error);
  // False with errno set (EPERM: the fd does not support polling, e.g. a
  // regular file).
  bool Add(int fd, uint32_t events, Callback callback);
  bool Modify(int fd, uint32_t events);
  void Remove(int fd);
  bool Has(int fd) const { return entries_.count(fd) != 0; }
  // One epoll_wait (timeoutMs < 0: no timeout) and the callbacks.
  bool RunOnce(int timeoutMs, Error* error);

 private:
  struct Entry {
    uint32_t generation;
    Callback callback;
  };
  UniqueFd epoll_;
  std::unordered_map<int, Entry> entries_;
  uint32_t nextGeneration_ = 1;
};

}  // namespace berth::monitor
