#include "json.h"

#include <stdio.h>
#include <string.h>

#include <unordered_set>

namespace berth::json {

namespace {

// Why a UTF-8 sequence is invalid: the parser words each case apart, the
// serializer replaces the byte whatever the case.
enum class Utf8Fault { None, BadByte, Truncated, OutOfRange };

struct Utf8Check {
  size_t len;       // bytes in the sequence (fault None)
  Utf8Fault fault;
  size_t at;        // offset from p of the bad byte (fault BadByte)
};

// The UTF-8 sequence at p (avail bytes, first byte >= 0x80). Rejects
// overlong forms, surrogates and values above U+10FFFF.
Utf8Check CheckUtf8(const unsigned char* p, size_t avail) {
  unsigned char b0 = p[0];
  size_t len;
  uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return {0, Utf8Fault::BadByte, 0};
  }
  if (avail < len) return {0, Utf8Fault::Truncated, 0};
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) return {0, Utf8Fault::BadByte, i};
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {0, Utf8Fault::OutOfRange, 0};
  }
  return {len, Utf8Fault::None, 0};
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits, ParseError* error)
      : s_(text), limits_(limits), error_(error) {}

  bool ParseDocument(Value* out) {
    if (s_.size() > limits_.maxBytes) {
      return Fail(0, "input is larger than " + std::to_string(limits_.maxBytes) + " bytes");
    }
    if (s_.size() >= 3 && static_cast<unsigned char>(s_[0]) == 0xEF &&
        static_cast<unsigned char>(s_[1]) == 0xBB && static_cast<unsigned char>(s_[2]) == 0xBF) {
      return Fail(0, "byte order mark not allowed");
    }
    SkipWs();
    if (pos_ >= s_.size()) return Fail(pos_, "empty input: expected a JSON value");
    if (!ParseValue(out, 0)) return false;
    SkipWs();
    if (pos_ != s_.size()) return Fail(pos_, "unexpected data after the JSON value");
    return true;
  }

 private:
  bool Fail(size_t at, std::string message) {
    error_->offset = at;
    error_->line = 1;
    error_->column = 1;
    for (size_t i = 0; i < at && i < s_.size(); i++) {
      if (s_[i] == '\n') {
        error_->line++;
        error_->column = 1;
      } else {
        error_->column++;
      }
    }
    error_->message = std::move(message);
    return false;
  }

  void SkipWs() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      pos_++;
    }
  }

  static std::string Describe(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    char buf[8];
    snprintf(buf, sizeof buf, "0x%02x", u);
    return std::string("byte ") + buf;
  }

  bool ParseValue(Value* out, size_t depth) {
    if (pos_ >= s_.size()) return Fail(pos_, "unexpected end of input: expected a value");
    char c = s_[pos_];
    switch (c) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"':
        out->kind = Kind::String;
        return ParseString(&out->text);
      case 't':
        return ParseLiteral("true", out, Kind::Bool, true);
      case 'f':
        return ParseLiteral("false", out, Kind::Bool, false);
      case 'n':
        return ParseLiteral("null", out, Kind::Null, false);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
        return Fail(pos_, "unexpected " + Describe(c) + ": expected a value");
    }
  }

  bool ParseLiteral(const char* word, Value* out, Kind kind, bool b) {
    size_t n = strlen(word);
    if (s_.substr(pos_, n) != word) return Fail(pos_, std::string("invalid literal: expected ") + word);
    pos_ += n;
    out->kind = kind;
    out->boolean = b;
    return true;
  }

  bool Digits(size_t* count) {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') pos_++;
    *count = pos_ - start;
    return *count > 0;
  }

  bool ParseNumber(Value* out) {
    size_t start = pos_;
    size_t n = 0;
    if (s_[pos_] == '-') pos_++;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      pos_++;
      if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        return Fail(pos_ - 1, "invalid number: leading zero");
      }
    } else if (!Digits(&n)) {
      return Fail(start, "invalid number: expected a digit");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      pos_++;
      if (!Digits(&n)) return Fail(pos_, "invalid number: expected a digit after '.'");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      pos_++;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) pos_++;
      if (!Digits(&n)) return Fail(pos_, "invalid number: expected a digit in the exponent");
    }
    if (pos_ - start > 64) return Fail(start, "number literal too long");
    out->kind = Kind::Number;
    out->text.assign(s_.data() + start, pos_ - start);
    return true;
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool Hex4(uint32_t* out) {
    if (s_.size() - pos_ < 4) return Fail(pos_, "invalid \\u escape: expected 4 hex digits");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
      char c = s_[pos_ + i];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else return Fail(pos_ + i, "invalid \\u escape: expected 4 hex digits");
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  // One UTF-8 sequence starting at pos_ (first byte >= 0x80): validated
  // (CheckUtf8) and copied.
  bool CopyUtf8(std::string* out) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(s_.data()) + pos_;
    Utf8Check c = CheckUtf8(p, s_.size() - pos_);
    switch (c.fault) {
      case Utf8Fault::None: break;
      case Utf8Fault::BadByte: return Fail(pos_ + c.at, "invalid UTF-8 in string");
      case Utf8Fault::Truncated: return Fail(pos_, "invalid UTF-8 in string (truncated sequence)");
      case Utf8Fault::OutOfRange:
        return Fail(pos_, "invalid UTF-8 in string (overlong, surrogate or out of range)");
    }
    out->append(reinterpret_cast<const char*>(p), c.len);
    pos_ += c.len;
    return true;
  }

  bool ParseString(std::string* out) {
    size_t open = pos_;
    pos_++;  // opening quote
    out->clear();
    while (true) {
      if (pos_ >= s_.size()) return Fail(open, "unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        pos_++;
        return true;
      }
      if (c < 0x20) return Fail(pos_, "unescaped control character in string");
      if (c >= 0x80) {
        if (!CopyUtf8(out)) return false;
        continue;
      }
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        pos_++;
        continue;
      }
      pos_++;
      if (pos_ >= s_.size()) return Fail(open, "unterminated string");
      char e = s_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          size_t at = pos_ - 2;
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail(at, "invalid \\u escape: lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (s_.size() - pos_ < 2 || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') {
              return Fail(at, "invalid \\u escape: high surrogate without a low surrogate");
            }
            pos_ += 2;
            if (!Hex4(&lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) {
              return Fail(at, "invalid \\u escape: high surrogate without a low surrogate");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Fail(pos_ - 1, "invalid escape " + Describe(e) + " in string");
      }
    }
  }

  bool ParseArray(Value* out, size_t depth) {
    if (depth > limits_.maxDepth) return Fail(pos_, "nesting deeper than " + std::to_string(limits_.maxDepth));
    out->kind = Kind::Array;
    pos_++;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      pos_++;
      return true;
    }
    while (true) {
      SkipWs();
      out->items.emplace_back();
      if (!ParseValue(&out->items.back(), depth)) return false;
      SkipWs();
      if (pos_ >= s_.size()) return Fail(pos_, "unexpected end of input: expected ',' or ']'");
      char c = s_[pos_];
      if (c == ',') {
        pos_++;
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == ']') return Fail(pos_, "trailing comma in array");
        continue;
      }
      if (c == ']') {
        pos_++;
        return true;
      }
      return Fail(pos_, "unexpected " + Describe(c) + ": expected ',' or ']'");
    }
  }

  bool ParseObject(Value* out, size_t depth) {
    if (depth > limits_.maxDepth) return Fail(pos_, "nesting deeper than " + std::to_string(limits_.maxDepth));
    out->kind = Kind::Object;
    pos_++;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      pos_++;
      return true;
    }
    std::unordered_set<std::string> seen;  // duplicate check without O(n^2) on big objects
    while (true) {
      SkipWs();
      if (pos_ >= s_.size()) return Fail(pos_, "unexpected end of input: expected an object key");
      if (s_[pos_] != '"') {
        if (s_[pos_] == '}') return Fail(pos_, "trailing comma in object");
        return Fail(pos_, "unexpected " + Describe(s_[pos_]) + ": expected an object key string");
      }
      size_t keyAt = pos_;
      std::string key;
      if (!ParseString(&key)) return false;
      if (!seen.insert(key).second) return Fail(keyAt, "duplicate object key " + Quote(key));
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Fail(pos_, "expected ':' after object key");
      pos_++;
      SkipWs();
      out->members.emplace_back(std::move(key), Value());
      if (!ParseValue(&out->members.back().second, depth)) return false;
      SkipWs();
      if (pos_ >= s_.size()) return Fail(pos_, "unexpected end of input: expected ',' or '}'");
      char c = s_[pos_];
      if (c == ',') {
        pos_++;
        continue;
      }
      if (c == '}') {
        pos_++;
        return true;
      }
      return Fail(pos_, "unexpected " + Describe(c) + ": expected ',' or '}'");
    }
  }

  std::string_view s_;
  const Limits& limits_;
  ParseError* error_;
  size_t pos_ = 0;
};

