#include "seccomp_profile.h"

#include <errno.h>
#include <string.h>

#include <initializer_list>
#include <utility>

#include "json.h"

namespace berth::monitor {

namespace {

struct ActionName {
  const char* name;
  SeccompAction action;
};
const ActionName kActions[] = {
    {"SCMP_ACT_KILL", SeccompAction::kKillThread},  // the OCI name for KILL_THREAD
    {"SCMP_ACT_KILL_THREAD", SeccompAction::kKillThread},
    {"SCMP_ACT_KILL_PROCESS", SeccompAction::kKillProcess},
    {"SCMP_ACT_TRAP", SeccompAction::kTrap},
    {"SCMP_ACT_ERRNO", SeccompAction::kErrno},
    {"SCMP_ACT_TRACE", SeccompAction::kTrace},
    {"SCMP_ACT_ALLOW", SeccompAction::kAllow},
    {"SCMP_ACT_LOG", SeccompAction::kLog},
};

struct OpName {
  const char* name;
  SeccompOp op;
};
const OpName kOps[] = {
    {"SCMP_CMP_NE", SeccompOp::kNe}, {"SCMP_CMP_LT", SeccompOp::kLt}, {"SCMP_CMP_LE", SeccompOp::kLe},
    {"SCMP_CMP_EQ", SeccompOp::kEq}, {"SCMP_CMP_GE", SeccompOp::kGe}, {"SCMP_CMP_GT", SeccompOp::kGt},
    {"SCMP_CMP_MASKED_EQ", SeccompOp::kMaskedEq},
};

constexpr size_t kMaxRules = 4096;
constexpr size_t kMaxNames = 4096;
constexpr uint32_t kMaxErrno = 4095;  // MAX_ERRNO: SECCOMP_RET_DATA of an errno return

class Decoder {
 public:
  explicit Decoder(Error* error) : error_(error) {}

  bool Fail(const std::string& path, const std::string& message) {
    *error_ = InvalidError("seccomp", "seccomp profile" + (path.empty() ? "" : ": " + path), message);
    return false;
  }

  static std::string Join(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }
  static std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

  bool Object(const json::Value& v, const std::string& path, std::initializer_list<const char*> allowed) {
    if (v.kind != json::Kind::Object) return Fail(path, "must be an object");
    for (const auto& m : v.members) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || m.first == a;
      if (!ok) return Fail(Join(path, m.first.c_str()), "unknown field");
    }
    return true;
  }

  bool String(const json::Value& v, const std::string& path, std::string* out) {
    if (v.kind != json::Kind::String) return Fail(path, "must be a string");
    if (v.text.empty() || memchr(v.text.data(), '\0', v.text.size()) != nullptr) {
      return Fail(path, "must be a non-empty string without NUL");
    }
    *out = v.text;
    return true;
  }

  bool U64(const json::Value& v, const std::string& path, uint64_t max, uint64_t* out) {
    if (v.kind != json::Kind::Number || !json::ToU64(v.text, out)) {
      return Fail(path, "must be a non-negative integer below 2^64");
    }
    if (*out > max) return Fail(path, "must be at most " + std::to_string(max));
    return true;
  }

  bool Action(const json::Value& v, const std::string& path, SeccompAction* out) {
    std::string name;
    if (!String(v, path, &name)) return false;
    for (const auto& a : kActions) {
      if (name == a.name) {
        *out = a.action;
        return true;
      }
    }
    return Fail(path, "unknown action " + json::Quote(name) + " (SCMP_ACT_NOTIFY is not supported)");
  }

  bool Arg(const json::Value& v, const std::string& path, SeccompArg* out) {
    if (!Object(v, path, {"index", "value", "valueTwo", "op"})) return false;
    const json::Value* f;
    uint64_t n = 0;
    if (!(f = v.Find("index"))) return Fail(Join(path, "index"), "required field is missing");
    if (!U64(*f, Join(path, "index"), 5, &n)) return false;
    out->index = static_cast<uint32_t>(n);
    if ((f = v.Find("value")) && !U64(*f, Join(path, "value"), UINT64_MAX, &out->value)) return false;
    if ((f = v.Find("valueTwo")) && !U64(*f, Join(path, "valueTwo"), UINT64_MAX, &out->valueTwo)) return false;
    if (!(f = v.Find("op"))) return Fail(Join(path, "op"), "required field is missing");
    std::string op;
    if (!String(*f, Join(path, "op"), &op)) return false;
    for (const auto& o : kOps) {
      if (op == o.name) {
        out->op = o.op;
        return true;
      }
    }
    return Fail(Join(path, "op"), "unknown operator " + json::Quote(op));
  }

