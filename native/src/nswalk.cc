// procNsWalk: the /proc walk of the namespace scan (main/engine/namespaces)
// in one N-API call. Per process: one O_PATH dirfd on /proc/PID and one on its
// ns/ directory, then readlinkat of each ns link relative to it (no path walk
// from /, no pid lookup per link), one stat or status read, and for processes
// with more than one thread the same for every task. The result is compact
// typed arrays; the graph is built in JS (scan.ts).
//
// Failures: ENOENT/ESRCH mean the process (or thread) exited meanwhile and are
// skipped, as are the documented special cases below; any other failure on a
// process's ns links is reported in `errors` (once per process, which is then
// skipped), on its stat/status read too (the process is listed without comm).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "errors.h"
#include "unique_fd.h"

namespace berth {

namespace {

bool Vanished(int err) { return err == ENOENT || err == ESRCH; }

struct WalkFile {
  std::string name;
  bool perThread;  // threads of one process can differ here (not user, pid, time)
  int childrenOf;  // for *_for_children: index of the file it shadows, else -1
};

// One row of the result: a process (tid 0) or a thread of the process before it
// whose namespaces differ from its leader's.
struct Record {
  int32_t pid = 0;
  int32_t tid = 0;
  int32_t lead = 0;  // process rows: the task whose ns/ was read (pid, or a live thread)
  int32_t threads = 1;
  uint8_t kthread = 0;  // 1: a kernel thread; 2: not known (comm not read either)
  std::string comm;
  std::vector<int32_t> nspid;  // empty: not read (the task is in the scanner's pid namespace)
};

struct WalkError {
  int32_t pid;
  SysError error;
};

// Closes a DIR* (and the fd it owns) exactly once.
class DirHandle {
 public:
  explicit DirHandle(DIR* d) : dir_(d) {}
  ~DirHandle() {
    if (dir_ != nullptr) closedir(dir_);
  }
  DirHandle(const DirHandle&) = delete;
  DirHandle& operator=(const DirHandle&) = delete;
  DIR* Get() const { return dir_; }

 private:
  DIR* dir_;
};

// Decimal entry names of a directory (/proc, /proc/PID/task), ascending.
// Takes ownership of `fd`. Returns 0 or the errno of the failing call.
int ListNumeric(int fd, std::vector<int32_t>* out, const char** syscall) {
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    ::close(fd);
    *syscall = "fdopendir";
    return err;
  }
  DirHandle dir(d);
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(d);
    if (e == nullptr) {
      if (errno != 0) {
        *syscall = "readdir";
        return errno;
      }
      break;
    }
    const char* n = e->d_name;
    if (n[0] < '1' || n[0] > '9') continue;  // 'self', 'sys', '.', …: pids never start with 0
    int64_t v = 0;
    bool digits = true;
    for (const char* c = n; *c != '\0'; c++) {
      if (*c < '0' || *c > '9' || v > INT32_MAX / 10) {
        digits = false;
        break;
      }
      v = v * 10 + (*c - '0');
    }
    if (digits && v <= INT32_MAX) out->push_back(static_cast<int32_t>(v));
  }
  std::sort(out->begin(), out->end());
  return 0;
}

// Inode of a link target 'type:[ino]'; -1 if it is not of that form.
double ParseNsIno(const char* s, size_t len) {
  const char* open = static_cast<const char*>(memmem(s, len, ":[", 2));
  if (open == nullptr || open == s || len < 2 || s[len - 1] != ']') return -1;
  const char* end = s + len - 1;
  if (end <= open + 2) return -1;
  double n = 0;
  for (const char* c = open + 2; c < end; c++) {
    if (*c < '0' || *c > '9') return -1;
    n = n * 10 + (*c - '0');
  }
  return n;
}

// The unsigned decimal at s[i] after blanks; -1 if none.
int64_t UintAt(const std::string& s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
  int64_t n = -1;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) n = (n < 0 ? 0 : n * 10) + (s[i] - '0');
  return n;
}

