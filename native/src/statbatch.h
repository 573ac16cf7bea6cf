// StatBatch: the per-tick stats reader. Keeps every sampled file open and,
// in one call, preads each at offset 0 (cgroupfs and procfs seq_files
// regenerate there), parses it in place (statparse.h) and writes the numbers
// into a caller's Float64Array at row × stride + slot. Rows are independent:
// a file that fails (ENODEV once its group is removed) fails its row only.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

#include "errors.h"
#include "statparse.h"
#include "unique_fd.h"

namespace berth {

struct StatFile {
  std::string path;
  StatKind kind = StatKind::kSingle;
  std::vector<std::string> keys;
  // Where each parsed value goes in the row (-1: not wanted).
  std::vector<int32_t> slots;
  double scale = 1;
  // Read on every `every`-th tick only (limits that change only when written);
  // the row's slots keep the last value in between.
  uint32_t every = 1;
  // A failed read leaves NaN in the slots instead of failing the row (files
  // outside the group, e.g. /proc/PID/net/dev while the process exits).
  bool optional = false;

  UniqueFd fd;  // invalid: the file does not exist (its slots read NaN)
  uint32_t countdown = 0;
};

struct StatReadFailure {
  uint32_t row;
  SysError error;
};

class StatBatch {
 public:
  explicit StatBatch(uint32_t stride) : stride_(stride) {}

  uint32_t stride() const { return stride_; }
  // One past the highest row ever set: `out` must hold rowLimit() × stride.
  size_t rowLimit() const { return rows_.size(); }

  // Opens the files of a row (replacing what it had). A file that does not
  // exist (ENOENT, ENOTDIR, ENODEV) is kept as absent; any other open failure
  // is appended to `errors` and that file is absent too.
  void SetRow(uint32_t row, std::vector<StatFile> files, std::vector<SysError>* errors);
  void ClearRow(uint32_t row);
  // The next Read re-reads the row's slow files (a limit was written).
  void Invalidate(uint32_t row);
  // One pass over every row. Rows whose read failed are appended to `failures`
  // (their slots are then partly stale: the caller drops the row).
  void Read(double* out, std::vector<StatReadFailure>* failures);
  void CloseAll();

  uint64_t opens() const { return opens_; }
  uint64_t preads() const { return preads_; }
  size_t openFiles() const;

 private:
  // false with `error` filled when the pread failed.
  bool ReadFile(StatFile& f, double* row, SysError* error);

  struct Row {
    bool used = false;
    std::vector<StatFile> files;
  };
  uint32_t stride_;
  std::vector<Row> rows_;
  std::vector<char> buf_ = std::vector<char>(16 * 1024);
  std::vector<double> values_ = std::vector<double>(16);
  uint64_t opens_ = 0;
  uint64_t preads_ = 0;
};

}  // namespace berth
