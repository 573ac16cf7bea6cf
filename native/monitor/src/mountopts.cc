#include "mountopts.h"

#include <string.h>

namespace berth::monitor {

namespace {

struct FlagOption {
  const char* name;
  bool clear;
  unsigned long flag;
};

const FlagOption kFlags[] = {
    {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},       {"defaults", false, 0},
    {"dev", true, MS_NODEV},           {"diratime", true, MS_NODIRATIME}, {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},         {"iversion", false, MS_I_VERSION}, {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},         {"mand", false, MS_MANDLOCK},      {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},        {"nodiratime", false, MS_NODIRATIME}, {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION}, {"nolazytime", true, MS_LAZYTIME}, {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME}, {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID},
    {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},           {"silent", false, MS_SILENT},      {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},         {"sync", false, MS_SYNCHRONOUS},
};

struct PropagationOption {
  const char* name;
  unsigned long flags;
};

const PropagationOption kPropagation[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},       {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},                   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

}  // namespace

MountOptions ParseMountOptions(const std::vector<std::string>& options) {
  MountOptions out;
  for (const std::string& o : options) {
    if (o == "bind") {
      out.bind = true;
      continue;
    }
    if (o == "rbind") {
      out.bind = true;
      out.recursive = true;
      continue;
    }
    bool known = false;
    for (const auto& f : kFlags) {
      if (o == f.name) {
        known = true;
        if (f.clear) {
          out.flags &= ~f.flag;
          out.clear |= f.flag;
        } else {
          out.flags |= f.flag;
          out.clear &= ~f.flag;
        }
      }
    }
    for (const auto& p : kPropagation) {
      if (o == p.name) {
        known = true;
        out.propagation = p.flags;
      }
    }
    if (!known) {
      if (!out.data.empty()) out.data += ",";
      out.data += o;
    }
  }
  return out;
}

unsigned long long MountAttrFromFlags(unsigned long flags, unsigned long clear, unsigned long long* attrClear) {
  unsigned long long set = 0;
  *attrClear = 0;
  struct {
    unsigned long ms;
    unsigned long long attr;
  } const simple[] = {{MS_RDONLY, MOUNT_ATTR_RDONLY},
                      {MS_NOSUID, MOUNT_ATTR_NOSUID},
                      {MS_NODEV, MOUNT_ATTR_NODEV},
                      {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
                      {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}};
  for (const auto& s : simple) {
    if (flags & s.ms) set |= s.attr;
    if (clear & s.ms) *attrClear |= s.attr;
  }
  // The atime mode is one field: setting any of them replaces the others.
  if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
    *attrClear |= MOUNT_ATTR__ATIME;
    if (flags & MS_NOATIME) set |= MOUNT_ATTR_NOATIME;
    else if (flags & MS_STRICTATIME) set |= MOUNT_ATTR_STRICTATIME;
    else set |= MOUNT_ATTR_RELATIME;
  }
  return set;
}

}  // namespace berth::monitor
