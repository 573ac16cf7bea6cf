// Start trace: CLOCK_MONOTONIC marks along one `run`, for the container-start
// bench (spec.json "trace": true; off by default).
//
// Every mark is recorded, traced or not: one vDSO clock read and a store into
// a fixed table (names are string literals, valid in every fork of this
// image). Share() moves the table to a MAP_SHARED page before the daemon's
// fork and the container's clone, so the foreground, the daemon and the
// container's init (until execve) all add to the same table. WriteAt() puts
// it in the state directory as "<ns> <name>" lines, the same clock the
// helper's process.hrtime() reads.
#pragma once

#include "error.h"

namespace berth::monitor::trace {

void Mark(const char* name);

// True once Share() succeeded: the run is traced.
bool On();

// Moves the marks so far into a shared anonymous page. Without it the marks
// stay private to each process and nothing is written.
bool Share(Error* error);

// dirfd/name, replaced atomically (no fsync: a bench reads it at once).
// Does nothing unless On().
bool WriteAt(int dirfd, const char* name, Error* error);

}  // namespace berth::monitor::trace
