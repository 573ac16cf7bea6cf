// Small file helpers: whole-file reads with a size cap, full writes across
// EINTR/short writes, atomic replacement (temp + fsync + rename + dir fsync),
// with the fsyncs chosen per file (Sync),
// RFC 3339 timestamps and /proc/PID/stat start times.
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <string>

#include "error.h"
#include "unique_fd.h"

namespace berth::monitor {

// Reads a regular file (relative to dirfd, or absolute). Fails with EFBIG
// above maxBytes and EINVAL for a non-regular file. Note: opening a FIFO
// blocks until a writer appears, as with any open(2).
// A CLOEXEC pipe into r (read end) and w (write end); `what` names it in the error.
bool Pipe(UniqueFd* r, UniqueFd* w, const char* what, Error* error);

bool ReadFileAt(int dirfd, const std::string& path, size_t maxBytes, std::string* out, Error* error);

// write(2) until everything is written; EINTR retried. False with errno set.
bool WriteAll(int fd, const void* data, size_t size);

// How much of a write must survive a power cut (a crash of the process
// never tears the file: the rename is atomic either way).
//   kFull   fsync the file, rename, fsync the directory (durable on return)
//   kFile   fsync the file, rename: the old or the new content after a power
//           cut, never an empty or torn file; the rename may be lost
//   kNone   rename only: for files about this boot's processes, which a
//           reboot ends anyway (readers treat an unreadable file as missing)
enum class Sync { kFull, kFile, kNone };

// Replaces dirfd/name atomically: ".name.<pid>.tmp" is written, fsync'ed
// (per `sync`) and renamed over name. Readers see the old content or the
// new one, never a partial file.
bool AtomicWriteAt(int dirfd, const std::string& name, const std::string& content, Error* error,
                   Sync sync = Sync::kFull);

// "2024-05-01T12:34:56.123456789Z" (UTC, always 9 fraction digits).
std::string Rfc3339Nano(const struct timespec& ts);
std::string NowRfc3339Nano();

// Field 22 of /proc/PID/stat (start time in clock ticks after boot), which
// together with the pid identifies a process across pid reuse.
bool ReadPidStartTime(pid_t pid, uint64_t* out, Error* error);

}  // namespace berth::monitor
