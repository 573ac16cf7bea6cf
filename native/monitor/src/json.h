// A small, strict JSON (RFC 8259) parser and writer. No dependencies, no
// exceptions, bounded: nesting depth and input size are limited, so hostile
// input ends in a ParseError, never in a crash.
//
// Strictness: UTF-8 input only (no BOM), no comments, no trailing commas, no
// duplicate object keys, no unescaped control characters in strings, lone
// UTF-16 surrogates in \u escapes rejected, nothing but whitespace after the
// value. Numbers keep their literal text, so 64-bit integers (RLIMIT values
// such as 18446744073709551615) are read exactly.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::json {

enum class Kind : uint8_t { Null, Bool, Number, String, Array, Object };

const char* KindName(Kind kind);  // "null", "boolean", "number", "string", "array", "object"

struct Value {
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;                                    // String: UTF-8; Number: literal
  std::vector<Value> items;                            // Array
  std::vector<std::pair<std::string, Value>> members;  // Object, in input order

  const Value* Find(std::string_view key) const;  // Object member or nullptr
};

struct ParseError {
  size_t offset = 0;  // byte offset of the problem
  size_t line = 1;    // 1-based
  size_t column = 1;  // 1-based, in bytes
  std::string message;
  std::string ToString() const;  // "line 3 column 7: expected ':' after object key"
};

struct Limits {
  size_t maxDepth = 64;
  size_t maxBytes = 4 << 20;
};

bool Parse(std::string_view text, Value* out, ParseError* error, const Limits& limits = Limits());

// Integer readers for Number literals. False if the literal has a fraction or
// exponent, or is out of range.
bool ToU64(const std::string& literal, uint64_t* out);
bool ToI64(const std::string& literal, int64_t* out);

// Appends s as a JSON string literal (with quotes). Control characters,
// quote and backslash are escaped; invalid UTF-8 sequences become U+FFFD, so
// the output is always valid JSON whatever the bytes.
void AppendQuoted(std::string* out, std::string_view s);
std::string Quote(std::string_view s);

// Compact canonical form (members in input order).
std::string Serialize(const Value& value);

// Builds one JSON object: {"a":1,"b":"x"}.
class ObjectWriter {
 public:
  ObjectWriter& String(std::string_view key, std::string_view value);
  ObjectWriter& Int(std::string_view key, int64_t value);
  ObjectWriter& Uint(std::string_view key, uint64_t value);
  ObjectWriter& Bool(std::string_view key, bool value);
  ObjectWriter& Null(std::string_view key);
  ObjectWriter& Raw(std::string_view key, std::string_view json);  // already-encoded value
  std::string Finish();

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace berth::json
