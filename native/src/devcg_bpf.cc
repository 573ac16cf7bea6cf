#include "devcg_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unique_fd.h"

namespace berth {

namespace {

long Bpf(int cmd, union bpf_attr* attr) {
  return ::syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

bool Fail(SysError* error, const char* syscall, const std::string& op, const std::string& target) {
  error->err = errno;
  error->syscall = syscall;
  error->op = op;
  error->target = target;
  error->path = target;
  return false;
}

bool OpenGroup(const std::string& groupDir, UniqueFd* out, SysError* error) {
  out->Reset(::open(groupDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!out->Valid()) return Fail(error, "open", "", groupDir);
  return true;
}

// Ids of the programs of attach type BPF_CGROUP_DEVICE attached to cgfd.
bool QueryIds(int cgfd, const std::string& groupDir, std::vector<uint32_t>* ids, SysError* error) {
  // Grow the buffer until the kernel's count fits (it answers ENOSPC with the count).
  std::vector<uint32_t> buf(16);
  for (int round = 0; round < 4; round++) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = static_cast<uint32_t>(cgfd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = reinterpret_cast<uintptr_t>(buf.data());
    attr.query.prog_cnt = static_cast<uint32_t>(buf.size());
    if (Bpf(BPF_PROG_QUERY, &attr) == 0) {
      ids->assign(buf.begin(), buf.begin() + attr.query.prog_cnt);
      return true;
    }
    if (errno != ENOSPC) return Fail(error, "bpf", "BPF_PROG_QUERY", groupDir);
    buf.resize(attr.query.prog_cnt + 16);
  }
  errno = ENOSPC;
  return Fail(error, "bpf", "BPF_PROG_QUERY", groupDir);
}

// An fd for program `id` and its info. ENOENT: it went away meanwhile.
bool ProgramById(uint32_t id, UniqueFd* fd, AttachedProgram* info, SysError* error) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_id = id;
  fd->Reset(static_cast<int>(Bpf(BPF_PROG_GET_FD_BY_ID, &attr)));
  if (!fd->Valid()) return Fail(error, "bpf", "BPF_PROG_GET_FD_BY_ID", "program " + std::to_string(id));
  struct bpf_prog_info pi;
  memset(&pi, 0, sizeof(pi));
  memset(&attr, 0, sizeof(attr));
  attr.info.bpf_fd = static_cast<uint32_t>(fd->Get());
  attr.info.info_len = sizeof(pi);
  attr.info.info = reinterpret_cast<uintptr_t>(&pi);
  if (Bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) != 0)
    return Fail(error, "bpf", "BPF_OBJ_GET_INFO_BY_FD", "program " + std::to_string(id));
  info->id = pi.id;
  info->name.assign(pi.name, strnlen(pi.name, sizeof(pi.name)));
  static const char kHex[] = "0123456789abcdef";
  info->tag.clear();
  for (unsigned char b : pi.tag) {
    info->tag += kHex[b >> 4];
    info->tag += kHex[b & 15];
  }
  info->insnCount = pi.xlated_prog_len / sizeof(struct bpf_insn);
  return true;
}

bool Detach(int cgfd, int progFd, uint32_t id, const std::string& groupDir, SysError* error) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(cgfd);
  attr.attach_bpf_fd = static_cast<uint32_t>(progFd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (Bpf(BPF_PROG_DETACH, &attr) != 0)
    return Fail(error, "bpf", "BPF_PROG_DETACH program " + std::to_string(id), groupDir);
  return true;
}

// Detach our programs other than `keep` (0: none kept).
bool DetachOurs(int cgfd, const std::string& groupDir, uint32_t keep, std::vector<uint32_t>* detached,
                SysError* error) {
  std::vector<uint32_t> ids;
  if (!QueryIds(cgfd, groupDir, &ids, error)) return false;
  for (uint32_t id : ids) {
    if (id == keep) continue;
    UniqueFd fd;
    AttachedProgram info;
    if (!ProgramById(id, &fd, &info, error)) {
      if (error->err == ENOENT) continue;  // detached by someone else meanwhile
      return false;
    }
    if (info.name != kDeviceProgramName) continue;
    if (!Detach(cgfd, fd.Get(), id, groupDir, error)) {
      if (error->err == ENOENT) continue;
      return false;
    }
    detached->push_back(id);
  }
  return true;
}

}  // namespace

bool AttachDeviceProgram(const std::string& groupDir, const uint8_t* insns, size_t len, uint32_t* newId,
                         std::vector<uint32_t>* replaced, SysError* error) {
  if (len == 0 || len % sizeof(struct bpf_insn) != 0) {
    errno = EINVAL;
    return Fail(error, "bpf", "BPF_PROG_LOAD (instructions must be a non-empty multiple of 8 bytes)", groupDir);
  }
  UniqueFd cgfd;
  if (!OpenGroup(groupDir, &cgfd, error)) return false;

  // The verifier's log is asked for only on a retry after a refusal: a log
  // buffer makes every load slower.
  std::vector<char> log;
  UniqueFd prog;
  for (int attempt = 0; attempt < 2 && !prog.Valid(); attempt++) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = reinterpret_cast<uintptr_t>(insns);
    attr.insn_cnt = static_cast<uint32_t>(len / sizeof(struct bpf_insn));
    static const char kLicense[] = "Apache-2.0";
    attr.license = reinterpret_cast<uintptr_t>(kLicense);
    strncpy(attr.prog_name, kDeviceProgramName, sizeof(attr.prog_name) - 1);
    if (attempt == 1) {
      log.assign(64 * 1024, '\0');
      attr.log_level = 1;
      attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
      attr.log_size = static_cast<uint32_t>(log.size());
    }
    // The kernel answers EAGAIN when the verifier was interrupted (a pending
    // signal; seen under 10 parallel starts); libbpf retries it the same way.
    long fd = -1;
    for (int tries = 0; tries < 5; tries++) {
      fd = Bpf(BPF_PROG_LOAD, &attr);
      if (fd >= 0 || (errno != EAGAIN && errno != EINTR)) break;
    }
    prog.Reset(static_cast<int>(fd));
    if (!prog.Valid() && (attempt == 1 || (errno != EACCES && errno != EINVAL))) {
      int saved = errno;
      std::string op = "BPF_PROG_LOAD";
      if (!log.empty() && log[0] != '\0') {
        // The log's last non-empty line says why.
        std::string text(log.data(), strnlen(log.data(), log.size()));
        while (!text.empty() && text.back() == '\n') text.pop_back();
        size_t nl = text.rfind('\n');
        op += " (verifier: " + text.substr(nl == std::string::npos ? 0 : nl + 1) + ")";
      }
      errno = saved;
      return Fail(error, "bpf", op, groupDir);
    }
  }

  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(cgfd.Get());
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.Get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, &attr) != 0) return Fail(error, "bpf", "BPF_PROG_ATTACH", groupDir);

  // Our id, to keep it while the older ones are detached.
  struct bpf_prog_info pi;
  memset(&pi, 0, sizeof(pi));
  memset(&attr, 0, sizeof(attr));
  attr.info.bpf_fd = static_cast<uint32_t>(prog.Get());
  attr.info.info_len = sizeof(pi);
  attr.info.info = reinterpret_cast<uintptr_t>(&pi);
  if (Bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) != 0) return Fail(error, "bpf", "BPF_OBJ_GET_INFO_BY_FD", groupDir);
  *newId = pi.id;
  // The attachment holds the program; our fd can close.
  return DetachOurs(cgfd.Get(), groupDir, pi.id, replaced, error);
}

bool QueryDevicePrograms(const std::string& groupDir, std::vector<AttachedProgram>* out, SysError* error) {
  UniqueFd cgfd;
  if (!OpenGroup(groupDir, &cgfd, error)) return false;
  std::vector<uint32_t> ids;
  if (!QueryIds(cgfd.Get(), groupDir, &ids, error)) return false;
  for (uint32_t id : ids) {
    UniqueFd fd;
    AttachedProgram info;
    if (!ProgramById(id, &fd, &info, error)) {
      if (error->err == ENOENT) continue;
      return false;
    }
    out->push_back(info);
  }
  return true;
}

bool DetachDevicePrograms(const std::string& groupDir, std::vector<uint32_t>* detached, SysError* error) {
  UniqueFd cgfd;
  if (!OpenGroup(groupDir, &cgfd, error)) return false;
  return DetachOurs(cgfd.Get(), groupDir, 0, detached, error);
}

}  // namespace berth
