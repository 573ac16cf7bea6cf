#include "spec.h"

#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include <initializer_list>

#include "json.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

namespace berth::monitor {

namespace {

const char* const kCapNames[] = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",    "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",          "CAP_KILL",            "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",         "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",       "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",        "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",           "CAP_AUDIT_WRITE",     "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",       "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",      "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
static_assert(sizeof kCapNames / sizeof kCapNames[0] == kMaxKnownCap + 1, "capability table");

struct RlimitName {
  const char* name;
  int resource;
};
const RlimitName kRlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

struct NsName {
  const char* name;
  int flag;
};
const NsName kNamespaces[] = {
    {"pid", CLONE_NEWPID},   {"network", CLONE_NEWNET},   {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},       {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

// Decodes one document, remembering the file name for messages. Every Get*
// takes the JSON path of the field ("process.args[0]") for its error.
class Decoder {
 public:
  Decoder(std::string file, Error* error) : file_(std::move(file)), error_(error) {}

  bool Fail(const std::string& path, const std::string& message) {
    *error_ = InvalidError("spec", file_ + (path.empty() ? "" : ": " + path), message);
    return false;
  }

  bool Parse(std::string_view text, json::Value* root) {
    json::ParseError pe;
    if (!json::Parse(text, root, &pe)) {
      *error_ = InvalidError("spec", file_, "invalid JSON at " + pe.ToString());
      return false;
    }
    return true;
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string Index(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  bool Type(const json::Value& v, json::Kind kind, const std::string& path) {
    if (v.kind == kind) return true;
    return Fail(path, std::string("must be ") + (kind == json::Kind::Array || kind == json::Kind::Object ? "an " : "a ") +
                          json::KindName(kind) + ", not " + json::KindName(v.kind));
  }

  // An object whose keys all belong to `allowed`.
  bool Object(const json::Value& v, const std::string& path, std::initializer_list<const char*> allowed) {
    if (!Type(v, json::Kind::Object, path)) return false;
    for (const auto& m : v.members) {
      bool ok = false;
      for (const char* a : allowed) {
        if (m.first == a) {
          ok = true;
          break;
        }
      }
      if (!ok) return Fail(Join(path, m.first), "unknown field");
    }
    return true;
  }

  const json::Value* Field(const json::Value& obj, const char* key, bool required, const std::string& path) {
    const json::Value* v = obj.Find(key);
    if (v == nullptr && required) Fail(Join(path, key), "required field is missing");
    return v;
  }

  bool String(const json::Value& v, const std::string& path, std::string* out, bool allowEmpty = false) {
    if (!Type(v, json::Kind::String, path)) return false;
    if (memchr(v.text.data(), '\0', v.text.size()) != nullptr) return Fail(path, "must not contain NUL characters");
    if (!allowEmpty && v.text.empty()) return Fail(path, "must not be empty");
    *out = v.text;
    return true;
  }

  bool AbsPath(const json::Value& v, const std::string& path, std::string* out) {
    if (!String(v, path, out)) return false;
    if ((*out)[0] != '/') return Fail(path, "must be an absolute path, got " + json::Quote(*out));
    if (out->size() >= PATH_MAX) return Fail(path, "path is too long");
    return true;
  }

  bool Bool(const json::Value& v, const std::string& path, bool* out) {
    if (!Type(v, json::Kind::Bool, path)) return false;
    *out = v.boolean;
    return true;
  }

  bool U64(const json::Value& v, const std::string& path, uint64_t max, uint64_t* out) {
    if (!Type(v, json::Kind::Number, path)) return false;
    uint64_t n;
    if (!json::ToU64(v.text, &n)) return Fail(path, "must be a non-negative integer, got " + v.text);
    if (n > max) return Fail(path, "must be at most " + std::to_string(max) + ", got " + v.text);
    *out = n;
    return true;
  }

  bool U32(const json::Value& v, const std::string& path, uint32_t max, uint32_t* out) {
    uint64_t n;
    if (!U64(v, path, max, &n)) return false;
    *out = static_cast<uint32_t>(n);
    return true;
  }

  // A limit: a non-negative integer; 2^63 and above (including values past
  // 2^64-1, such as JavaScript's JSON for 2**64) mean RLIM_INFINITY, so a JS
  // helper need not print 18446744073709551615 exactly.
  bool RlimitValue(const json::Value& v, const std::string& path, uint64_t* out) {
    if (!Type(v, json::Kind::Number, path)) return false;
    const std::string& t = v.text;
    bool digits = !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) return Fail(path, "must be a non-negative integer, got " + t);
    uint64_t n;
    if (!json::ToU64(t, &n) || n >= (uint64_t{1} << 63)) n = UINT64_MAX;
    *out = n;
    return true;
  }

  template <typename F>
  bool Array(const json::Value& v, const std::string& path, F each) {
    if (!Type(v, json::Kind::Array, path)) return false;
    for (size_t i = 0; i < v.items.size(); i++) {
      if (!each(v.items[i], Index(path, i))) return false;
    }
    return true;
  }

  bool StringArray(const json::Value& v, const std::string& path, std::vector<std::string>* out,
                   bool absolute) {
    out->clear();
    return Array(v, path, [&](const json::Value& item, const std::string& p) {
      std::string s;
      if (absolute ? !AbsPath(item, p, &s) : !String(item, p, &s, true)) return false;
      out->push_back(std::move(s));
      return true;
    });
  }

  // Berth's "cgroupPool": {"name": ".standby-…", "procs": ["/abs/cgroup.procs", …]}.
  bool CgroupPoolObject(const json::Value& v, const std::string& path, CgroupPool* out) {
    if (!Object(v, path, {"name", "procs"})) return false;
    const json::Value* f;
    if (!(f = Field(v, "name", true, path)) || !String(*f, Join(path, "name"), &out->name)) return false;
    if (out->name.find('/') != std::string::npos) return Fail(Join(path, "name"), "must not contain '/'");
    if (!(f = Field(v, "procs", true, path)) || !StringArray(*f, Join(path, "procs"), &out->procs, true)) return false;
    out->present = true;
    return true;
  }

  // Berth's "seccomp": {"filter": "/abs/path.bpf"}.
  bool SeccompObject(const json::Value& v, const std::string& path, std::string* filter) {
    if (!Object(v, path, {"filter"})) return false;
    const json::Value* f;
    if (!(f = Field(v, "filter", true, path))) return false;
    return AbsPath(*f, Join(path, "filter"), filter);
  }

  bool Capabilities(const json::Value& v, const std::string& path, CapSets* caps) {
    if (!Object(v, path, {"bounding", "effective", "permitted", "inheritable", "ambient"})) return false;
    struct {
      const char* key;
      uint64_t* mask;
    } sets[] = {{"bounding", &caps->bounding},
                {"effective", &caps->effective},
                {"permitted", &caps->permitted},
                {"inheritable", &caps->inheritable},
                {"ambient", &caps->ambient}};
    for (auto& set : sets) {
      *set.mask = 0;
      const json::Value* list = v.Find(set.key);
      if (list == nullptr) continue;
      bool ok = Array(*list, Join(path, set.key), [&](const json::Value& item, const std::string& p) {
        std::string name;
        if (!String(item, p, &name)) return false;
        int n = CapabilityNumber(name);
        if (n < 0) return Fail(p, "unknown capability " + json::Quote(name));
        *set.mask |= uint64_t{1} << n;
        return true;
      });
      if (!ok) return false;
    }
    return true;
  }

  bool ProcessObject(const json::Value& v, const std::string& path, bool forExec, Process* p) {
    if (!Object(v, path,
                {"args", "env", "cwd", "user", "terminal", "consoleSize", "openStdin", "rlimits",
                 "noNewPrivileges", "capabilities"})) {
      return false;
    }
    const json::Value* f;

    if (!(f = Field(v, "args", true, path))) return false;
    if (!StringArray(*f, Join(path, "args"), &p->args, false)) return false;
    if (p->args.empty()) return Fail(Join(path, "args"), "must not be empty");
    if (p->args[0].empty()) return Fail(Join(path, "args[0]"), "must not be empty");

    if ((f = v.Find("env"))) {
      if (!StringArray(*f, Join(path, "env"), &p->env, false)) return false;
      for (size_t i = 0; i < p->env.size(); i++) {
        size_t eq = p->env[i].find('=');
        if (eq == std::string::npos || eq == 0) {
          return Fail(Index(Join(path, "env"), i), "must be KEY=VALUE, got " + json::Quote(p->env[i]));
        }
      }
    }

    if (!(f = Field(v, "cwd", true, path))) return false;
    if (!AbsPath(*f, Join(path, "cwd"), &p->cwd)) return false;

    if (!(f = Field(v, "user", true, path))) return false;
    {
      std::string up = Join(path, "user");
      if (!Object(*f, up, {"uid", "gid", "additionalGids", "umask"})) return false;
      const json::Value* u;
      // (uid_t)-1 means "unchanged" to the set*id calls: not a valid id.
      if (!(u = Field(*f, "uid", true, up)) || !U32(*u, Join(up, "uid"), 0xFFFFFFFEu, &p->user.uid)) return false;
      if (!(u = Field(*f, "gid", true, up)) || !U32(*u, Join(up, "gid"), 0xFFFFFFFEu, &p->user.gid)) return false;
      if ((u = f->Find("additionalGids"))) {
        bool ok = Array(*u, Join(up, "additionalGids"), [&](const json::Value& item, const std::string& ip) {
          uint32_t g;
          if (!U32(item, ip, 0xFFFFFFFEu, &g)) return false;
          p->user.additionalGids.push_back(g);
          return true;
        });
        if (!ok) return false;
        if (p->user.additionalGids.size() > 65536) return Fail(Join(up, "additionalGids"), "too many groups");
      }
      if ((u = f->Find("umask")) && !U32(*u, Join(up, "umask"), 0777, &p->user.umask)) return false;
    }

    if ((f = v.Find("terminal")) && !Bool(*f, Join(path, "terminal"), &p->terminal)) return false;
    if ((f = v.Find("consoleSize"))) {
      std::string cp = Join(path, "consoleSize");
      if (!Object(*f, cp, {"height", "width"})) return false;
      const json::Value* c;
      uint32_t h, w;
      if (!(c = Field(*f, "height", true, cp)) || !U32(*c, Join(cp, "height"), 0xFFFF, &h)) return false;
      if (!(c = Field(*f, "width", true, cp)) || !U32(*c, Join(cp, "width"), 0xFFFF, &w)) return false;
      p->hasConsoleSize = true;
      p->consoleHeight = static_cast<uint16_t>(h);
      p->consoleWidth = static_cast<uint16_t>(w);
    }
    if ((f = v.Find("openStdin"))) {
      if (forExec) return Fail(Join(path, "openStdin"), "not allowed in an exec spec (stdin is the monitor's own)");
      if (!Bool(*f, Join(path, "openStdin"), &p->openStdin)) return false;
    }
    if ((f = v.Find("rlimits"))) {
      bool ok = Array(*f, Join(path, "rlimits"), [&](const json::Value& item, const std::string& rp) {
        if (!Object(item, rp, {"type", "hard", "soft"})) return false;
        const json::Value* r;
        Rlimit rl;
        if (!(r = Field(item, "type", true, rp)) || !String(*r, Join(rp, "type"), &rl.name)) return false;
        rl.resource = -1;
        for (const auto& known : kRlimits) {
          if (rl.name == known.name) rl.resource = known.resource;
        }
        if (rl.resource < 0) return Fail(Join(rp, "type"), "unknown rlimit " + json::Quote(rl.name));
        for (const auto& prev : p->rlimits) {
          if (prev.resource == rl.resource) return Fail(Join(rp, "type"), "duplicate rlimit " + json::Quote(rl.name));
        }
        if (!(r = Field(item, "hard", true, rp)) || !RlimitValue(*r, Join(rp, "hard"), &rl.hard)) return false;
        if (!(r = Field(item, "soft", true, rp)) || !RlimitValue(*r, Join(rp, "soft"), &rl.soft)) return false;
        if (rl.soft > rl.hard) return Fail(rp, "soft limit is above the hard limit");
        p->rlimits.push_back(rl);
        return true;
      });
      if (!ok) return false;
    }
    if ((f = v.Find("noNewPrivileges")) && !Bool(*f, Join(path, "noNewPrivileges"), &p->noNewPrivileges)) {
      return false;
    }
    // Required: a missing set would otherwise have to mean either "keep
    // everything" (runc) or "drop everything"; the helper must say which.
    if (!(f = Field(v, "capabilities", true, path))) return false;
    if (!Capabilities(*f, Join(path, "capabilities"), &p->caps)) return false;
    const CapSets& c = p->caps;
    if ((c.effective & ~c.permitted) != 0) {
      return Fail(Join(path, "capabilities.effective"), "must be a subset of permitted");
    }
    if ((c.ambient & ~(c.permitted & c.inheritable)) != 0) {
      return Fail(Join(path, "capabilities.ambient"), "must be a subset of both permitted and inheritable");
    }
    if ((c.permitted & ~c.bounding) != 0) {
      return Fail(Join(path, "capabilities.permitted"), "must be a subset of bounding");
    }
    if (p->openStdin && p->terminal) {
      return Fail(Join(path, "openStdin"), "not allowed with terminal (the terminal is the stdin)");
    }
    return true;
  }

  bool IdMappings(const json::Value& v, const std::string& path, std::vector<IdMapping>* out) {
    return Array(v, path, [&](const json::Value& item, const std::string& mp) {
      if (!Object(item, mp, {"containerID", "hostID", "size"})) return false;
      IdMapping m;
      const json::Value* f;
      if (!(f = Field(item, "containerID", true, mp)) || !U32(*f, Join(mp, "containerID"), 0xFFFFFFFEu, &m.containerId)) return false;
      if (!(f = Field(item, "hostID", true, mp)) || !U32(*f, Join(mp, "hostID"), 0xFFFFFFFEu, &m.hostId)) return false;
      if (!(f = Field(item, "size", true, mp)) || !U32(*f, Join(mp, "size"), 0xFFFFFFFFu, &m.size)) return false;
      if (m.size == 0) return Fail(Join(mp, "size"), "must be at least 1");
      out->push_back(m);
      return true;
    });
  }

  bool Linux(const json::Value& v, const std::string& path, Spec* s) {
    if (!Object(v, path, {"namespaces", "uidMappings", "gidMappings", "maskedPaths", "readonlyPaths", "devices"})) {
      return false;
    }
    const json::Value* f;
    if (!(f = Field(v, "namespaces", true, path))) return false;
    bool ok = Array(*f, Join(path, "namespaces"), [&](const json::Value& item, const std::string& np) {
      if (!Object(item, np, {"type", "path"})) return false;
      Namespace ns;
      const json::Value* t;
      if (!(t = Field(item, "type", true, np)) || !String(*t, Join(np, "type"), &ns.type)) return false;
      for (const auto& known : kNamespaces) {
        if (ns.type == known.name) ns.flag = known.flag;
      }
      if (ns.flag == 0) {
        return Fail(Join(np, "type"), "unknown namespace type " + json::Quote(ns.type) +
                                          " (OCI names: pid, network, mount, ipc, uts, user, cgroup, time)");
      }
      if (s->FindNamespace(ns.flag)) return Fail(Join(np, "type"), "duplicate namespace type " + json::Quote(ns.type));
      if ((t = item.Find("path"))) {
        if (!AbsPath(*t, Join(np, "path"), &ns.path)) return false;
        // Joining works for these in the child after clone, and for pid in
        // the monitor before it (setns(pid) applies to children: a pod's
        // shared pid namespace); time would need the same and is not
        // asked for, mount and user would replace what the child must own.
        if (ns.flag == CLONE_NEWNS || ns.flag == CLONE_NEWUSER || ns.flag == CLONE_NEWTIME) {
          return Fail(Join(np, "path"), "joining an existing " + ns.type +
                                             " namespace is not supported (only pid, network, ipc, uts, cgroup)");
        }
      }
      s->namespaces.push_back(ns);
      return true;
    });
    if (!ok) return false;
    if (!s->Creates(CLONE_NEWNS)) {
      return Fail(Join(path, "namespaces"), "a new mount namespace ({\"type\":\"mount\"}) is required");
    }
    if ((f = v.Find("uidMappings")) && !IdMappings(*f, Join(path, "uidMappings"), &s->uidMappings)) return false;
    if ((f = v.Find("gidMappings")) && !IdMappings(*f, Join(path, "gidMappings"), &s->gidMappings)) return false;
    bool userns = s->Creates(CLONE_NEWUSER);
    if (userns && (s->uidMappings.empty() || s->gidMappings.empty())) {
      return Fail(path, "a user namespace needs uidMappings and gidMappings");
    }
    if (!userns && (!s->uidMappings.empty() || !s->gidMappings.empty())) {
      return Fail(path, "uidMappings/gidMappings need a new user namespace");
    }
    if (s->uidMappings.size() > 340 || s->gidMappings.size() > 340) {
      return Fail(path, "at most 340 id mapping lines are allowed by the kernel");
    }
    if ((f = v.Find("maskedPaths")) && !StringArray(*f, Join(path, "maskedPaths"), &s->maskedPaths, true)) return false;
    if ((f = v.Find("readonlyPaths")) && !StringArray(*f, Join(path, "readonlyPaths"), &s->readonlyPaths, true)) {
      return false;
    }
    if ((f = v.Find("devices")) && !Devices(*f, Join(path, "devices"), &s->devices)) return false;
    return true;
  }

  bool Devices(const json::Value& v, const std::string& path, std::vector<DeviceNode>* out) {
    return Array(v, path, [&](const json::Value& item, const std::string& dp) {
      if (!Object(item, dp, {"path", "type", "major", "minor", "fileMode", "uid", "gid"})) return false;
      DeviceNode d;
      const json::Value* f;
      std::string type;
      if (!(f = Field(item, "path", true, dp)) || !AbsPath(*f, Join(dp, "path"), &d.path)) return false;
      if (d.path == "/" || d.path == "/dev") return Fail(Join(dp, "path"), "a device node cannot replace " + d.path);
      if (!(f = Field(item, "type", true, dp)) || !String(*f, Join(dp, "type"), &type)) return false;
      if (type != "c" && type != "b") return Fail(Join(dp, "type"), "must be \"c\" or \"b\" (got " + json::Quote(type) + ")");
      d.type = type[0];
      // The kernel's dev_t: 12 bits of major, 20 of minor.
      if (!(f = Field(item, "major", true, dp)) || !U32(*f, Join(dp, "major"), 4095, &d.major)) return false;
      if (!(f = Field(item, "minor", true, dp)) || !U32(*f, Join(dp, "minor"), 1048575, &d.minor)) return false;
      if ((f = item.Find("fileMode")) && !U32(*f, Join(dp, "fileMode"), 07777, &d.fileMode)) return false;
      if ((f = item.Find("uid")) && !U32(*f, Join(dp, "uid"), 0xFFFFFFFEu, &d.uid)) return false;
      if ((f = item.Find("gid")) && !U32(*f, Join(dp, "gid"), 0xFFFFFFFEu, &d.gid)) return false;
      if (out->size() >= 4096) return Fail(path, "at most 4096 devices");
      out->push_back(d);
      return true;
    });
  }

  bool Mounts(const json::Value& v, const std::string& path, std::vector<Mount>* out) {
    return Array(v, path, [&](const json::Value& item, const std::string& mp) {
      if (!Object(item, mp, {"destination", "type", "source", "options"})) return false;
      Mount m;
      const json::Value* f;
      if (!(f = Field(item, "destination", true, mp)) || !AbsPath(*f, Join(mp, "destination"), &m.destination)) return false;
      if ((f = item.Find("type")) && !String(*f, Join(mp, "type"), &m.type)) return false;
      if ((f = item.Find("source")) && !String(*f, Join(mp, "source"), &m.source)) return false;
      if ((f = item.Find("options")) && !StringArray(*f, Join(mp, "options"), &m.options, false)) return false;
      bool bind = m.type == "bind";
      for (const auto& o : m.options) bind = bind || o == "bind" || o == "rbind";
      if (bind && (m.source.empty() || m.source[0] != '/')) {
        return Fail(Join(mp, "source"), "a bind mount needs an absolute source path");
      }
      if (!bind && m.type.empty()) return Fail(Join(mp, "type"), "required for a mount that is not a bind");
      out->push_back(std::move(m));
      return true;
    });
  }

  bool Root(const json::Value& v, const std::string& path, Spec* s) {
    if (!Object(v, path, {"path", "readonly"})) return false;
    const json::Value* f;
    if (!(f = Field(v, "path", true, path)) || !AbsPath(*f, Join(path, "path"), &s->rootPath)) return false;
    if (s->rootPath == "/") return Fail(Join(path, "path"), "must not be the host's /");
    if ((f = v.Find("readonly")) && !Bool(*f, Join(path, "readonly"), &s->rootReadonly)) return false;
    return true;
  }

  bool OverlayObject(const json::Value& v, const std::string& path, Overlay* o) {
    if (!Object(v, path, {"lowerdirs", "upperdir", "workdir", "method"})) return false;
    const json::Value* f;
    if (!(f = Field(v, "lowerdirs", true, path)) || !StringArray(*f, Join(path, "lowerdirs"), &o->lowerdirs, true)) {
      return false;
    }
    if (o->lowerdirs.empty()) return Fail(Join(path, "lowerdirs"), "must not be empty");
    if (o->lowerdirs.size() > 500) return Fail(Join(path, "lowerdirs"), "overlayfs allows at most 500 layers");
    if (!(f = Field(v, "upperdir", true, path)) || !AbsPath(*f, Join(path, "upperdir"), &o->upperdir)) return false;
    if (!(f = Field(v, "workdir", true, path)) || !AbsPath(*f, Join(path, "workdir"), &o->workdir)) return false;
    if ((f = v.Find("method"))) {
      std::string method;
      if (!String(*f, Join(path, "method"), &method)) return false;
      if (method != "auto" && method != "legacy") {
        return Fail(Join(path, "method"), "must be \"auto\" or \"legacy\", got " + json::Quote(method));
      }
      o->legacyMount = method == "legacy";
    }
    o->present = true;
    return true;
  }

  bool Log(const json::Value& v, const std::string& path, LogConfig* l) {
    if (!Object(v, path, {"path", "maxBytes", "maxFiles"})) return false;
    const json::Value* f;
    if (!(f = Field(v, "path", true, path)) || !AbsPath(*f, Join(path, "path"), &l->path)) return false;
    if ((f = v.Find("maxBytes")) && !U64(*f, Join(path, "maxBytes"), uint64_t{1} << 50, &l->maxBytes)) return false;
    if ((f = v.Find("maxFiles"))) {
      if (!U32(*f, Join(path, "maxFiles"), 1000, &l->maxFiles)) return false;
      if (l->maxFiles == 0) return Fail(Join(path, "maxFiles"), "must be at least 1");
    }
    return true;
  }

  bool Annotations(const json::Value& v, const std::string& path) {
    if (!Type(v, json::Kind::Object, path)) return false;
    for (const auto& m : v.members) {
      if (!Type(m.second, json::Kind::String, Join(path, m.first))) return false;
    }
    return true;
  }

 private:
  std::string file_;
  Error* error_;
};

}  // namespace

const Namespace* Spec::FindNamespace(int flag) const {
  for (const auto& ns : namespaces) {
    if (ns.flag == flag) return &ns;
  }
  return nullptr;
}

bool Spec::Creates(int flag) const {
  const Namespace* ns = FindNamespace(flag);
  return ns != nullptr && ns->path.empty();
}

int CapabilityNumber(std::string_view name) {
  for (int i = 0; i <= kMaxKnownCap; i++) {
    if (name == kCapNames[i]) return i;
  }
  return -1;
}

const char* CapabilityName(int cap) {
  return cap >= 0 && cap <= kMaxKnownCap ? kCapNames[cap] : nullptr;
}

bool ParseSpec(std::string_view text, const std::string& file, Spec* out, Error* error) {
  *out = Spec();
  Decoder d(file, error);
  json::Value root;
  if (!d.Parse(text, &root)) return false;
  if (!d.Object(root, "",
                {"ociVersion", "process", "hostname", "root", "overlay", "mounts", "linux", "cgroupProcs",
                 "cgroupInto", "cgroupPool", "monitorCgroupProcs", "log", "annotations", "seccomp", "trace"})) {
    return false;
  }
  const json::Value* f;
  std::string ignored;
  if ((f = root.Find("ociVersion")) && !d.String(*f, "ociVersion", &ignored, true)) return false;
  if (!(f = d.Field(root, "process", true, "")) || !d.ProcessObject(*f, "process", false, &out->process)) return false;
  if (!(f = d.Field(root, "root", true, "")) || !d.Root(*f, "root", out)) return false;
  if ((f = root.Find("overlay")) && !d.OverlayObject(*f, "overlay", &out->overlay)) return false;
  if ((f = root.Find("mounts")) && !d.Mounts(*f, "mounts", &out->mounts)) return false;
  if (!(f = d.Field(root, "linux", true, "")) || !d.Linux(*f, "linux", out)) return false;
  if ((f = root.Find("hostname"))) {
    if (!d.String(*f, "hostname", &out->hostname)) return false;
    if (out->hostname.size() > 64) return d.Fail("hostname", "must be at most 64 bytes");
    if (!out->Creates(CLONE_NEWUTS)) return d.Fail("hostname", "needs a new uts namespace");
    out->hasHostname = true;
  }
  if ((f = root.Find("cgroupProcs")) && !d.StringArray(*f, "cgroupProcs", &out->cgroupProcs, true)) return false;
  if ((f = root.Find("cgroupInto")) && !d.AbsPath(*f, "cgroupInto", &out->cgroupInto)) return false;
  if ((f = root.Find("cgroupPool")) && !d.CgroupPoolObject(*f, "cgroupPool", &out->cgroupPool)) return false;
  if ((f = root.Find("monitorCgroupProcs")) &&
      !d.StringArray(*f, "monitorCgroupProcs", &out->monitorCgroupProcs, true)) {
    return false;
  }
  if (!(f = d.Field(root, "log", true, "")) || !d.Log(*f, "log", &out->log)) return false;
  if ((f = root.Find("annotations")) && !d.Annotations(*f, "annotations")) return false;
  if ((f = root.Find("seccomp")) && !d.SeccompObject(*f, "seccomp", &out->seccompFilter)) return false;
  if ((f = root.Find("trace")) && !d.Bool(*f, "trace", &out->trace)) return false;
  return true;
}

bool ParseExecSpec(std::string_view text, const std::string& file, ExecSpec* out, Error* error) {
  *out = ExecSpec();
  Decoder d(file, error);
  json::Value root;
  if (!d.Parse(text, &root)) return false;
  if (!d.Object(root, "", {"process", "cgroupProcs", "seccomp"})) return false;
  const json::Value* f;
  if (!(f = d.Field(root, "process", true, "")) || !d.ProcessObject(*f, "process", true, &out->process)) return false;
  if ((f = root.Find("cgroupProcs")) && !d.StringArray(*f, "cgroupProcs", &out->cgroupProcs, true)) return false;
  if ((f = root.Find("seccomp")) && !d.SeccompObject(*f, "seccomp", &out->seccompFilter)) return false;
  return true;
}

}  // namespace berth::monitor
