// spec.json (berth-monitor run) and exec-spec.json (berth-monitor exec):
// a small subset of the OCI runtime spec's config.json, with the same keys in
// the same places, plus Berth's own top-level keys (overlay, cgroupProcs,
// monitorCgroupProcs, log). Decoding is strict: unknown keys, wrong types and
// inconsistent combinations are errors that name the offending field, e.g.
//   spec.json: linux.namespaces[2].type: unknown namespace type "net" (...)
// See ../README.md for the format.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace berth::monitor {

struct IdMapping {
  uint32_t containerId = 0;
  uint32_t hostId = 0;
  uint32_t size = 0;
};

struct Rlimit {
  std::string name;  // "RLIMIT_NOFILE"
  int resource = 0;
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Capability sets as bit masks (bit n = capability number n).
struct CapSets {
  uint64_t bounding = 0;
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
  uint64_t ambient = 0;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additionalGids;
  uint32_t umask = 022;
};

struct Process {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd;
  User user;
  bool terminal = false;
  bool hasConsoleSize = false;
  uint16_t consoleHeight = 0;  // rows
  uint16_t consoleWidth = 0;   // columns
  bool openStdin = false;      // run only: a stdin pipe fed from attach clients
  std::vector<Rlimit> rlimits;
  bool noNewPrivileges = false;
  CapSets caps;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct Namespace {
  std::string type;  // OCI name: pid network mount ipc uts user cgroup time
  int flag = 0;      // CLONE_NEW*
  std::string path;  // join this namespace instead of creating one
};

struct Overlay {
  bool present = false;
  std::vector<std::string> lowerdirs;  // topmost first, like overlayfs' lowerdir=
  std::string upperdir;
  std::string workdir;
  bool legacyMount = false;  // "method": "legacy": mount(2) instead of fsopen/fsconfig
};

// linux.devices[] (OCI): a node made in the container (--device; privileged:
// the host's devices). The device policy that lets it be used is the helper's.
struct DeviceNode {
  std::string path;  // absolute, in the container
  char type = 'c';   // 'c' or 'b'
  uint32_t major = 0;
  uint32_t minor = 0;
  uint32_t fileMode = 0666;  // permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
};

struct LogConfig {
  std::string path;
  uint64_t maxBytes = 0;  // 0: never rotate
  uint32_t maxFiles = 1;  // files kept including the live one (Docker's max-file)
};

// Berth: v1 groups that were a standby's pool (spawner.h), renamed by the
// helper to the container's. `procs` are their cgroup.procs files: init is
// born in them when this monitor's spawner joined pool `name`, else they are
// written like cgroupProcs.
struct CgroupPool {
  bool present = false;
  std::string name;
  std::vector<std::string> procs;
};

struct Spec {
  Process process;
  bool hasHostname = false;
  std::string hostname;
  std::string rootPath;
  bool rootReadonly = false;
  Overlay overlay;
  std::vector<Mount> mounts;
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uidMappings;
  std::vector<IdMapping> gidMappings;
  std::vector<std::string> maskedPaths;
  std::vector<std::string> readonlyPaths;
  std::vector<DeviceNode> devices;
  std::vector<std::string> cgroupProcs;
  // Berth: a cgroup2 directory init is cloned into (CLONE_INTO_CGROUP); its
  // cgroup.procs is written instead where the kernel lacks that. Empty: none.
  std::string cgroupInto;
  CgroupPool cgroupPool;
  std::vector<std::string> monitorCgroupProcs;
  LogConfig log;
  // Berth: "seccomp": {"filter": "/…/seccomp/<key>.bpf"}, a compiled filter
  // (seccomp_filter.h) installed just before execve. Empty: none.
  std::string seccompFilter;
  // Berth: write trace.txt (trace.h) after state.json "exited". Bench only.
  bool trace = false;

  const Namespace* FindNamespace(int flag) const;
  bool Creates(int flag) const;  // listed without a path
};

struct ExecSpec {
  Process process;
  std::vector<std::string> cgroupProcs;
  std::string seccompFilter;  // as in Spec
};

// `file` names the source in messages ("spec.json"). Errors: step "spec".
bool ParseSpec(std::string_view text, const std::string& file, Spec* out, Error* error);
bool ParseExecSpec(std::string_view text, const std::string& file, ExecSpec* out, Error* error);

// Capability name ↔ number ("CAP_CHOWN" ↔ 0). -1 / nullptr when unknown.
int CapabilityNumber(std::string_view name);
const char* CapabilityName(int cap);
constexpr int kMaxKnownCap = 40;  // CAP_CHECKPOINT_RESTORE

}  // namespace berth::monitor
