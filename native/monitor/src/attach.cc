#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vector>

namespace berth::monitor {

namespace {
constexpr const char* kSocketName = "attach.sock";
}

bool AttachServer::Listen(EventLoop* loop, int dirfd, Handlers handlers, Error* error) {
  loop_ = loop;
  dirfd_ = dirfd;
  handlers_ = std::move(handlers);
  if (::unlinkat(dirfd, kSocketName, 0) != 0 && errno != ENOENT) {
    *error = SysError("attach", "remove stale attach.sock");
    return false;
  }
  listen_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listen_.Valid()) {
    *error = SysError("attach", "socket");
    return false;
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  std::string path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + kSocketName;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // The socket file is created with 0777 & ~umask: tighten the umask around
  // bind so it is never reachable by others, then chmod to be explicit.
  mode_t old = ::umask(0177);
  int rc = ::bind(listen_.Get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old);
  if (rc != 0) {
    *error = SysError("attach", "bind attach.sock", err);
    return false;
  }
  if (::fchmodat(dirfd, kSocketName, 0600, 0) != 0) {
    *error = SysError("attach", "chmod attach.sock");
    return false;
  }
  if (::listen(listen_.Get(), 16) != 0) {
    *error = SysError("attach", "listen attach.sock");
    return false;
  }
  if (!loop_->Add(listen_.Get(), EPOLLIN, [this](uint32_t) { Accept(); })) {
    *error = SysError("attach", "epoll_ctl attach.sock");
    return false;
  }
  return true;
}

void AttachServer::Accept() {
  while (true) {
    int fd = ::accept4(listen_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error: try again on the next event
    auto client = std::make_unique<Client>();
    client->fd.Reset(fd);
    if (!loop_->Add(fd, paused_ ? 0u : static_cast<uint32_t>(EPOLLIN), [this, fd](uint32_t events) { OnClient(fd, events); })) {
      continue;  // the unique_ptr closes it
    }
    clients_[fd] = std::move(client);
  }
}

void AttachServer::Drop(int fd) {
  loop_->Remove(fd);
  clients_.erase(fd);
}

void AttachServer::UpdateInterest(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  uint32_t ev = (paused_ ? 0u : static_cast<uint32_t>(EPOLLIN)) | (it->second->out.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT));
  loop_->Modify(fd, ev);
}

void AttachServer::Flush(Client* c) {
  while (!c->out.empty()) {
    ssize_t n = ::send(c->fd.Get(), c->out.data(), c->out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      c->out.clear();
      c->fd.Reset();  // broken: dropped by the caller
      return;
    }
    c->out.erase(0, static_cast<size_t>(n));
  }
}

void AttachServer::OnClient(int fd, uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client* c = it->second.get();
  if (events & EPOLLOUT) {
    Flush(c);
    if (!c->fd.Valid()) return Drop(fd);
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return Drop(fd);
    if (n > 0) {
      c->in.Feed(buf, static_cast<size_t>(n));
      uint8_t type;
      std::string payload;
      while (true) {
        FrameReader::Result r = c->in.Next(&type, &payload);
        if (r == FrameReader::Result::kNeedMore) break;
        if (r == FrameReader::Result::kTooLarge) return Drop(fd);
        if (type == kFrameStdin) {
          if (handlers_.stdinData) handlers_.stdinData(payload.data(), payload.size());
        } else if (type == kFrameResize && payload.size() == 4) {
          const unsigned char* p = reinterpret_cast<const unsigned char*>(payload.data());
          if (handlers_.resize) handlers_.resize(static_cast<uint16_t>((p[0] << 8) | p[1]),
                                                 static_cast<uint16_t>((p[2] << 8) | p[3]));
        } else if (type == kFrameCloseStdin && payload.empty()) {
          if (handlers_.closeStdin) handlers_.closeStdin();
        } else {
          return Drop(fd);  // protocol error
        }
        if (clients_.find(fd) == clients_.end()) return;  // a handler dropped us
      }
    }
  }
  UpdateInterest(fd);
}

void AttachServer::Broadcast(uint8_t type, const char* data, size_t size) {
  std::vector<int> dead;
  for (auto& [fd, c] : clients_) {
    bool wasEmpty = c->out.empty();
    AppendFrame(&c->out, type, data, size);
    if (c->out.size() > kMaxQueued) {
      dead.push_back(fd);
      continue;
    }
    Flush(c.get());
    if (!c->fd.Valid()) {
      dead.push_back(fd);
      continue;
    }
    if (wasEmpty != c->out.empty()) UpdateInterest(fd);
  }
  for (int fd : dead) Drop(fd);
}

void AttachServer::PauseInput(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  for (auto& entry : clients_) UpdateInterest(entry.first);
}

void AttachServer::Shutdown(const std::string& exitJson) {
  if (listen_.Valid()) {
    loop_->Remove(listen_.Get());
    listen_.Reset();
    ::unlinkat(dirfd_, kSocketName, 0);
  }
  for (auto& [fd, c] : clients_) {
    loop_->Remove(fd);
    AppendFrame(&c->out, kFrameExit, exitJson.data(), exitJson.size());
    // Blocking, bounded: a client that does not read gets at most 1 s.
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    struct timeval tv = {1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    while (!c->out.empty()) {
      ssize_t n = ::send(fd, c->out.data(), c->out.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      c->out.erase(0, static_cast<size_t>(n));
    }
    // Half-close: the client reads everything, then EOF.
    ::shutdown(fd, SHUT_WR);
  }
  Linger();
  clients_.clear();
}

// A client may still be writing (stdin, close-stdin) when the container
// exits. Closing our end under it would make its next write fail (EPIPE),
// and a client that handles that by closing (Node's net.Socket does) throws
// away the output and exit frame still unread in its receive buffer. So wait
// for each client to close its side, discarding what it sends, up to
// kLingerMs in all (a lingering close, as HTTP servers do).
void AttachServer::Linger() {
  struct timespec start;
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  std::vector<struct pollfd> open;
  for (auto& [fd, c] : clients_) open.push_back({fd, POLLIN, 0});
  while (!open.empty()) {
    struct timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (elapsed >= kLingerMs) return;
    int n = ::poll(open.data(), open.size(), static_cast<int>(kLingerMs - elapsed));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (size_t i = 0; i < open.size();) {
      bool closed = false;
      if (open[i].revents != 0) {
        char buf[4096];
        ssize_t r = ::recv(open[i].fd, buf, sizeof buf, MSG_DONTWAIT);
        closed = r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR);
      }
      if (closed) {
        open[i] = open.back();
        open.pop_back();
      } else {
        open[i].revents = 0;
        i++;
      }
    }
  }
}

}  // namespace berth::monitor
