// Parsers for the numeric text files a stats sample reads (cgroup control
// files, /proc/PID/net/dev). Pure functions over a byte range, no allocation,
// no locale (strtod would follow LC_NUMERIC): each writes its values into
// `out` (NaN where the file lacks a value) and returns how many it wrote.
#pragma once

#include <stddef.h>

#include <string>
#include <vector>

namespace berth {

enum class StatKind {
  kSingle,  // one number ("max" = +Inf): memory.current, pids.current, cpuacct.usage
  kKeyed,   // "key value" lines, the keys asked for: memory.stat, cpu.stat, memory.events
  kRwstat,  // v1 blkio "MAJ:MIN Read|Write|… N" lines → [Read sum, Write sum]
  kNested,  // "MAJ:MIN k=v k=v" lines, the keys asked for summed over lines: io.stat
  kPsi,     // "some|full avg10= avg60= avg300= total=" → 8 values (some…, full…)
  kNetDev,  // /proc/net/dev, lo left out → [rxBytes, rxPackets, txBytes, txPackets] summed
};

// Values a kind produces: keys.size() for kKeyed/kNested.
size_t StatValueCount(StatKind kind, size_t keys);

// Parses `text[0..len)` as `kind` into out[0..StatValueCount). Never fails:
// what is missing or malformed is NaN (a key absent from the file) or 0 (a
// sum over no lines).
void ParseStat(StatKind kind, const char* text, size_t len, const std::vector<std::string>& keys, double* out);

// "single" | "keyed" | "rwstat" | "nested" | "psi" | "netdev"; false if unknown.
bool StatKindFromName(const std::string& name, StatKind* out);

}  // namespace berth
