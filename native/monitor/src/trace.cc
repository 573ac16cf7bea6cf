#include "trace.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <atomic>
#include <string>

#include "fileio.h"

namespace berth::monitor::trace {

namespace {

constexpr uint32_t kMaxMarks = 96;

struct Table {
  std::atomic<uint32_t> count;
  struct Entry {
    const char* name;
    int64_t ns;
  } entries[kMaxMarks];
};

Table privateTable;
Table* table = &privateTable;
bool shared = false;

int64_t NowNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

void Mark(const char* name) {
  int64_t ns = NowNs();
  uint32_t i = table->count.fetch_add(1, std::memory_order_relaxed);
  if (i < kMaxMarks) table->entries[i] = {name, ns};
}

bool On() { return shared; }

bool Share(Error* error) {
  if (shared) return true;
  void* page = ::mmap(nullptr, sizeof(Table), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    *error = SysError("trace", "mmap a shared page for the start trace");
    return false;
  }
  Table* t = static_cast<Table*>(page);
  uint32_t n = privateTable.count.load(std::memory_order_relaxed);
  if (n > kMaxMarks) n = kMaxMarks;
  memcpy(t->entries, privateTable.entries, n * sizeof(Table::Entry));
  t->count.store(n, std::memory_order_relaxed);
  table = t;
  shared = true;
  return true;
}

bool WriteAt(int dirfd, const char* name, Error* error) {
  if (!shared) return true;
  uint32_t n = table->count.load(std::memory_order_acquire);
  if (n > kMaxMarks) n = kMaxMarks;
  std::string text;
  for (uint32_t i = 0; i < n; i++) {
    const Table::Entry& e = table->entries[i];
    if (e.name == nullptr) continue;  // a mark being written by another process
    text += std::to_string(e.ns) + " " + e.name + "\n";
  }
  return AtomicWriteAt(dirfd, name, text, error, Sync::kNone);
}

}  // namespace berth::monitor::trace