// Start of the value of `key` ("Name:") at the start of a line, or npos.
size_t ValueOf(const std::string& s, const char* key) {
  size_t klen = strlen(key);
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + 1)) {
    if (at == 0 || s[at - 1] == '\n') return at + klen;
  }
  return std::string::npos;
}

// /proc/PID/stat: `pid (comm) state … flags(9) … num_threads(20)`; comm ends at the last ')'.
bool ParseStat(const std::string& s, Record* r) {
  size_t open = s.find('(');
  size_t close = s.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  int field = 2;
  int64_t flags = -1;
  for (size_t i = close + 1; i < s.size(); i++) {
    if (s[i] != ' ') continue;
    field++;
    if (field == 9) {
      flags = UintAt(s, i + 1);
    } else if (field == 20) {
      int64_t threads = UintAt(s, i + 1);
      if (threads < 0 || flags < 0) return false;
      r->comm.assign(s, open + 1, close - open - 1);
      r->threads = static_cast<int32_t>(std::min<int64_t>(threads, INT32_MAX));
      r->kthread = (flags & 0x00200000) != 0;  // PF_KTHREAD
      return true;
    }
  }
  return false;
}

// /proc/PID/status: Name (unescaped: `\n` and `\\`), Threads, NSpid, Kthread.
bool ParseStatus(const std::string& s, Record* r) {
  size_t name = ValueOf(s, "Name:");
  size_t threads = ValueOf(s, "Threads:");
  if (name == std::string::npos || threads == std::string::npos) return false;
  if (name < s.size() && s[name] == '\t') name++;
  size_t end = s.find('\n', name);
  if (end == std::string::npos) return false;
  int64_t n = UintAt(s, threads);
  if (n < 0) return false;
  r->comm.clear();
  for (size_t i = name; i < end; i++) {
    if (s[i] == '\\' && i + 1 < end && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
      r->comm.push_back(s[i + 1] == 'n' ? '\n' : '\\');
      i++;
    } else {
      r->comm.push_back(s[i]);
    }
  }
  r->threads = static_cast<int32_t>(std::min<int64_t>(n, INT32_MAX));
  size_t kt = ValueOf(s, "Kthread:");
  r->kthread = kt != std::string::npos && UintAt(s, kt) == 1;
  r->nspid.clear();
  size_t ns = ValueOf(s, "NSpid:");
  if (ns != std::string::npos) {
    int64_t v = -1;
    for (size_t i = ns; i < s.size(); i++) {
      char c = s[i];
      if (c >= '0' && c <= '9') {
        v = (v < 0 ? 0 : v * 10) + (c - '0');
      } else {
        if (v > 0 && v <= INT32_MAX) r->nspid.push_back(static_cast<int32_t>(v));
        v = -1;
        if (c == '\n') break;
      }
    }
  }
  return true;
}

// Reads a whole (small) procfs file into `buf` with as few reads as it takes:
// a read that leaves room in the buffer got the rest (procfs stat/status are
// generated whole). Returns 0 or errno.
int ReadRelative(int dirfd, const char* rel, std::string* buf, const char** syscall) {
  UniqueFd fd(openat(dirfd, rel, O_RDONLY | O_CLOEXEC));
  if (!fd.Valid()) {
    *syscall = "openat";
    return errno;
  }
  if (buf->size() < 4096) buf->resize(4096);
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd.Get(), &(*buf)[len], buf->size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      *syscall = "read";
      return errno;
    }
    len += static_cast<size_t>(n);
    if (n == 0 || len < buf->size()) break;
    buf->resize(buf->size() * 2);
  }
  buf->resize(len);
  return 0;
}

// What the walk reads for which processes (shared read-only by the workers).
struct WalkConfig {
  std::string proc;
  std::vector<WalkFile> files;
  bool threads = true;
  double ownPidNs = -1;  // pid namespace inode whose processes need no NSpid (stat instead of status)
  bool comm = true;      // false: for those processes, no stat read (comm, kthread), threads from task/'s link count
  int pidIdx = -1;
};

