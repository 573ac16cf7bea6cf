#include "channel.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

namespace berth::monitor {

namespace {

struct Message {
  char type;
  WireError error;
};

}  // namespace

bool ChannelPair(UniqueFd* parentEnd, UniqueFd* childEnd, Error* error) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    *error = SysError("sync", "socketpair");
    return false;
  }
  parentEnd->Reset(sv[0]);
  childEnd->Reset(sv[1]);
  return true;
}

bool SendGo(int fd, Error* error) {
  char go = 'G';
  while (::send(fd, &go, 1, MSG_NOSIGNAL) != 1) {
    if (errno == EINTR) continue;
    *error = SysError("sync", "send go to the child");
    return false;
  }
  return true;
}

bool ReceiveChildMessage(int fd, ChildMessage* kind, Error* childError, UniqueFd* received, Error* error) {
  Message msg;
  memset(&msg, 0, sizeof msg);
  struct iovec iov = {&msg, sizeof msg};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control.buf;
  mh.msg_controllen = sizeof control.buf;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    *error = SysError("sync", "receive from the child");
    return false;
  }
  if (n == 0) {
    *kind = ChildMessage::kExecuted;
    return true;
  }
  int passed = -1;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
      memcpy(&passed, CMSG_DATA(c), sizeof passed);
    }
  }
  if (msg.type == 'F' && passed >= 0) {
    received->Reset(passed);
    *kind = ChildMessage::kFd;
    return true;
  }
  if (passed >= 0) ::close(passed);
  if (msg.type == 'E' && static_cast<size_t>(n) == sizeof msg) {
    *childError = FromWire(msg.error);
    *kind = ChildMessage::kError;
    return true;
  }
  *error = SysError("sync", "receive from the child", EPROTO, "unexpected message");
  return false;
}

bool WaitGo(int fd) {
  char c = 0;
  ssize_t n;
  do {
    n = ::recv(fd, &c, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n == 1 && c == 'G';
}

bool SendFd(int fd, int fdToSend) {
  Message msg;
  memset(&msg, 0, sizeof msg);
  msg.type = 'F';
  struct iovec iov = {&msg, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control.buf;
  mh.msg_controllen = sizeof control.buf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fdToSend, sizeof fdToSend);
  ssize_t n;
  do {
    n = ::sendmsg(fd, &mh, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

void ChildFail(int fd, const Error& error) {
  Message msg;
  memset(&msg, 0, sizeof msg);
  msg.type = 'E';
  msg.error = ToWire(error);
  while (::send(fd, &msg, sizeof msg, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
  ::_exit(127);
}

}  // namespace berth::monitor
