#include "nsioctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <linux/nsfs.h>

#include "unique_fd.h"

// Older headers lack some of these; the values are kernel ABI.
#ifndef NSIO
#define NSIO 0xb7
#endif
#ifndef NS_GET_USERNS
#define NS_GET_USERNS _IO(NSIO, 0x1)
#endif
#ifndef NS_GET_PARENT
#define NS_GET_PARENT _IO(NSIO, 0x2)
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(NSIO, 0x3)
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID _IO(NSIO, 0x4)
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

namespace berth {

namespace {

bool Fstat(int fd, NsRef* ref) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return false;
  ref->dev = static_cast<uint64_t>(st.st_dev);
  ref->ino = static_cast<uint64_t>(st.st_ino);
  return true;
}

// ioctl that returns a new fd to a related namespace (NS_GET_USERNS,
// NS_GET_PARENT). EPERM means "outside your scope": recorded, not an error.
bool FetchRelated(int fd, unsigned long request, const char* op, const std::string& path,
                  RelatedNs* out, SysError* error) {
  out->asked = true;
  int related = ::ioctl(fd, request);
  if (related < 0) {
    if (errno == EPERM) {
      out->err = EPERM;
      return true;
    }
    *error = PathError(errno, "ioctl", op, path);
    return false;
  }
  UniqueFd owned(related);  // the kernel sets O_CLOEXEC on it
  if (!Fstat(owned.Get(), &out->ref)) {
    *error = PathError(errno, "fstat", (std::string(op) + " result of").c_str(), path);
    return false;
  }
  out->found = true;
  return true;
}

}  // namespace

const char* NsTypeName(int cloneFlag) {
  switch (cloneFlag) {
    case CLONE_NEWCGROUP: return "cgroup";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWNS: return "mnt";
    case CLONE_NEWNET: return "net";
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWTIME: return "time";
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWUTS: return "uts";
    default: return nullptr;
  }
}

bool ReadNsInfo(const std::string& path, NsInfoResult* out, SysError* error) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.Valid()) {
    *error = PathError(errno, "open", "", path);
    return false;
  }
  if (!Fstat(fd.Get(), &out->self)) {
    *error = PathError(errno, "fstat", "", path);
    return false;
  }

  int type = ::ioctl(fd.Get(), NS_GET_NSTYPE);
  if (type < 0) {
    *error = PathError(errno, "ioctl", "NS_GET_NSTYPE", path);
    return false;
  }
  out->type = type;
  out->typeName = NsTypeName(type);
  if (out->typeName == nullptr) {
    // A namespace type newer than this addon: report it instead of guessing.
    *error = PathError(EPROTONOSUPPORT, "ioctl",
                       ("NS_GET_NSTYPE returned unknown type " + std::to_string(type)).c_str(),
                       path);
    return false;
  }

  if (!FetchRelated(fd.Get(), NS_GET_USERNS, "NS_GET_USERNS", path, &out->userns, error)) {
    return false;
  }

  // Only pid and user namespaces are hierarchical; the kernel answers EINVAL
  // for the others, so the call is not made for them (parent stays undefined).
  if (type == CLONE_NEWPID || type == CLONE_NEWUSER) {
    if (!FetchRelated(fd.Get(), NS_GET_PARENT, "NS_GET_PARENT", path, &out->parent, error)) {
      return false;
    }
  }

  if (type == CLONE_NEWUSER) {
    uid_t uid = 0;
    if (::ioctl(fd.Get(), NS_GET_OWNER_UID, &uid) != 0) {
      *error = PathError(errno, "ioctl", "NS_GET_OWNER_UID", path);
      return false;
    }
    out->hasOwnerUid = true;
    out->ownerUid = static_cast<uint32_t>(uid);
  }
  return true;
}

}  // namespace berth