bool IsPlainInteger(const std::string& s, bool allowMinus) {
  if (s.empty()) return false;
  size_t i = 0;
  if (s[0] == '-') {
    if (!allowMinus) return false;
    i = 1;
  }
  if (i >= s.size()) return false;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

void SerializeInto(std::string* out, const Value& v) {
  switch (v.kind) {
    case Kind::Null: out->append("null"); break;
    case Kind::Bool: out->append(v.boolean ? "true" : "false"); break;
    case Kind::Number: out->append(v.text); break;
    case Kind::String: AppendQuoted(out, v.text); break;
    case Kind::Array:
      out->push_back('[');
      for (size_t i = 0; i < v.items.size(); i++) {
        if (i) out->push_back(',');
        SerializeInto(out, v.items[i]);
      }
      out->push_back(']');
      break;
    case Kind::Object:
      out->push_back('{');
      for (size_t i = 0; i < v.members.size(); i++) {
        if (i) out->push_back(',');
        AppendQuoted(out, v.members[i].first);
        out->push_back(':');
        SerializeInto(out, v.members[i].second);
      }
      out->push_back('}');
      break;
  }
}

}  // namespace

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::Null: return "null";
    case Kind::Bool: return "boolean";
    case Kind::Number: return "number";
    case Kind::String: return "string";
    case Kind::Array: return "array";
    case Kind::Object: return "object";
  }
  return "?";
}

