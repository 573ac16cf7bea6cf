// The standby's spawner: how a container's init is born in its v1 cgroups
// without a cgroup.procs write on the start's path.
//
// Moving a process between cgroups takes cgroup_threadgroup_rwsem for
// writing; the first such write in a while waits for an RCU grace period
// (percpu_down_write → rcu_sync_enter → synchronize_rcu): 11–17 ms on our
// hosts, whatever the hierarchy, more than the rest of a start. A child is
// born in its parent's cgroups for free, and cgroup v1 directories can be
// renamed. So a standby monitor given a pool (`run --standby --pool NAME
// FILE…`, the helper's `berth/.standby-…` groups, one per v1 hierarchy)
// makes a spawner ahead of time: a process that shares the monitor's memory,
// fd table and cwd (clone CLONE_VM|CLONE_FS|CLONE_FILES, its own stack) and
// moves itself into the pool (the slow write, before any request). At start
// the helper has renamed the pool's directories to the container's groups;
// the monitor hands the spawner a function (Run) that clones init with
// CLONE_PARENT (init is the monitor's child, as without a spawner), so init
// is born in those groups. The spawner then exits and the monitor reaps it
// before it lets init run: the container's groups hold init alone from its
// first instruction (pids.max, memory), and the monitor never sits in them.
//
// The two never run user code at the same time (they share malloc's state,
// errno and the stack canary): the monitor blocks in read/waitpid while the
// spawner joins or runs the function, and the spawner blocks in read (all
// signals blocked) otherwise. PR_SET_PDEATHSIG ends it with the monitor.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "error.h"

namespace berth::monitor {

class Spawner {
 public:
  Spawner() = default;
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
  ~Spawner() { Discard(); }

  // Makes the spawner and waits until it sits in every file's cgroup
  // (cgroup.procs files of the pool). False with *error (nothing left running).
  bool Start(const std::string& pool, const std::vector<std::string>& procsFiles, Error* error);

  bool Valid() const { return pid_ > 0; }
  const std::string& Pool() const { return pool_; }

  // Runs fn(arg) in the spawner, on its stack, while this process waits;
  // then the spawner exits and is reaped (its cgroups hold no extra process
  // afterwards). Returns fn's result, or -1 with *error when the spawner
  // died before it ran. The spawner is gone afterwards either way.
  long Run(long (*fn)(void*), void* arg, Error* error);

  // SIGKILL and reap (an unused spawner: its pool is not this container's).
  void Discard();

 private:
  bool ReapSpawner(int* status);

  pid_t pid_ = -1;
  int request_ = -1;     // our end: one byte asks the spawner to run
  int spawnerEnd_ = -1;  // the spawner's end (the fd table is shared)
  std::string pool_;
  void* stack_ = nullptr;
  size_t stackSize_ = 0;
};

}  // namespace berth::monitor