  bool Rule(const json::Value& v, const std::string& path, SeccompRule* out) {
    if (!Object(v, path, {"names", "action", "errnoRet", "args"})) return false;
    const json::Value* f;
    if (!(f = v.Find("names")) || f->kind != json::Kind::Array || f->items.empty()) {
      return Fail(Join(path, "names"), "must be a non-empty array of syscall names");
    }
    if (f->items.size() > kMaxNames) return Fail(Join(path, "names"), "too many names");
    for (size_t i = 0; i < f->items.size(); i++) {
      std::string name;
      if (!String(f->items[i], Index(Join(path, "names"), i), &name)) return false;
      out->names.push_back(std::move(name));
    }
    if (!(f = v.Find("action"))) return Fail(Join(path, "action"), "required field is missing");
    if (!Action(*f, Join(path, "action"), &out->action)) return false;
    out->errnoRet = out->action == SeccompAction::kErrno ? EPERM : 0;
    if ((f = v.Find("errnoRet"))) {
      if (out->action != SeccompAction::kErrno && out->action != SeccompAction::kTrace) {
        return Fail(Join(path, "errnoRet"), "only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
      }
      uint64_t n = 0;
      if (!U64(*f, Join(path, "errnoRet"), kMaxErrno, &n)) return false;
      out->errnoRet = static_cast<uint32_t>(n);
    }
    if ((f = v.Find("args"))) {
      if (f->kind != json::Kind::Array) return Fail(Join(path, "args"), "must be an array");
      if (f->items.size() > 6) return Fail(Join(path, "args"), "at most 6 conditions");
      for (size_t i = 0; i < f->items.size(); i++) {
        SeccompArg a;
        if (!Arg(f->items[i], Index(Join(path, "args"), i), &a)) return false;
        out->args.push_back(a);
      }
    }
    return true;
  }

 private:
  Error* error_;
};

}  // namespace

std::string SeccompArchName(std::string_view oci) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (oci.size() <= kPrefix.size() || oci.substr(0, kPrefix.size()) != kPrefix) return "";
  std::string out;
  for (char c : oci.substr(kPrefix.size())) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    else if (!((c >= '0' && c <= '9') || c == '_')) return "";
    out.push_back(c);
  }
  return out;
}

bool ParseSeccompProfile(std::string_view text, SeccompProfile* out, Error* error) {
  *out = SeccompProfile();
  Decoder d(error);
  json::Value root;
  json::ParseError pe;
  if (!json::Parse(text, &root, &pe)) {
    *error = InvalidError("seccomp", "seccomp profile", "invalid JSON at " + pe.ToString());
    return false;
  }
  if (!d.Object(root, "", {"defaultAction", "defaultErrnoRet", "architectures", "syscalls"})) return false;
  const json::Value* f;
  if (!(f = root.Find("defaultAction"))) return d.Fail("defaultAction", "required field is missing");
  if (!d.Action(*f, "defaultAction", &out->defaultAction)) return false;
  out->defaultErrnoRet = out->defaultAction == SeccompAction::kErrno ? EPERM : 0;
  if ((f = root.Find("defaultErrnoRet"))) {
    uint64_t n = 0;
    if (!d.U64(*f, "defaultErrnoRet", kMaxErrno, &n)) return false;
    out->defaultErrnoRet = static_cast<uint32_t>(n);
  }
  if ((f = root.Find("architectures"))) {
    if (f->kind != json::Kind::Array) return d.Fail("architectures", "must be an array");
    for (size_t i = 0; i < f->items.size(); i++) {
      std::string name;
      std::string p = Decoder::Index("architectures", i);
      if (!d.String(f->items[i], p, &name)) return false;
      std::string arch = SeccompArchName(name);
      if (arch.empty()) return d.Fail(p, "not an architecture name like SCMP_ARCH_X86_64: " + json::Quote(name));
      out->architectures.push_back(std::move(arch));
    }
  }
  if ((f = root.Find("syscalls"))) {
    if (f->kind != json::Kind::Array) return d.Fail("syscalls", "must be an array");
    if (f->items.size() > kMaxRules) return d.Fail("syscalls", "too many rules");
    for (size_t i = 0; i < f->items.size(); i++) {
      SeccompRule r;
      if (!d.Rule(f->items[i], Decoder::Index("syscalls", i), &r)) return false;
      out->syscalls.push_back(std::move(r));
    }
  }
  return true;
}

}  // namespace berth::monitor
