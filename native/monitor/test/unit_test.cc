// Unit tests of berth-monitor's pure parts: JSON parser and writer, spec
// decoding, log writer (line splitting, partial flushes, UTF-8, rotation),
// attach framing, mount options, timestamps. Prints TAP; exit status 1 when
// a check fails. Run by native/monitor-unit.test.ts.
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "fileio.h"
#include "frame.h"
#include "json.h"
#include "log.h"
#include "mountopts.h"
#include "seccomp_profile.h"
#include "spec.h"

using namespace berth;
using namespace berth::monitor;

namespace {

int g_failed = 0;
int g_count = 0;
std::string g_current;
std::vector<std::string> g_messages;

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    if (!(cond)) g_messages.push_back(std::string(__FILE__ ":") + std::to_string(__LINE__) + \
                                      ": CHECK(" #cond ")");                               \
  } while (0)

#define CHECK_EQ(a, b)                                                                       \
  do {                                                                                       \
    auto va = (a);                                                                           \
    auto vb = (b);                                                                           \
    if (!(va == vb)) {                                                                       \
      g_messages.push_back(std::string(__FILE__ ":") + std::to_string(__LINE__) + ": " #a " == " #b \
                           " failed: got [" + Show(va) + "] want [" + Show(vb) + "]");        \
    }                                                                                        \
  } while (0)

std::string Show(const std::string& s) { return s; }
template <typename T>
std::string Show(T v) {
  return std::to_string(v);
}

void Test(const std::string& name, const std::function<void()>& body) {
  g_messages.clear();
  body();
  g_count++;
  if (g_messages.empty()) {
    printf("ok %d - %s\n", g_count, name.c_str());
  } else {
    g_failed++;
    printf("not ok %d - %s\n", g_count, name.c_str());
    for (const auto& m : g_messages) printf("  # %s\n", m.c_str());
  }
}

std::string ParseErr(const std::string& text, json::Limits limits = json::Limits()) {
  json::Value v;
  json::ParseError e;
  if (json::Parse(text, &v, &e, limits)) return "OK:" + json::Serialize(v);
  return e.ToString();
}

std::string RoundTrip(const std::string& text) {
  json::Value v;
  json::ParseError e;
  if (!json::Parse(text, &v, &e)) return "ERR " + e.ToString();
  return json::Serialize(v);
}

const char* kMinimalSpec = R"({
  "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0},
              "capabilities": {"bounding": ["CAP_KILL"]}},
  "root": {"path": "/r"},
  "linux": {"namespaces": [{"type": "mount"}]},
  "log": {"path": "/l"}
})";

std::string SpecErr(const std::string& text) {
  Spec s;
  Error e;
  if (ParseSpec(text, "spec.json", &s, &e)) return "OK";
  return e.Message();
}

std::vector<std::string> g_tempDirs;

std::string TempDir() {
  char tmpl[] = "/tmp/berth-monitor-unit-XXXXXX";
  char* d = mkdtemp(tmpl);
  if (d == nullptr) {
    perror("mkdtemp");
    exit(2);
  }
  g_tempDirs.push_back(d);
  return d;
}

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) { return remove(path); }