// One worker's share of the walk: a contiguous run of pids and what it found.
struct WalkPart {
  const WalkConfig* cfg = nullptr;
  const int32_t* pids = nullptr;
  size_t count = 0;
  int procFd = -1;
  std::vector<Record> records;
  std::vector<double> inos;  // records.size() * files.size()
  std::vector<WalkError> errors;
  int64_t threadCount = 0;
  std::string text;  // stat/status buffer, reused
  std::string rel;   // path relative to /proc, reused

  void Report(int32_t pid, int err, const char* syscall, const std::string& relPath) {
    std::string path = cfg->proc + "/" + relPath;
    errors.push_back(WalkError{pid, SysError{err, syscall, "", path, path}});
  }

  // readlinkat(/proc, "<dir><file>") for every ns file into `out`. 1 ok, 0 gone
  // (its first link is missing: exited, a zombie, or a leader after
  // pthread_exit), -1 error (reported). Paths relative to the /proc fd: no
  // dirfd per process to open and close, which costs more than the lookups.
  int ReadLinks(int32_t pid, const std::string& dir, double* out) {
    char buf[64];
    const std::vector<WalkFile>& files = cfg->files;
    for (size_t i = 0; i < files.size(); i++) {
      rel.assign(dir).append(files[i].name);
      ssize_t n = readlinkat(procFd, rel.c_str(), buf, sizeof buf);
      if (n < 0) {
        int err = errno;
        out[i] = -1;
        if (Vanished(err)) {
          // Later links: exited meanwhile, or pid_for_children before any fork.
          if (i == 0) return 0;
          continue;
        }
        Report(pid, err, "readlinkat", rel);
        return -1;
      }
      out[i] = ParseNsIno(buf, static_cast<size_t>(n));
    }
    return 1;
  }

  // comm, thread count, kthread and NSpid from `<dir>stat` (in our pid
  // namespace) or `<dir>status`. false: the task exited meanwhile.
  bool ReadFacts(int32_t pid, const std::string& dir, bool useStat, Record* r) {
    rel.assign(dir).append(useStat ? "stat" : "status");
    const char* syscall = "";
    int err = ReadRelative(procFd, rel.c_str(), &text, &syscall);
    if (err != 0) {
      if (Vanished(err)) return false;
      Report(pid, err, syscall, rel);
      return true;  // listed without comm, like a process whose file does not parse
    }
    if (!(useStat ? ParseStat(text, r) : ParseStatus(text, r))) {
      r->comm.clear();
      r->threads = 1;
      r->nspid.clear();
    }
    if (useStat) r->nspid.clear();
    return true;
  }

