// <stateDir>/attach.sock: a Unix stream socket (mode 0600, root only) where
// any number of clients receive the container's live output (from the moment
// they connect; history is in the log file) and may send stdin, resize and
// close-stdin frames (frame.h). A client that does not read fast enough is
// disconnected once 8 MiB are queued for it: the container never waits for
// an attach client. When the container exits every client gets an exit frame,
// then EOF (a half-close); the monitor waits up to 2 s for each client to
// close its side (writes until then still succeed), and the socket is removed.
#pragma once

#include <stdint.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "error.h"
#include "frame.h"
#include "loop.h"
#include "unique_fd.h"

namespace berth::monitor {

class AttachServer {
 public:
  struct Handlers {
    std::function<void(const char* data, size_t size)> stdinData;
    std::function<void(uint16_t rows, uint16_t cols)> resize;
    std::function<void()> closeStdin;
  };

  // Binds dirfd/attach.sock (through /proc/self/fd/<dirfd>/, so long state
  // directory paths do not hit the 108-byte sun_path limit).
  bool Listen(EventLoop* loop, int dirfd, Handlers handlers, Error* error);
  void Broadcast(uint8_t type, const char* data, size_t size);
  // Stop / resume reading client input (stdin backpressure).
  void PauseInput(bool paused);
  // Exit frame to everyone, flushed for up to 1 s per client, then EOF;
  // closed once each client has closed its side (at most kLingerMs in all);
  // the socket file is removed.
  void Shutdown(const std::string& exitJson);

 private:
  struct Client {
    UniqueFd fd;
    std::string out;
    FrameReader in;
  };
  void Accept();
  void OnClient(int fd, uint32_t events);
  void Drop(int fd);
  void Flush(Client* c);
  void UpdateInterest(int fd);
  void Linger();

  static constexpr size_t kMaxQueued = 8u << 20;
  static constexpr int64_t kLingerMs = 2000;
  EventLoop* loop_ = nullptr;
  int dirfd_ = -1;
  UniqueFd listen_;
  Handlers handlers_;
  std::map<int, std::unique_ptr<Client>> clients_;
  bool paused_ = false;
};

}  // namespace berth::monitor
