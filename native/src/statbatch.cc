#include "statbatch.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include <utility>

namespace berth {

namespace {

bool IsAbsent(int err) { return err == ENOENT || err == ENOTDIR || err == ENODEV; }

void FillNaN(const StatFile& f, double* row) {
  for (int32_t s : f.slots)
    if (s >= 0) row[s] = NAN;
}

}  // namespace

void StatBatch::SetRow(uint32_t row, std::vector<StatFile> files, std::vector<SysError>* errors) {
  if (row >= rows_.size()) rows_.resize(row + 1);
  for (StatFile& f : files) {
    int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (!IsAbsent(err)) errors->push_back(SysError{err, "open", "", f.path, f.path});
      continue;
    }
    opens_++;
    f.fd.Reset(fd);
    f.countdown = 0;
  }
  rows_[row].files = std::move(files);
  rows_[row].used = true;
}

void StatBatch::ClearRow(uint32_t row) {
  if (row >= rows_.size()) return;
  rows_[row].files.clear();  // UniqueFd closes each
  rows_[row].used = false;
  while (!rows_.empty() && !rows_.back().used) rows_.pop_back();
}

void StatBatch::Invalidate(uint32_t row) {
  if (row >= rows_.size()) return;
  for (StatFile& f : rows_[row].files) f.countdown = 0;
}

void StatBatch::CloseAll() { rows_.clear(); }

size_t StatBatch::openFiles() const {
  size_t n = 0;
  for (const Row& r : rows_)
    for (const StatFile& f : r.files) n += f.fd.Valid() ? 1 : 0;
  return n;
}

bool StatBatch::ReadFile(StatFile& f, double* row, SysError* error) {
  ssize_t n;
  for (;;) {
    n = ::pread(f.fd.Get(), buf_.data(), buf_.size(), 0);
    preads_++;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = SysError{errno, "pread", "", f.path, f.path};
      return false;
    }
    // A full buffer may have cut the file short: grow and read it again.
    if (static_cast<size_t>(n) < buf_.size()) break;
    buf_.resize(buf_.size() * 2);
  }
  size_t count = StatValueCount(f.kind, f.keys.size());
  if (values_.size() < count) values_.resize(count);
  ParseStat(f.kind, buf_.data(), static_cast<size_t>(n), f.keys, values_.data());
  for (size_t i = 0; i < count && i < f.slots.size(); i++)
    if (f.slots[i] >= 0) row[f.slots[i]] = values_[i] * f.scale;
  return true;
}

void StatBatch::Read(double* out, std::vector<StatReadFailure>* failures) {
  for (uint32_t r = 0; r < rows_.size(); r++) {
    Row& row = rows_[r];
    if (!row.used) continue;
    double* slots = out + static_cast<size_t>(r) * stride_;
    for (StatFile& f : row.files) {
      if (!f.fd.Valid()) {
        FillNaN(f, slots);
        continue;
      }
      if (f.countdown > 0) {
        f.countdown--;
        continue;
      }
      f.countdown = f.every > 0 ? f.every - 1 : 0;
      SysError error;
      if (!ReadFile(f, slots, &error)) {
        if (f.optional) {
          FillNaN(f, slots);
          continue;
        }
        failures->push_back(StatReadFailure{r, std::move(error)});
        break;
      }
    }
  }
}

}  // namespace berth
