#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "unique_fd.h"

namespace berth::monitor {

bool ReadFileAt(int dirfd, const std::string& path, size_t maxBytes, std::string* out, Error* error) {
  UniqueFd fd(::openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.Valid()) {
    *error = SysError("read", "open " + path);
    return false;
  }
  struct stat st;
  if (::fstat(fd.Get(), &st) != 0) {
    *error = SysError("read", "fstat " + path);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = SysError("read", "read " + path, EINVAL, "not a regular file");
    return false;
  }
  out->clear();
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = SysError("read", "read " + path);
      return false;
    }
    if (n == 0) break;
    if (out->size() + static_cast<size_t>(n) > maxBytes) {
      *error = SysError("read", "read " + path, EFBIG, "larger than " + std::to_string(maxBytes) + " bytes");
      return false;
    }
    out->append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool AtomicWriteAt(int dirfd, const std::string& name, const std::string& content, Error* error, Sync sync) {
  std::string tmp = "." + name + "." + std::to_string(::getpid()) + ".tmp";
  UniqueFd fd(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.Valid()) {
    *error = SysError("state", "create " + tmp);
    return false;
  }
  if (!WriteAll(fd.Get(), content.data(), content.size())) {
    *error = SysError("state", "write " + tmp);
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return false;
  }
  if (sync != Sync::kNone && ::fsync(fd.Get()) != 0) {
    *error = SysError("state", "fsync " + tmp);
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return false;
  }
  fd.Reset();
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
    *error = SysError("state", "rename " + tmp + " to " + name);
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return false;
  }
  if (sync == Sync::kFull && ::fsync(dirfd) != 0) {
    *error = SysError("state", "fsync state directory");
    return false;
  }
  return true;
}

std::string Rfc3339Nano(const struct timespec& ts) {
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long>(ts.tv_nsec));
  return buf;
}

std::string NowRfc3339Nano() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Rfc3339Nano(ts);
}

bool ReadPidStartTime(pid_t pid, uint64_t* out, Error* error) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::string text;
  if (!ReadFileAt(AT_FDCWD, path, 4096, &text, error)) return false;
  // "pid (comm) state ppid ...": comm may contain spaces and ')', so fields
  // are counted after the last ')'. Field 3 (state) follows it.
  size_t close = text.rfind(')');
  if (close == std::string::npos) {
    *error = SysError("stat", "parse " + path, EPROTO, "no ')' after comm");
    return false;
  }
  int field = 2;
  const char* p = text.c_str() + close + 1;
  while (*p) {
    while (*p == ' ') p++;
    if (!*p) break;
    field++;
    const char* start = p;
    while (*p && *p != ' ') p++;
    if (field == 22) {
      std::string literal(start, static_cast<size_t>(p - start));
      if (!json::ToU64(literal, out)) break;
      return true;
    }
  }
  *error = SysError("stat", "parse " + path, EPROTO, "no start time (field 22)");
  return false;
}

bool Pipe(UniqueFd* r, UniqueFd* w, const char* what, Error* error) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    *error = SysError("stdio", std::string("pipe for ") + what);
    return false;
  }
  r->Reset(p[0]);
  w->Reset(p[1]);
  return true;
}

}  // namespace berth::monitor