void RemoveTempDirs() {
  for (const auto& d : g_tempDirs) nftw(d.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

std::string Slurp(const std::string& path) {
  std::string out;
  Error e;
  if (!ReadFileAt(AT_FDCWD, path, 1 << 24, &out, &e)) return "<" + e.Message() + ">";
  return out;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// The "log" and "partial" fields of each JSON line of a log file.
std::vector<std::string> LogTexts(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& line : Lines(Slurp(path))) {
    json::Value v;
    json::ParseError e;
    if (!json::Parse(line, &v, &e)) {
      out.push_back("BAD JSON: " + line);
      continue;
    }
    const json::Value* log = v.Find("log");
    const json::Value* s = v.Find("s");
    std::string t = (s ? s->text : "?") + ":" + (log ? log->text : "?");
    if (v.Find("partial")) t += "+";
    out.push_back(t);
  }
  return out;
}

void Run() {
  // ---------------- JSON ----------------
  Test("json: round trips values in input order", [] {
    CHECK_EQ(RoundTrip(R"( {"b": [1, -2.5e+3, true, false, null], "a": {"x": ""}} )"),
             std::string(R"({"b":[1,-2.5e+3,true,false,null],"a":{"x":""}})"));
    CHECK_EQ(RoundTrip("\"\\u00e9\\ud83d\\ude00\\n\\t\\/\""), std::string("\"\xC3\xA9\xF0\x9F\x98\x80\\n\\t/\""));
    CHECK_EQ(RoundTrip("0"), std::string("0"));
    CHECK_EQ(RoundTrip("-0"), std::string("-0"));
    CHECK_EQ(RoundTrip("[]"), std::string("[]"));
    CHECK_EQ(RoundTrip("{}"), std::string("{}"));
    CHECK_EQ(RoundTrip("\"\\u0000\""), std::string("\"\\u0000\""));
  });

  Test("json: rejects malformed input with line and column", [] {
    CHECK_EQ(ParseErr(""), std::string("line 1 column 1: empty input: expected a JSON value"));
    CHECK_EQ(ParseErr("{\n  \"a\" 1}"), std::string("line 2 column 7: expected ':' after object key"));
    CHECK_EQ(ParseErr("[1,]"), std::string("line 1 column 4: trailing comma in array"));
    CHECK_EQ(ParseErr("{\"a\":1,}"), std::string("line 1 column 8: trailing comma in object"));
    CHECK_EQ(ParseErr("01"), std::string("line 1 column 1: invalid number: leading zero"));
    CHECK_EQ(ParseErr("1."), std::string("line 1 column 3: invalid number: expected a digit after '.'"));
    CHECK_EQ(ParseErr("-"), std::string("line 1 column 1: invalid number: expected a digit"));
    CHECK_EQ(ParseErr("1e"), std::string("line 1 column 3: invalid number: expected a digit in the exponent"));
    CHECK_EQ(ParseErr("tru"), std::string("line 1 column 1: invalid literal: expected true"));
    CHECK_EQ(ParseErr("nul"), std::string("line 1 column 1: invalid literal: expected null"));
    CHECK_EQ(ParseErr("{} x"), std::string("line 1 column 4: unexpected data after the JSON value"));
    CHECK_EQ(ParseErr("\"a\tb\""), std::string("line 1 column 3: unescaped control character in string"));
    CHECK_EQ(ParseErr("\"\\x\""), std::string("line 1 column 3: invalid escape 'x' in string"));
    CHECK_EQ(ParseErr("\"abc"), std::string("line 1 column 1: unterminated string"));
    CHECK_EQ(ParseErr("\"\\u12\""), std::string("line 1 column 4: invalid \\u escape: expected 4 hex digits"));
    CHECK_EQ(ParseErr("\"\\udc00\""), std::string("line 1 column 2: invalid \\u escape: lone low surrogate"));
    CHECK_EQ(ParseErr("\"\\ud800x\""), std::string("line 1 column 2: invalid \\u escape: high surrogate without a low surrogate"));
    CHECK_EQ(ParseErr("{\"a\":1,\"a\":2}"), std::string("line 1 column 8: duplicate object key \"a\""));
    CHECK_EQ(ParseErr("\xEF\xBB\xBF{}"), std::string("line 1 column 1: byte order mark not allowed"));
    CHECK_EQ(ParseErr("{'a':1}"), std::string("line 1 column 2: unexpected ''': expected an object key string"));
    CHECK_EQ(ParseErr("[1 2]"), std::string("line 1 column 4: unexpected '2': expected ',' or ']'"));
    CHECK_EQ(ParseErr("/* c */ {}"), std::string("line 1 column 1: unexpected '/': expected a value"));
    CHECK_EQ(ParseErr(std::string("[\x01]")), std::string("line 1 column 2: unexpected byte 0x01: expected a value"));
  });

  Test("json: validates UTF-8 in strings", [] {
    CHECK_EQ(ParseErr("\"\xFF\""), std::string("line 1 column 2: invalid UTF-8 in string"));
    CHECK_EQ(ParseErr("\"\xC0\xAF\""), std::string("line 1 column 2: invalid UTF-8 in string"));  // overlong '/'
    CHECK_EQ(ParseErr("\"\xE0\x80\xAF\""),
             std::string("line 1 column 2: invalid UTF-8 in string (overlong, surrogate or out of range)"));
    CHECK_EQ(ParseErr("\"\xED\xA0\x80\""),
             std::string("line 1 column 2: invalid UTF-8 in string (overlong, surrogate or out of range)"));
    CHECK_EQ(ParseErr("\"\xF4\x90\x80\x80\""),
             std::string("line 1 column 2: invalid UTF-8 in string (overlong, surrogate or out of range)"));
    CHECK_EQ(ParseErr("\"\xE2\x82\""), std::string("line 1 column 4: invalid UTF-8 in string"));
    CHECK_EQ(ParseErr("\"\xE2\x82"), std::string("line 1 column 2: invalid UTF-8 in string (truncated sequence)"));
    CHECK_EQ(ParseErr("\"\xE2\x82\xAC\""), std::string("OK:\"\xE2\x82\xAC\""));
  });

  Test("json: limits depth and size instead of overflowing the stack", [] {
    std::string deep(100000, '[');
    CHECK_EQ(ParseErr(deep), std::string("line 1 column 65: nesting deeper than 64"));
    std::string ok64 = std::string(64, '[') + std::string(64, ']');
    CHECK(ParseErr(ok64).rfind("OK:", 0) == 0);
    std::string objs;
    for (int i = 0; i < 100; i++) objs += "{\"a\":";
    CHECK(ParseErr(objs).find("nesting deeper than 64") != std::string::npos);
    json::Limits small;
    small.maxBytes = 4;
    CHECK_EQ(ParseErr("[1,2]", small), std::string("line 1 column 1: input is larger than 4 bytes"));
  });

  Test("json: many keys are checked for duplicates quickly", [] {
    std::string big = "{";
    for (int i = 0; i < 200000; i++) big += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    big += ",\"k17\":1}";
    CHECK(ParseErr(big).find("duplicate object key \"k17\"") != std::string::npos);
  });

  Test("json: integer readers", [] {
    uint64_t u = 0;
    int64_t i = 0;
    CHECK(json::ToU64("18446744073709551615", &u) && u == UINT64_MAX);
    CHECK(!json::ToU64("18446744073709551616", &u));
    CHECK(!json::ToU64("-1", &u));
    CHECK(!json::ToU64("1.0", &u));
    CHECK(!json::ToU64("1e3", &u));
    CHECK(json::ToI64("-9223372036854775808", &i) && i == INT64_MIN);
    CHECK(!json::ToI64("9223372036854775808", &i));
    CHECK(json::ToI64("-42", &i) && i == -42);
  });

  Test("json: quoting escapes control characters and replaces invalid UTF-8", [] {
    CHECK_EQ(json::Quote("a\"b\\c\n\r\t\b\f\x01\x7f"), std::string("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u007f\""));
    CHECK_EQ(json::Quote("\xFF" "a\xC3"), std::string("\"\xEF\xBF\xBD" "a\xEF\xBF\xBD\""));
    CHECK_EQ(json::Quote("\xE2\x82\xAC"), std::string("\"\xE2\x82\xAC\""));
    CHECK_EQ(json::Quote("\xED\xA0\x80"), std::string("\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""));  // surrogate
    CHECK_EQ(json::Quote(std::string("a\0b", 3)), std::string("\"a\\u0000b\""));
    // Whatever the bytes, the result parses back.
    std::string all;
    for (int c = 0; c < 256; c++) all.push_back(static_cast<char>(c));
    json::Value v;
    json::ParseError e;
    CHECK(json::Parse(json::Quote(all), &v, &e));
  });

  Test("json: object writer", [] {
    json::ObjectWriter w;
    w.String("s", "x\"y").Int("i", -3).Uint("u", UINT64_MAX).Bool("b", true).Null("n").Raw("r", "[1]");
    CHECK_EQ(w.Finish(), std::string(R"({"s":"x\"y","i":-3,"u":18446744073709551615,"b":true,"n":null,"r":[1]})"));
  });

  // ---------------- spec ----------------
  Test("spec: a minimal spec decodes with defaults", [] {
    Spec s;
    Error e;
    CHECK(ParseSpec(kMinimalSpec, "spec.json", &s, &e));
    CHECK_EQ(s.process.args.size(), size_t{1});
    CHECK_EQ(s.process.user.umask, uint32_t{022});
    CHECK_EQ(s.process.caps.bounding, uint64_t{1} << 5);
    CHECK_EQ(s.process.caps.effective, uint64_t{0});
    CHECK(!s.process.terminal);
    CHECK(!s.overlay.present);
    CHECK(s.Creates(CLONE_NEWNS));
    CHECK(!s.Creates(CLONE_NEWNET));
    CHECK_EQ(s.log.maxBytes, uint64_t{0});
    CHECK_EQ(s.log.maxFiles, uint32_t{1});
  });

  Test("spec: Docker's default capabilities are 0xa80425fb", [] {
    const char* names[] = {"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",     "CAP_FOWNER",
                           "CAP_MKNOD",  "CAP_NET_RAW",      "CAP_SETGID",     "CAP_SETUID",
                           "CAP_SETFCAP", "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
                           "CAP_KILL",   "CAP_AUDIT_WRITE"};
    uint64_t mask = 0;
    for (const char* n : names) mask |= uint64_t{1} << CapabilityNumber(n);
    CHECK_EQ(mask, uint64_t{0xa80425fb});
    CHECK_EQ(CapabilityNumber("CAP_CHECKPOINT_RESTORE"), 40);
    CHECK_EQ(CapabilityNumber("CAP_NOPE"), -1);
    CHECK_EQ(std::string(CapabilityName(21)), std::string("CAP_SYS_ADMIN"));
  });

  Test("spec: rlimits, including unlimited from JavaScript's 2**64", [] {
    std::string text = kMinimalSpec;
    text.replace(text.find("\"cwd\""), 0,
                 R"("rlimits": [{"type": "RLIMIT_NOFILE", "hard": 18446744073709552000, "soft": 1024},
                                {"type": "RLIMIT_CORE", "hard": 9223372036854775808, "soft": 0}], )");
    Spec s;
    Error e;
    CHECK(ParseSpec(text, "spec.json", &s, &e));
    CHECK_EQ(s.process.rlimits.size(), size_t{2});
    if (s.process.rlimits.size() == 2) {
      CHECK_EQ(s.process.rlimits[0].hard, UINT64_MAX);
      CHECK_EQ(s.process.rlimits[0].soft, uint64_t{1024});
      CHECK_EQ(s.process.rlimits[1].hard, UINT64_MAX);
    }
  });

  Test("spec: namespaces, joins and id mappings", [] {
    std::string text = kMinimalSpec;
    text.replace(text.find("[{\"type\": \"mount\"}]"), strlen("[{\"type\": \"mount\"}]"),
                 R"([{"type":"mount"},{"type":"pid"},{"type":"network","path":"/run/berth/netns/x"},
                    {"type":"user"}], "uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],
                    "gidMappings":[{"containerID":0,"hostID":100000,"size":65536}])");
    Spec s;
    Error e;
    CHECK(ParseSpec(text, "spec.json", &s, &e));
    CHECK(s.Creates(CLONE_NEWPID));
    CHECK(s.Creates(CLONE_NEWUSER));
    CHECK(!s.Creates(CLONE_NEWNET));
    CHECK(s.FindNamespace(CLONE_NEWNET) != nullptr && s.FindNamespace(CLONE_NEWNET)->path == "/run/berth/netns/x");
    CHECK_EQ(s.uidMappings.size(), size_t{1});
    CHECK(e.step.empty());
  });

  Test("spec: linux.devices (OCI), with defaults and checked numbers", [] {
    auto with = [](const char* devices) {
      std::string t = kMinimalSpec;
      t.replace(t.find("[{\"type\": \"mount\"}]"), strlen("[{\"type\": \"mount\"}]"),
                std::string("[{\"type\": \"mount\"}], \"devices\": ") + devices);
      return t;
    };
    Spec s;
    Error e;
    CHECK(ParseSpec(with(R"([{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":384,"uid":0,"gid":6},
                             {"path":"/dev/xvdc","type":"b","major":254,"minor":0}])"),
                    "spec.json", &s, &e));
    CHECK_EQ(s.devices.size(), size_t{2});
    if (s.devices.size() == 2) {
      CHECK_EQ(s.devices[0].type, 'c');
      CHECK_EQ(s.devices[0].major, uint32_t{10});
      CHECK_EQ(s.devices[0].minor, uint32_t{229});
      CHECK_EQ(s.devices[0].fileMode, uint32_t{0600});
      CHECK_EQ(s.devices[0].gid, uint32_t{6});
      CHECK_EQ(s.devices[1].type, 'b');
      CHECK_EQ(s.devices[1].fileMode, uint32_t{0666});
    }
    CHECK_EQ(SpecErr(with(R"([{"path":"/dev/x","type":"p","major":1,"minor":1}])")),
             std::string("spec.json: linux.devices[0].type: must be \"c\" or \"b\" (got \"p\")"));
    CHECK_EQ(SpecErr(with(R"([{"path":"/dev/x","type":"c","major":4096,"minor":1}])")),
             std::string("spec.json: linux.devices[0].major: must be at most 4095, got 4096"));
    CHECK_EQ(SpecErr(with(R"([{"path":"dev/x","type":"c","major":1,"minor":1}])")),
             std::string("spec.json: linux.devices[0].path: must be an absolute path, got \"dev/x\""));
    CHECK(SpecErr(with(R"([{"path":"/dev","type":"c","major":1,"minor":3}])")).find("cannot replace /dev") !=
          std::string::npos);
    CHECK(SpecErr(with(R"([{"path":"/dev/x","type":"c","major":1,"minor":3,"mode":1}])")).find("unknown field") !=
          std::string::npos);
  });

  Test("spec: errors name the field", [] {
    auto with = [](const char* from, const char* to) {
      std::string t = kMinimalSpec;
      size_t at = t.find(from);
      if (at == std::string::npos) return std::string("<bad test>");
      t.replace(at, strlen(from), to);
      return SpecErr(t);
    };
    CHECK_EQ(with("\"sh\"", "1"), std::string("spec.json: process.args[0]: must be a string, not number"));
    CHECK_EQ(with("\"cwd\": \"/\"", "\"cwd\": \"x\""), std::string("spec.json: process.cwd: must be an absolute path, got \"x\""));
    CHECK_EQ(with("\"uid\": 0", "\"uid\": 4294967295"), std::string("spec.json: process.user.uid: must be at most 4294967294, got 4294967295"));
    CHECK_EQ(with("\"uid\": 0", "\"uid\": true"), std::string("spec.json: process.user.uid: must be a number, not boolean"));
    CHECK_EQ(with("\"CAP_KILL\"", "\"kill\""), std::string("spec.json: process.capabilities.bounding[0]: unknown capability \"kill\""));
    CHECK_EQ(with("\"bounding\"", "\"bounded\""), std::string("spec.json: process.capabilities.bounded: unknown field"));
    CHECK_EQ(with("\"type\": \"mount\"", "\"type\": \"mnt\""),
             std::string("spec.json: linux.namespaces[0].type: unknown namespace type \"mnt\" (OCI names: pid, network, mount, ipc, uts, user, cgroup, time)"));
    CHECK_EQ(with("{\"path\": \"/l\"}", "{\"path\": \"/l\", \"maxBytes\": -1}"),
             std::string("spec.json: log.maxBytes: must be a non-negative integer, got -1"));
    CHECK_EQ(with("\"root\": {\"path\": \"/r\"},", ""), std::string("spec.json: root: required field is missing"));
    CHECK_EQ(with("\"process\": {", "\"process\": {\"terminal\": true, \"openStdin\": true, "),
             std::string("spec.json: process.openStdin: not allowed with terminal (the terminal is the stdin)"));
    CHECK_EQ(with("\"root\"", "\"hostname\": \"h\", \"root\""), std::string("spec.json: hostname: needs a new uts namespace"));
    CHECK_EQ(with("[\"CAP_KILL\"]", "[\"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]"),
             std::string("spec.json: process.capabilities.ambient: must be a subset of both permitted and inheritable"));
    CHECK_EQ(with("{\"type\": \"mount\"}", "{\"type\": \"mount\"}, {\"type\": \"time\", \"path\": \"/x\"}"),
             std::string("spec.json: linux.namespaces[1].path: joining an existing time namespace is not supported (only pid, network, ipc, uts, cgroup)"));
    CHECK_EQ(SpecErr("[]"), std::string("spec.json: must be an object, not array"));
    CHECK_EQ(SpecErr("{"), std::string("spec.json: invalid JSON at line 1 column 2: unexpected end of input: expected an object key"));
  });

  Test("spec: exec spec", [] {
    ExecSpec x;
    Error e;
    CHECK(ParseExecSpec(R"({"process": {"args": ["ls"], "cwd": "/", "user": {"uid": 1, "gid": 2, "additionalGids": [3]},
                           "capabilities": {}}, "cgroupProcs": ["/sys/fs/cgroup/x/cgroup.procs"]})",
                        "exec.json", &x, &e));
    CHECK_EQ(x.process.user.additionalGids.size(), size_t{1});
    CHECK_EQ(x.cgroupProcs.size(), size_t{1});
    CHECK(!ParseExecSpec(R"({"process": {"args": ["ls"], "cwd": "/", "user": {"uid": 1, "gid": 2}, "openStdin": true,
                            "capabilities": {}}})",
                         "exec.json", &x, &e));
    CHECK_EQ(e.Message(), std::string("exec.json: process.openStdin: not allowed in an exec spec (stdin is the monitor's own)"));
  });

  // ---------------- log ----------------
  Test("log: one entry per line, partial lines after 100 ms, 16 KiB pieces", [] {
    std::string dir = TempDir();
    LogConfig cfg;
    cfg.path = dir + "/log";
    LogWriter w;
    Error e;
    CHECK(w.Open(cfg, &e));
    w.Write(LogStream::kStdout, "a\nb", 3, 1000);
    w.Write(LogStream::kStderr, "err\n", 4, 1000);
    CHECK_EQ(w.NextFlushInMs(1000), int64_t{100});
    w.FlushPartial(1050, false);  // too early
    w.Write(LogStream::kStdout, "c\n", 2, 1060);
    CHECK_EQ(w.NextFlushInMs(1060), int64_t{-1});
    w.Write(LogStream::kStdout, "tail", 4, 2000);
    w.FlushPartial(2100, false);
    std::string big(40000, 'x');
    w.Write(LogStream::kStderr, big.data(), big.size(), 3000);
    w.Close();
    std::vector<std::string> got = LogTexts(cfg.path);
    std::vector<std::string> want = {"stdout:a", "stderr:err", "stdout:bc", "stdout:tail+",
                                     "stderr:" + std::string(16384, 'x') + "+", "stderr:" + std::string(16384, 'x') + "+",
                                     "stderr:" + std::string(40000 - 32768, 'x') + "+"};
    CHECK_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size() && i < want.size(); i++) CHECK_EQ(got[i], want[i]);
  });

  Test("log: never splits a UTF-8 sequence, replaces invalid bytes", [] {
    std::string dir = TempDir();
    LogConfig cfg;
    cfg.path = dir + "/log";
    LogWriter w;
    Error e;
    CHECK(w.Open(cfg, &e));
    w.Write(LogStream::kStdout, "\xE2\x82", 2, 0);  // first two bytes of €
    w.FlushPartial(100, false);                      // held back
    w.Write(LogStream::kStdout, "\xAC\n", 2, 150);
    w.Write(LogStream::kStdout, "x\xE2\x82", 3, 200);
    w.FlushPartial(300, false);                      // "x" written, the two bytes held
    w.FlushPartial(450, false);                      // still held (for 200 ms in all)
    w.FlushPartial(520, false);                      // stale: written as U+FFFD
    w.Write(LogStream::kStdout, "bad\xFF\n", 5, 500);
    // 16 KiB cut inside a 3-byte character: moved back to its start.
    std::string big = std::string(16383, 'y') + "\xE2\x82\xAC" + "\n";
    w.Write(LogStream::kStdout, big.data(), big.size(), 600);
    w.Close();
    std::vector<std::string> got = LogTexts(cfg.path);
    CHECK_EQ(got.size(), size_t{6});
    if (got.size() == 6) {
      CHECK_EQ(got[0], std::string("stdout:\xE2\x82\xAC"));
      CHECK_EQ(got[1], std::string("stdout:x+"));
      CHECK_EQ(got[2], std::string("stdout:\xEF\xBF\xBD\xEF\xBF\xBD+"));
      CHECK_EQ(got[3], std::string("stdout:bad\xEF\xBF\xBD"));
      CHECK_EQ(got[4], "stdout:" + std::string(16383, 'y') + "+");
      CHECK_EQ(got[5], std::string("stdout:\xE2\x82\xAC"));
    }
  });

  Test("log: rotation keeps maxFiles files", [] {
    std::string dir = TempDir();
    LogConfig cfg;
    cfg.path = dir + "/log";
    cfg.maxBytes = 200;
    cfg.maxFiles = 3;
    LogWriter w;
    Error e;
    CHECK(w.Open(cfg, &e));
    for (int i = 0; i < 40; i++) {
      std::string line = "line " + std::to_string(i) + "\n";
      w.Write(LogStream::kStdout, line.data(), line.size(), 0);
    }
    w.Close();
    struct stat st;
    CHECK(stat((cfg.path + ".1").c_str(), &st) == 0 && st.st_size <= 200);
    CHECK(stat((cfg.path + ".2").c_str(), &st) == 0 && st.st_size <= 200);
    CHECK(stat((cfg.path + ".3").c_str(), &st) != 0);
    std::vector<std::string> live = LogTexts(cfg.path);
    CHECK(!live.empty() && live.back() == "stdout:line 39");
    std::vector<std::string> older = LogTexts(cfg.path + ".1");
    CHECK(!older.empty() && !live.empty());
    if (!older.empty() && !live.empty()) {
      int last = atoi(older.back().c_str() + strlen("stdout:line "));
      int first = atoi(live.front().c_str() + strlen("stdout:line "));
      CHECK_EQ(last + 1, first);
    }

    // maxFiles 1: the file starts over.
    LogConfig one = cfg;
    one.path = dir + "/one";
    one.maxFiles = 1;
    LogWriter w1;
    CHECK(w1.Open(one, &e));
    for (int i = 0; i < 40; i++) {
      std::string line = "line " + std::to_string(i) + "\n";
      w1.Write(LogStream::kStdout, line.data(), line.size(), 0);
    }
    w1.Close();
    CHECK(stat((one.path + ".1").c_str(), &st) != 0);
    CHECK(stat(one.path.c_str(), &st) == 0 && st.st_size <= 200);
    CHECK_EQ(LogTexts(one.path).back(), std::string("stdout:line 39"));
  });

  // ---------------- framing ----------------
  Test("frame: encode, decode across chunk boundaries, reject oversize", [] {
    std::string wire;
    AppendFrame(&wire, kFrameStdout, "hello", 5);
    AppendFrame(&wire, kFrameResize, "\x00\x28\x00\x64", 4);
    AppendFrame(&wire, kFrameCloseStdin, "", 0);
    CHECK_EQ(wire.size(), size_t{5 + 5 + 5 + 4 + 5});
    FrameReader r;
    uint8_t type;
    std::string payload;
    for (char c : wire) r.Feed(&c, 1);  // one byte at a time
    CHECK(r.Next(&type, &payload) == FrameReader::Result::kFrame && type == kFrameStdout && payload == "hello");
    CHECK(r.Next(&type, &payload) == FrameReader::Result::kFrame && type == kFrameResize && payload.size() == 4);
    CHECK(r.Next(&type, &payload) == FrameReader::Result::kFrame && type == kFrameCloseStdin && payload.empty());
    CHECK(r.Next(&type, &payload) == FrameReader::Result::kNeedMore);
    FrameReader big;
    big.Feed("\x00\x00\x10\x00\x01", 5);  // 1 MiB + 1
    CHECK(big.Next(&type, &payload) == FrameReader::Result::kTooLarge);
  });

  // ---------------- mount options ----------------
  Test("mount options: flags, clears, propagation, data", [] {
    MountOptions o = ParseMountOptions({"rbind", "ro", "nosuid", "rprivate", "size=64m", "mode=1777", "rw", "exec"});
    CHECK(o.bind && o.recursive);
    CHECK_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID));
    CHECK_EQ(o.clear, static_cast<unsigned long>(MS_RDONLY | MS_NOEXEC));
    CHECK_EQ(o.propagation, static_cast<unsigned long>(MS_PRIVATE | MS_REC));
    CHECK_EQ(o.data, std::string("size=64m,mode=1777"));
    unsigned long long clr = 0;
    unsigned long long set = MountAttrFromFlags(MS_RDONLY | MS_NODEV | MS_NOATIME, MS_NOSUID, &clr);
    CHECK_EQ(set, static_cast<unsigned long long>(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME));
    CHECK_EQ(clr, static_cast<unsigned long long>(MOUNT_ATTR_NOSUID | MOUNT_ATTR__ATIME));
  });

  // ---------------- seccomp ----------------
  Test("spec: seccomp.filter in spec.json and exec-spec.json", [] {
    std::string with = kMinimalSpec;
    with.insert(with.rfind('}'), R"(, "seccomp": {"filter": "/var/lib/berth/seccomp/k.bpf"})");
    Spec s;
    Error e;
    CHECK(ParseSpec(with, "spec.json", &s, &e));
    CHECK_EQ(s.seccompFilter, std::string("/var/lib/berth/seccomp/k.bpf"));
    CHECK(ParseSpec(kMinimalSpec, "spec.json", &s, &e));
    CHECK(s.seccompFilter.empty());
    std::string rel = kMinimalSpec;
    rel.insert(rel.rfind('}'), R"(, "seccomp": {"filter": "k.bpf"})");
    CHECK(SpecErr(rel).find("seccomp.filter: must be an absolute path") != std::string::npos);
    std::string extra = kMinimalSpec;
    extra.insert(extra.rfind('}'), R"(, "seccomp": {"filter": "/k", "profile": {}})");
    CHECK(SpecErr(extra).find("seccomp.profile: unknown field") != std::string::npos);
    ExecSpec x;
    CHECK(ParseExecSpec(R"({"process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0},
      "capabilities": {}}, "seccomp": {"filter": "/f.bpf"}})", "exec", &x, &e));
    CHECK_EQ(x.seccompFilter, std::string("/f.bpf"));
  });

  Test("seccomp profile: decodes the resolved OCI form", [] {
    SeccompProfile p;
    Error e;
    CHECK(ParseSeccompProfile(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
      "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X32"],
      "syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW",
                   "args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]},
                  {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
                  {"names":["x"],"action":"SCMP_ACT_ERRNO","args":[{"index":5,"value":18446744073709551615,"op":"SCMP_CMP_NE"}]}]})",
                              &p, &e));
    CHECK(p.defaultAction == SeccompAction::kErrno);
    CHECK_EQ(p.architectures.size(), size_t{2});
    CHECK_EQ(p.architectures[1], std::string("x32"));
    CHECK_EQ(p.syscalls.size(), size_t{3});
    CHECK(p.syscalls[0].args[0].op == SeccompOp::kMaskedEq);
    CHECK_EQ(p.syscalls[0].args[0].value, uint64_t{2114060288});
    CHECK_EQ(p.syscalls[1].errnoRet, uint32_t{38});
    CHECK_EQ(p.syscalls[2].errnoRet, uint32_t{EPERM});  // errno without errnoRet: EPERM
    CHECK_EQ(p.syscalls[2].args[0].value, UINT64_MAX);
    CHECK_EQ(SeccompArchName("SCMP_ARCH_MIPSEL64N32"), std::string("mipsel64n32"));
    CHECK_EQ(SeccompArchName("x86_64"), std::string(""));
  });

  Test("seccomp profile: refusals name the field", [] {
    auto err = [](const char* text) {
      SeccompProfile p;
      Error e;
      return ParseSeccompProfile(text, &p, &e) ? std::string("OK") : e.Message();
    };
    CHECK_EQ(err(R"({})"), std::string("seccomp profile: defaultAction: required field is missing"));
    CHECK(err(R"({"defaultAction":"SCMP_ACT_NOTIFY"})").find("defaultAction: unknown action") != std::string::npos);
    CHECK(err(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"op":"SCMP_CMP_EQ"}]}]})")
              .find("syscalls[0].args[0].index: must be at most 5") != std::string::npos);
    CHECK(err(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"op":"SCMP_CMP_XX"}]}]})")
              .find("syscalls[0].args[0].op: unknown operator") != std::string::npos);
    CHECK(err(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]})")
              .find("syscalls[0].names") != std::string::npos);
    CHECK(err(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]})")
              .find("syscalls[0].errnoRet: only with") != std::string::npos);
    CHECK(err(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":4096})").find("defaultErrnoRet") != std::string::npos);
    CHECK(err(R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["amd64"]})").find("architectures[0]") != std::string::npos);
    CHECK(err(R"({"defaultAction":"SCMP_ACT_ALLOW","includes":{}})").find("includes: unknown field") != std::string::npos);
    CHECK(err("{").find("invalid JSON") != std::string::npos);
  });

  // ---------------- files and time ----------------
  Test("atomic write replaces the file, RFC 3339 with nanoseconds", [] {
    std::string dir = TempDir();
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    Error e;
    CHECK(AtomicWriteAt(dfd, "state.json", "one", &e));
    CHECK(AtomicWriteAt(dfd, "state.json", "two", &e));
    close(dfd);
    CHECK_EQ(Slurp(dir + "/state.json"), std::string("two"));
    struct timespec ts = {1700000000, 5};
    CHECK_EQ(Rfc3339Nano(ts), std::string("2023-11-14T22:13:20.000000005Z"));
    uint64_t start = 0;
    CHECK(ReadPidStartTime(getpid(), &start, &e) && start > 0);
    CHECK(!ReadPidStartTime(0x7ffffff0, &start, &e));
  });
}

}  // namespace

int main() {
  printf("TAP version 13\n");
  Run();
  RemoveTempDirs();
  printf("1..%d\n", g_count);
  if (g_failed) printf("# %d of %d failed\n", g_failed, g_count);
  return g_failed ? 1 : 0;
}
