#include "statparse.h"

#include <math.h>
#include <string.h>

namespace berth {

namespace {

const double kNaN = NAN;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char* SkipSpaces(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  return p;
}

// [-]digits[.digits] or "max" (+Inf). Digits accumulate in a double: exact
// below 2^53, and only v1's "unlimited" sentinels are above it. A decimal
// fraction becomes one correctly rounded division, so "29.61" parses to the
// same double as JS Number("29.61"). Returns the end of the number, or
// nullptr when there is none at p.
const char* ParseNumber(const char* p, const char* end, double* out) {
  if (end - p >= 3 && memcmp(p, "max", 3) == 0) {
    *out = INFINITY;
    return p + 3;
  }
  bool neg = false;
  if (p < end && *p == '-') {
    neg = true;
    p++;
  }
  const char* start = p;
  double v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  if (p == start) return nullptr;
  if (p < end && *p == '.') {
    p++;
    double scale = 1;
    while (p < end && *p >= '0' && *p <= '9') {
      v = v * 10 + (*p++ - '0');
      scale *= 10;
    }
    v /= scale;
  }
  *out = neg ? -v : v;
  return p;
}

// Calls fn(line, lineEnd) for each line of text.
template <typename Fn>
void ForEachLine(const char* text, size_t len, Fn fn) {
  const char* p = text;
  const char* end = text + len;
  while (p < end) {
    const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
    const char* le = nl ? nl : end;
    fn(p, le);
    p = le + 1;
  }
}

// The token at p (up to a space or the line end).
const char* TokenEnd(const char* p, const char* le) {
  while (p < le && !IsSpace(*p)) p++;
  return p;
}

int KeyIndex(const std::vector<std::string>& keys, const char* k, size_t n) {
  for (size_t i = 0; i < keys.size(); i++)
    if (keys[i].size() == n && memcmp(keys[i].data(), k, n) == 0) return static_cast<int>(i);
  return -1;
}

bool IsDevice(const char* p, const char* e) { return memchr(p, ':', e - p) != nullptr && p < e && *p >= '0' && *p <= '9'; }

void ParseKeyed(const char* text, size_t len, const std::vector<std::string>& keys, double* out) {
  for (size_t i = 0; i < keys.size(); i++) out[i] = kNaN;
  ForEachLine(text, len, [&](const char* p, const char* le) {
    const char* ke = TokenEnd(p, le);
    int i = KeyIndex(keys, p, ke - p);
    if (i < 0) return;
    double v;
    if (ParseNumber(SkipSpaces(ke, le), le, &v)) out[i] = v;
  });
}

void ParseRwstat(const char* text, size_t len, double* out) {
  out[0] = 0;
  out[1] = 0;
  ForEachLine(text, len, [&](const char* p, const char* le) {
    const char* de = TokenEnd(p, le);
    if (!IsDevice(p, de)) return;  // "Total N" closes the file
    const char* op = SkipSpaces(de, le);
    const char* oe = TokenEnd(op, le);
    int slot = (oe - op == 4 && memcmp(op, "Read", 4) == 0) ? 0 : (oe - op == 5 && memcmp(op, "Write", 5) == 0) ? 1 : -1;
    double v;
    if (slot >= 0 && ParseNumber(SkipSpaces(oe, le), le, &v)) out[slot] += v;
  });
}

void ParseNested(const char* text, size_t len, const std::vector<std::string>& keys, double* out) {
  for (size_t i = 0; i < keys.size(); i++) out[i] = 0;
  ForEachLine(text, len, [&](const char* p, const char* le) {
    const char* de = TokenEnd(p, le);
    if (!IsDevice(p, de)) return;
    for (const char* t = SkipSpaces(de, le); t < le; t = SkipSpaces(TokenEnd(t, le), le)) {
      const char* te = TokenEnd(t, le);
      const char* eq = static_cast<const char*>(memchr(t, '=', te - t));
      if (!eq) continue;
      int i = KeyIndex(keys, t, eq - t);
      double v;
      if (i >= 0 && ParseNumber(eq + 1, te, &v)) out[i] += v;
    }
  });
}

void ParsePsi(const char* text, size_t len, double* out) {
  for (int i = 0; i < 8; i++) out[i] = kNaN;
  ForEachLine(text, len, [&](const char* p, const char* le) {
    int base;
    if (le - p > 5 && memcmp(p, "some ", 5) == 0)
      base = 0;
    else if (le - p > 5 && memcmp(p, "full ", 5) == 0)
      base = 4;
    else
      return;
    // avg10= avg60= avg300= total=, in that order.
    int k = 0;
    for (const char* t = SkipSpaces(p + 5, le); t < le && k < 4; t = SkipSpaces(TokenEnd(t, le), le)) {
      const char* te = TokenEnd(t, le);
      const char* eq = static_cast<const char*>(memchr(t, '=', te - t));
      double v;
      if (eq && ParseNumber(eq + 1, te, &v)) out[base + k] = v;
      k++;
    }
  });
}

// Inter-|Receive …|Transmit header, then "  eth0: rxBytes rxPackets … (8) txBytes txPackets …".
void ParseNetDev(const char* text, size_t len, double* out) {
  for (int i = 0; i < 4; i++) out[i] = 0;
  int line = 0;
  ForEachLine(text, len, [&](const char* p, const char* le) {
    if (line++ < 2) return;
    const char* colon = static_cast<const char*>(memchr(p, ':', le - p));
    if (!colon) return;
    const char* name = SkipSpaces(p, colon);
    if (colon - name == 2 && memcmp(name, "lo", 2) == 0) return;
    double f[10];
    int n = 0;
    for (const char* t = colon + 1; n < 10;) {
      t = SkipSpaces(t, le);
      const char* e = t < le ? ParseNumber(t, le, &f[n]) : nullptr;
      if (!e) break;
      t = e;
      n++;
    }
    if (n < 10) return;
    out[0] += f[0];
    out[1] += f[1];
    out[2] += f[8];
    out[3] += f[9];
  });
}

}  // namespace

size_t StatValueCount(StatKind kind, size_t keys) {
  switch (kind) {
    case StatKind::kSingle:
      return 1;
    case StatKind::kKeyed:
    case StatKind::kNested:
      return keys;
    case StatKind::kRwstat:
      return 2;
    case StatKind::kPsi:
      return 8;
    case StatKind::kNetDev:
      return 4;
  }
  return 0;
}

void ParseStat(StatKind kind, const char* text, size_t len, const std::vector<std::string>& keys, double* out) {
  switch (kind) {
    case StatKind::kSingle: {
      const char* end = text + len;
      const char* p = text;
      while (p < end && IsSpace(*p)) p++;
      if (!ParseNumber(p, end, out)) *out = kNaN;
      return;
    }
    case StatKind::kKeyed:
      return ParseKeyed(text, len, keys, out);
    case StatKind::kRwstat:
      return ParseRwstat(text, len, out);
    case StatKind::kNested:
      return ParseNested(text, len, keys, out);
    case StatKind::kPsi:
      return ParsePsi(text, len, out);
    case StatKind::kNetDev:
      return ParseNetDev(text, len, out);
  }
}

bool StatKindFromName(const std::string& name, StatKind* out) {
  static const struct {
    const char* name;
    StatKind kind;
  } kNames[] = {{"single", StatKind::kSingle}, {"keyed", StatKind::kKeyed}, {"rwstat", StatKind::kRwstat},
                {"nested", StatKind::kNested}, {"psi", StatKind::kPsi},     {"netdev", StatKind::kNetDev}};
  for (const auto& k : kNames)
    if (name == k.name) {
      *out = k.kind;
      return true;
    }
  return false;
}

}  // namespace berth