  // The thread count without opening a file: /proc/PID/task's link count is
  // 2 + threads (proc_task_getattr), ~5 µs against ~25 µs for a stat read.
  // comm and kthread stay unknown. false: the process exited meanwhile.
  bool CountThreads(int32_t pid, const std::string& name, Record* r) {
    rel.assign(name).append("/task");
    struct stat st;
    r->kthread = 2;
    r->comm.clear();
    if (fstatat(procFd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (Vanished(errno)) return false;
      Report(pid, errno, "fstatat", rel);
      r->threads = 1;
      return true;
    }
    r->threads = st.st_nlink > 2 ? static_cast<int32_t>(std::min<nlink_t>(st.st_nlink - 2, INT32_MAX)) : 1;
    return true;
  }

  // Thread ids of `pid`, ascending; empty if it exited.
  std::vector<int32_t> Tasks(const std::string& pidName) {
    std::vector<int32_t> tids;
    rel.assign(pidName).append("/task");
    int fd = openat(procFd, rel.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return tids;
    const char* syscall = "";
    if (ListNumeric(fd, &tids, &syscall) != 0) tids.clear();  // exited while listed
    return tids;
  }

  void Run() {
    inos.reserve(count * cfg->files.size());
    records.reserve(count);
    for (size_t k = 0; k < count; k++) Process(pids[k]);
  }

  void Process(int32_t pid) {
    const size_t nFiles = cfg->files.size();
    const std::string name = std::to_string(pid);
    const size_t off = inos.size();
    inos.resize(off + nFiles, -1);
    Record r;
    r.pid = pid;
    r.lead = pid;

    int got = ReadLinks(pid, name + "/ns/", &inos[off]);
    if (got == 0) {
      // Exited, a zombie, or a leader that called pthread_exit while its other
      // threads live on: those threads still hold the process's namespaces.
      for (int32_t t : Tasks(name)) {
        if (t == pid) continue;
        r.lead = t;
        got = ReadLinks(pid, name + "/task/" + std::to_string(t) + "/ns/", &inos[off]);
        break;
      }
    }
    if (got != 1) {
      inos.resize(off);
      return;
    }
    // Facts of the thread group from /proc/PID even when a thread stands in
    // for its leader (the group's stat/status outlives the leader).
    double pidIno = cfg->pidIdx >= 0 ? inos[off + cfg->pidIdx] : -1;
    bool useStat = cfg->ownPidNs >= 0 && pidIno >= 0 && pidIno == cfg->ownPidNs;
    bool alive = useStat && !cfg->comm ? CountThreads(pid, name, &r) : ReadFacts(pid, name + "/", useStat, &r);
    if (!alive) {
      inos.resize(off);
      return;
    }
    bool ownLevel = useStat || r.nspid.size() <= 1;
    bool walkTasks = cfg->threads && (r.threads > 1 || r.lead != pid);
    int32_t lead = r.lead;
    records.push_back(std::move(r));
    if (walkTasks) Threads(pid, name, lead, off, ownLevel);
  }

  // Threads of `pid` whose namespaces differ from its row at `leadOff`.
  void Threads(int32_t pid, const std::string& name, int32_t lead, size_t leadOff, bool ownLevel) {
    const std::vector<WalkFile>& files = cfg->files;
    const size_t nFiles = files.size();
    std::vector<double> mine(nFiles);
    char buf[64];
    for (int32_t tid : Tasks(name)) {
      if (tid == pid || tid == lead) continue;
      threadCount++;
      const std::string dir = name + "/task/" + std::to_string(tid) + "/";
      bool differs = false;
      bool gone = false;
      for (size_t i = 0; i < nFiles; i++) {
        mine[i] = -1;
        const WalkFile& f = files[i];
        double leader = inos[leadOff + i];
        if (!f.perThread || leader < 0) continue;
        rel.assign(dir).append("ns/").append(f.name);
        ssize_t n = readlinkat(procFd, rel.c_str(), buf, sizeof buf);
        if (n < 0) {
          if (Vanished(errno)) {
            gone = true;  // the thread exited
            break;
          }
          // Same credentials as its leader, whose links we could read: only a
          // race (an exec changing them) gets here; the leader's answer stands.
          continue;
        }
        double ino = ParseNsIno(buf, static_cast<size_t>(n));
        if (ino < 0 || ino == leader) continue;
        if (f.childrenOf >= 0 && ino == inos[leadOff + f.childrenOf]) continue;  // its children stay in the process's own
        mine[i] = ino;
        differs = true;
      }
      if (gone || !differs) continue;
      Record t;
      t.pid = pid;
      t.tid = tid;
      t.lead = tid;
      if (!ReadFacts(pid, dir, ownLevel, &t)) continue;
      records.push_back(std::move(t));
      inos.insert(inos.end(), mine.begin(), mine.end());
    }
  }
};

void* RunPart(void* arg) {
  static_cast<WalkPart*>(arg)->Run();
  return nullptr;
}

// Below this many processes a second thread costs more than it saves.
constexpr size_t kPidsPerWorker = 256;
constexpr long kMaxWorkers = 4;

// The walk over every pid of cfg.proc, split into contiguous runs over
// `wantWorkers` threads (0: one per CPU, at most kMaxWorkers, one per
// kPidsPerWorker pids; the work is syscalls: it scales with cores). Parts
// come back in pid order. false: /proc itself could not be listed (`fatal`).
bool Walk(const WalkConfig& cfg, size_t wantWorkers, std::vector<WalkPart>* parts, SysError* fatal) {
  UniqueFd procFd(open(cfg.proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!procFd.Valid()) {
    *fatal = SysError{errno, "open", "", cfg.proc, cfg.proc};
    return false;
  }
  int listFd = openat(procFd.Get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listFd < 0) {
    *fatal = SysError{errno, "openat", "", cfg.proc, cfg.proc};
    return false;
  }
  std::vector<int32_t> pids;
  const char* syscall = "";
  int err = ListNumeric(listFd, &pids, &syscall);
  if (err != 0) {
    *fatal = SysError{err, syscall, "", cfg.proc, cfg.proc};
    return false;
  }
  size_t workers = wantWorkers;
  if (workers == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    workers = static_cast<size_t>(std::max(1L, std::min(cpus, kMaxWorkers)));
    workers = std::max<size_t>(1, std::min(workers, pids.size() / kPidsPerWorker));
  }
  workers = std::max<size_t>(1, std::min(workers, pids.size()));
  parts->resize(workers);
  for (size_t w = 0; w < workers; w++) {
    WalkPart& p = (*parts)[w];
    size_t begin = pids.size() * w / workers;
    size_t end = pids.size() * (w + 1) / workers;
    p.cfg = &cfg;
    p.pids = pids.data() + begin;
    p.count = end - begin;
    p.procFd = procFd.Get();
  }
  // Part 0 runs here; the others on threads. A thread that cannot be created
  // (EAGAIN under a pid limit) only costs time: its part runs here too.
  std::vector<pthread_t> tids(workers);
  std::vector<bool> started(workers, false);
  for (size_t w = 1; w < workers; w++) started[w] = pthread_create(&tids[w], nullptr, RunPart, &(*parts)[w]) == 0;
  (*parts)[0].Run();
  for (size_t w = 1; w < workers; w++) {
    if (started[w]) {
      pthread_join(tids[w], nullptr);
    } else {
      (*parts)[w].Run();
    }
  }
  return true;
}

const char* const kKnownFiles[] = {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
                                   "time", "time_for_children", "user", "uts"};

bool IsKnownFile(const std::string& name) {
  for (const char* k : kKnownFiles) {
    if (name == k) return true;
  }
  return false;
}

template <typename T, typename Arr>
Arr Copy(Napi::Env env, const std::vector<T>& v) {
  Arr out = Arr::New(env, v.size());
  if (!v.empty()) memcpy(out.Data(), v.data(), v.size() * sizeof(T));
  return out;
}

}  // namespace

Napi::Value ProcNsWalk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string proc;
  if (!GetPath(env, info.Length() > 0 ? info[0] : env.Undefined(), "procNsWalk(proc): proc", &proc)) {
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[1].IsArray()) {
    ThrowArgError(env, "procNsWalk(proc, files): files must be an array of ns file names");
    return env.Undefined();
  }
  Napi::Array input = info[1].As<Napi::Array>();
  std::vector<WalkFile> files;
  for (uint32_t i = 0; i < input.Length(); i++) {
    Napi::Value v = input.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();
    std::string name;
    if (!GetName(env, v, "procNsWalk(proc, files): files[" + std::to_string(i) + "]", &name)) return env.Undefined();
    if (!IsKnownFile(name)) {
      ThrowArgError(env, "procNsWalk(proc, files): files[" + std::to_string(i) + "] is not a /proc/PID/ns file: " + name);
      return env.Undefined();
    }
    bool perThread = name != "pid" && name != "time" && name != "user";
    files.push_back(WalkFile{name, perThread, -1});
  }
  for (WalkFile& f : files) {
    const std::string suffix = "_for_children";
    if (f.name.size() <= suffix.size() || f.name.compare(f.name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    std::string active = f.name.substr(0, f.name.size() - suffix.size());
    for (size_t j = 0; j < files.size(); j++) {
      if (files[j].name == active) f.childrenOf = static_cast<int>(j);
    }
  }
  if (info.Length() < 3 || !info[2].IsBoolean()) {
    ThrowArgError(env, "procNsWalk(proc, files, threads): threads must be a boolean");
    return env.Undefined();
  }
  bool threads = info[2].As<Napi::Boolean>().Value();
  int64_t ownPidNs = -1;
  if (!GetInteger(env, info.Length() > 3 ? info[3] : env.Undefined(), "procNsWalk(…, ownPidNs): ownPidNs", -1,
                  4294967295.0, &ownPidNs)) {
    return env.Undefined();
  }

  int64_t workers = 0;
  if (info.Length() > 4 && !info[4].IsUndefined() &&
      !GetInteger(env, info[4], "procNsWalk(…, workers): workers", 0, 64, &workers)) {
    return env.Undefined();
  }
  bool comm = true;
  if (info.Length() > 5 && !info[5].IsUndefined()) {
    if (!info[5].IsBoolean()) {
      ThrowArgError(env, "procNsWalk(…, comm): comm must be a boolean");
      return env.Undefined();
    }
    comm = info[5].As<Napi::Boolean>().Value();
  }
  WalkConfig cfg;
  cfg.comm = comm;
  cfg.proc = proc;
  cfg.files = std::move(files);
  cfg.threads = threads;
  cfg.ownPidNs = static_cast<double>(ownPidNs);
  for (size_t i = 0; i < cfg.files.size(); i++) {
    if (cfg.files[i].name == "pid") cfg.pidIdx = static_cast<int>(i);
  }
  std::vector<WalkPart> parts;
  SysError fatal;
  if (!Walk(cfg, static_cast<size_t>(workers), &parts, &fatal)) {
    ThrowSysError(env, fatal);
    return env.Undefined();
  }

  size_t n = 0;
  size_t nErrors = 0;
  int64_t threadCount = 0;
  for (const WalkPart& p : parts) {
    n += p.records.size();
    nErrors += p.errors.size();
    threadCount += p.threadCount;
  }
  std::vector<int32_t> pid, tid, lead, threadsOf, nspidStart, nspid;
  std::vector<uint8_t> kthread;
  std::vector<double> inos;
  pid.reserve(n);
  tid.reserve(n);
  lead.reserve(n);
  threadsOf.reserve(n);
  kthread.reserve(n);
  nspidStart.reserve(n + 1);
  inos.reserve(n * cfg.files.size());
  Napi::Array comms = Napi::Array::New(env, n);
  Napi::Array errors = Napi::Array::New(env, nErrors);
  uint32_t row = 0;
  uint32_t errRow = 0;
  for (const WalkPart& p : parts) {
    for (const Record& r : p.records) {
      pid.push_back(r.pid);
      tid.push_back(r.tid);
      lead.push_back(r.lead);
      threadsOf.push_back(r.threads);
      kthread.push_back(r.kthread);
      nspidStart.push_back(static_cast<int32_t>(nspid.size()));
      nspid.insert(nspid.end(), r.nspid.begin(), r.nspid.end());
      comms.Set(row++, Napi::String::New(env, r.comm));
    }
    inos.insert(inos.end(), p.inos.begin(), p.inos.end());
    for (const WalkError& e : p.errors) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("pid", Napi::Number::New(env, e.pid));
      o.Set("code", Napi::String::New(env, ErrnoName(e.error.err)));
      o.Set("message", Napi::String::New(env, FormatMessage(e.error)));
      errors.Set(errRow++, o);
    }
  }
  nspidStart.push_back(static_cast<int32_t>(nspid.size()));

  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Copy<int32_t, Napi::Int32Array>(env, pid));
  out.Set("tid", Copy<int32_t, Napi::Int32Array>(env, tid));
  out.Set("lead", Copy<int32_t, Napi::Int32Array>(env, lead));
  out.Set("threads", Copy<int32_t, Napi::Int32Array>(env, threadsOf));
  out.Set("kthread", Copy<uint8_t, Napi::Uint8Array>(env, kthread));
  out.Set("inos", Copy<double, Napi::Float64Array>(env, inos));
  out.Set("nspidStart", Copy<int32_t, Napi::Int32Array>(env, nspidStart));
  out.Set("nspid", Copy<int32_t, Napi::Int32Array>(env, nspid));
  out.Set("comm", comms);
  out.Set("threadCount", Napi::Number::New(env, static_cast<double>(threadCount)));
  out.Set("errors", errors);
  return out;
}

}  // namespace berth