const Value* Value::Find(std::string_view key) const {
  for (const auto& m : members) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

std::string ParseError::ToString() const {
  return "line " + std::to_string(line) + " column " + std::to_string(column) + ": " + message;
}

bool Parse(std::string_view text, Value* out, ParseError* error, const Limits& limits) {
  *out = Value();
  Parser parser(text, limits, error);
  return parser.ParseDocument(out);
}

bool ToU64(const std::string& literal, uint64_t* out) {
  if (!IsPlainInteger(literal, false)) return false;
  uint64_t v = 0;
  for (char c : literal) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool ToI64(const std::string& literal, int64_t* out) {
  if (!IsPlainInteger(literal, true)) return false;
  bool neg = literal[0] == '-';
  uint64_t mag;
  if (!ToU64(neg ? literal.substr(1) : literal, &mag)) return false;
  if (neg) {
    if (mag > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = mag == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(mag);
  } else {
    if (mag > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(mag);
  }
  return true;
}

void AppendQuoted(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c >= 0x80) {
      Utf8Check u = CheckUtf8(p + i, n - i);
      if (u.fault != Utf8Fault::None) {
        out->append("\xEF\xBF\xBD");  // U+FFFD for one invalid byte
        i++;
      } else {
        out->append(reinterpret_cast<const char*>(p + i), u.len);
        i += u.len;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    i++;
  }
  out->push_back('"');
}

std::string Quote(std::string_view s) {
  std::string out;
  AppendQuoted(&out, s);
  return out;
}

std::string Serialize(const Value& value) {
  std::string out;
  SerializeInto(&out, value);
  return out;
}

void ObjectWriter::Key(std::string_view key) {
  if (!first_) out_.push_back(',');
  first_ = false;
  AppendQuoted(&out_, key);
  out_.push_back(':');
}

ObjectWriter& ObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendQuoted(&out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  out_.append(std::to_string(value));
  return *this;
}

ObjectWriter& ObjectWriter::Uint(std::string_view key, uint64_t value) {
  Key(key);
  out_.append(std::to_string(value));
  return *this;
}

ObjectWriter& ObjectWriter::Bool(std::string_view key, bool value) {
  Key(key);
  out_.append(value ? "true" : "false");
  return *this;
}

ObjectWriter& ObjectWriter::Null(std::string_view key) {
  Key(key);
  out_.append("null");
  return *this;
}

ObjectWriter& ObjectWriter::Raw(std::string_view key, std::string_view json) {
  Key(key);
  out_.append(json);
  return *this;
}

std::string ObjectWriter::Finish() {
  out_.push_back('}');
  return std::move(out_);
}

}  // namespace berth::json
