#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "json.h"

namespace berth::monitor {

namespace {

// Length of the trailing bytes of [data, data+size) that start a UTF-8
// sequence the buffer does not complete (0..3).
size_t IncompleteUtf8Tail(const char* data, size_t size) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(data);
  for (size_t back = 1; back <= 3 && back <= size; back++) {
    unsigned char c = p[size - back];
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back
    size_t need = (c >= 0xF0 && c <= 0xF4) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC2 && c < 0xE0) ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

// A cut at `at` moved back to a UTF-8 sequence boundary.
size_t Utf8Boundary(const std::string& s, size_t at) {
  size_t cut = at;
  for (int i = 0; i < 3 && cut > 0 && cut < s.size() && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80; i++) {
    cut--;
  }
  return cut == 0 ? at : cut;
}

}  // namespace

int64_t MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

bool LogWriter::Open(const LogConfig& config, Error* error) {
  config_ = config;
  fd_.Reset(::open(config.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640));
  if (!fd_.Valid()) {
    *error = SysError("log", "open log " + config.path);
    return false;
  }
  struct stat st;
  if (::fstat(fd_.Get(), &st) != 0) {
    *error = SysError("log", "fstat log " + config.path);
    return false;
  }
  size_ = static_cast<uint64_t>(st.st_size);
  return true;
}

std::string LogWriter::Suffixed(uint32_t n) const { return config_.path + "." + std::to_string(n); }

void LogWriter::Rotate() {
  fd_.Reset();
  if (config_.maxFiles <= 1) {
    // Nothing kept: start over in the same file.
    fd_.Reset(::open(config_.path.c_str(), O_WRONLY | O_APPEND | O_TRUNC | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640));
  } else {
    ::unlink(Suffixed(config_.maxFiles - 1).c_str());
    for (uint32_t n = config_.maxFiles - 1; n >= 2; n--) {
      ::rename(Suffixed(n - 1).c_str(), Suffixed(n).c_str());  // ENOENT for missing ones: fine
    }
    if (::rename(config_.path.c_str(), Suffixed(1).c_str()) != 0 && writeError_.step.empty()) {
      writeError_ = SysError("log", "rotate " + config_.path);
    }
    fd_.Reset(::open(config_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640));
  }
  if (!fd_.Valid() && writeError_.step.empty()) writeError_ = SysError("log", "reopen log " + config_.path);
  size_ = 0;
}

void LogWriter::Entry(LogStream stream, const char* data, size_t size, bool partial) {
  std::string line = "{\"t\":\"" + NowRfc3339Nano() + "\",\"s\":\"" +
                     (stream == LogStream::kStdout ? "stdout" : "stderr") + "\",\"log\":";
  json::AppendQuoted(&line, std::string_view(data, size));
  line += partial ? ",\"partial\":true}\n" : "}\n";
  if (config_.maxBytes > 0 && size_ > 0 && size_ + line.size() > config_.maxBytes) Rotate();
  if (!fd_.Valid()) return;
  if (!WriteAll(fd_.Get(), line.data(), line.size())) {
    if (writeError_.step.empty()) writeError_ = SysError("log", "write log " + config_.path);
    return;
  }
  size_ += line.size();
  wrote_ = true;
}

void LogWriter::Write(LogStream stream, const char* data, size_t size, int64_t nowMs) {
  Pending& p = pending_[static_cast<int>(stream)];
  if (p.bytes.empty()) {
    p.sinceMs = nowMs;
    p.dueMs = nowMs + kPartialFlushMs;
  }
  p.bytes.append(data, size);
  size_t start = 0;
  while (true) {
    size_t nl = p.bytes.find('\n', start);
    size_t end = nl == std::string::npos ? p.bytes.size() : nl;
    // An over-long line (finished or not): a 16 KiB piece, cut at a UTF-8
    // boundary, so that no entry is larger than that.
    if (end - start > kMaxLine || (nl == std::string::npos && end - start == kMaxLine)) {
      size_t cut = Utf8Boundary(p.bytes, start + kMaxLine) - start;
      Entry(stream, p.bytes.data() + start, cut, true);
      start += cut;
      continue;
    }
    if (nl == std::string::npos) break;
    Entry(stream, p.bytes.data() + start, nl - start, false);
    start = nl + 1;
  }
  if (start > 0) {
    p.bytes.erase(0, start);
    p.sinceMs = nowMs;
    p.dueMs = nowMs + kPartialFlushMs;
  }
}

void LogWriter::FlushPartial(int64_t nowMs, bool force) {
  for (int s = 0; s < 2; s++) {
    Pending& p = pending_[s];
    if (p.bytes.empty()) continue;
    if (!force && nowMs < p.dueMs) continue;
    // Hold back the start of a UTF-8 sequence for one more interval; after
    // that it is written (as U+FFFD) rather than held forever.
    bool stale = nowMs - p.sinceMs >= 2 * kPartialFlushMs;
    size_t keep = force || stale ? 0 : IncompleteUtf8Tail(p.bytes.data(), p.bytes.size());
    if (keep == p.bytes.size()) {
      p.dueMs = p.sinceMs + 2 * kPartialFlushMs;
      continue;
    }
    Entry(static_cast<LogStream>(s), p.bytes.data(), p.bytes.size() - keep, true);
    p.bytes.erase(0, p.bytes.size() - keep);
    p.sinceMs = nowMs;
    p.dueMs = nowMs + kPartialFlushMs;
  }
}

int64_t LogWriter::NextFlushInMs(int64_t nowMs) const {
  int64_t best = -1;
  for (const Pending& p : pending_) {
    if (p.bytes.empty()) continue;
    int64_t due = p.dueMs - nowMs;
    if (due < 0) due = 0;
    if (best < 0 || due < best) best = due;
  }
  return best;
}

void LogWriter::Close() {
  FlushPartial(MonotonicMs(), true);
  // A container that wrote nothing costs no journal commit.
  if (fd_.Valid() && wrote_) ::fsync(fd_.Get());
  fd_.Reset();
}

}  // namespace berth::monitor
