#include "spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "unique_fd.h"

namespace berth::monitor {

namespace {

// The spawner's stack: init is cloned from it and runs its whole setup on a
// copy of it (until execve), as it would on the monitor's own stack. Lazily
// backed; the lowest page is a guard.
constexpr size_t kStackSize = 8 << 20;

// Shared with the spawner (same memory): written by one while the other
// waits on a pipe or waitpid.
struct Shared {
  int joinPipe;       // spawner → monitor: one byte once joined (or failed)
  int requestPipe;    // monitor → spawner: one byte = run fn
  const int* procsFds;
  size_t procsCount;
  int failedIndex;    // the file whose write failed, -1 if none
  int failedErrno;
  long (*fn)(void*);
  void* arg;
  long result;
};

Shared gShared;

int SpawnerMain(void* p) {
  Shared* s = static_cast<Shared*>(p);
  sigset_t all;
  sigfillset(&all);
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, nullptr, sizeof(unsigned long));
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // "0" moves the writer itself (its whole thread group: the spawner alone).
  for (size_t i = 0; i < s->procsCount; i++) {
    if (::write(s->procsFds[i], "0", 1) != 1) {
      s->failedIndex = static_cast<int>(i);
      s->failedErrno = errno;
      break;
    }
  }
  char b = 0;
  ::write(s->joinPipe, &b, 1);
  if (s->failedIndex >= 0) return 1;
  ssize_t n;
  do {
    n = ::read(s->requestPipe, &b, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) return 0;  // the monitor let go of us (or died: PDEATHSIG)
  s->result = s->fn(s->arg);
  return 0;
}

}  // namespace

bool Spawner::Start(const std::string& pool, const std::vector<std::string>& procsFiles, Error* error) {
  std::vector<UniqueFd> fds;
  std::vector<int> raw;
  for (const std::string& f : procsFiles) {
    UniqueFd fd(::open(f.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.Valid()) {
      *error = SysError("cgroup", "open pool " + f);
      return false;
    }
    raw.push_back(fd.Get());
    fds.push_back(std::move(fd));
  }
  int join[2], req[2];
  if (::pipe2(join, O_CLOEXEC) != 0) {
    *error = SysError("cgroup", "pipe for the spawner");
    return false;
  }
  UniqueFd joinR(join[0]), joinW(join[1]);
  if (::pipe2(req, O_CLOEXEC) != 0) {
    *error = SysError("cgroup", "pipe for the spawner");
    return false;
  }
  UniqueFd reqR(req[0]), reqW(req[1]);
  void* stack = ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                       -1, 0);
  if (stack == MAP_FAILED) {
    *error = SysError("cgroup", "mmap the spawner's stack");
    return false;
  }
  ::mprotect(stack, 4096, PROT_NONE);
  gShared = Shared{joinW.Get(), reqR.Get(), raw.data(), raw.size(), -1, 0, nullptr, nullptr, 0};
  pid_t pid = ::clone(SpawnerMain, static_cast<char*>(stack) + kStackSize, CLONE_VM | CLONE_FS | CLONE_FILES | SIGCHLD,
                      &gShared);
  if (pid < 0) {
    *error = SysError("cgroup", "clone the spawner");
    ::munmap(stack, kStackSize);
    return false;
  }
  pid_ = pid;
  stack_ = stack;
  stackSize_ = kStackSize;
  pool_ = pool;
  char b;
  ssize_t n;
  do {
    n = ::read(joinR.Get(), &b, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || gShared.failedIndex >= 0) {
    int err = n != 1 ? EPIPE : gShared.failedErrno;
    std::string what = n != 1 ? "the spawner died before joining the pool"
                              : "spawner: write to " + procsFiles[static_cast<size_t>(gShared.failedIndex)];
    Discard();
    *error = SysError("cgroup", what, err);
    return false;
  }
  // Its request end stays open in the shared table until Run/Discard; the
  // pool files are not needed any more.
  request_ = reqW.Release();
  spawnerEnd_ = reqR.Release();  // the spawner reads it (shared table): closed in Discard
  return true;
}

bool Spawner::ReapSpawner(int* status) {
  while (::waitpid(pid_, status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

long Spawner::Run(long (*fn)(void*), void* arg, Error* error) {
  if (!Valid()) {
    *error = SysError("cgroup", "run in the spawner", ESRCH, "there is no spawner");
    return -1;
  }
  gShared.fn = fn;
  gShared.arg = arg;
  gShared.result = -1;
  char b = 1;
  bool sent = ::write(request_, &b, 1) == 1;
  int status = 0;
  bool reaped = ReapSpawner(&status);
  long result = gShared.result;
  pid_ = -1;
  Discard();  // closes the pipes, frees the stack
  if (!sent || !reaped || !WIFEXITED(status)) {
    *error = SysError("cgroup", "run in the spawner", EPIPE, "the spawner died");
    return -1;
  }
  return result;
}

void Spawner::Discard() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    ReapSpawner(&status);
    pid_ = -1;
  }
  for (int* fd : {&request_, &spawnerEnd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  if (stack_) {
    ::munmap(stack_, stackSize_);
    stack_ = nullptr;
  }
}

}  // namespace berth::monitor
