// The container log: JSON lines, one object per line of output,
//   {"t":"2024-05-01T12:34:56.123456789Z","s":"stdout","log":"hello"}
// "log" is the line without its "\n". Output that ends without a newline is
// written after 100 ms of silence, or in 16 KiB pieces when a line is longer,
// with "partial":true: the reader joins partial entries with the next entry
// of the same stream. Cuts never split a UTF-8 sequence; bytes that are not
// UTF-8 are written as U+FFFD (and control characters escaped), so each line
// is valid JSON.
//
// Rotation (Docker's json-file max-size / max-file): before an entry would
// take the file past maxBytes, <path>.N-1 → <path>.N … <path> → <path>.1,
// keeping maxFiles files in all (the live one included; maxFiles 1 truncates).
#pragma once

#include <stdint.h>

#include <string>

#include "error.h"
#include "spec.h"
#include "unique_fd.h"

namespace berth::monitor {

enum class LogStream { kStdout = 0, kStderr = 1 };

class LogWriter {
 public:
  static constexpr size_t kMaxLine = 16 * 1024;
  static constexpr int64_t kPartialFlushMs = 100;

  bool Open(const LogConfig& config, Error* error);
  void Write(LogStream stream, const char* data, size_t size, int64_t nowMs);
  // Flushes partial lines older than kPartialFlushMs (or all with force).
  void FlushPartial(int64_t nowMs, bool force);
  // Milliseconds until the next partial flush is due; -1 when none is pending.
  int64_t NextFlushInMs(int64_t nowMs) const;
  void Close();
  // First write error, if any (the monitor keeps running: the container must
  // not stall because the disk is full).
  const Error& WriteError() const { return writeError_; }

 private:
  struct Pending {
    std::string bytes;
    int64_t sinceMs = 0;  // when the oldest pending byte arrived
    int64_t dueMs = 0;    // when to write it as a partial entry
  };
  void Entry(LogStream stream, const char* data, size_t size, bool partial);
  void Rotate();
  std::string Suffixed(uint32_t n) const;

  LogConfig config_;
  UniqueFd fd_;
  uint64_t size_ = 0;
  bool wrote_ = false;  // since Open: Close() fsyncs only what was written
  Pending pending_[2];
  Error writeError_;
};

int64_t MonotonicMs();

}  // namespace berth::monitor
