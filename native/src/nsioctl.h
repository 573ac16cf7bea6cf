// Namespace inspection through nsfs ioctls (see ioctl_ns(2)). Pure syscall
// layer: no N-API here, so it can run on any thread.
#pragma once

#include <stdint.h>

#include <string>

#include "errors.h"

namespace berth {

struct NsRef {
  uint64_t dev = 0;
  uint64_t ino = 0;
};

// A related namespace fetched by an ioctl that may legitimately be refused.
//   asked=false            not applicable for this namespace type (undefined)
//   asked, found           ref is valid
//   asked, !found          the kernel said EPERM: outside the caller's scope
//                          (null + "<field>Error": "EPERM")
struct RelatedNs {
  bool asked = false;
  bool found = false;
  NsRef ref;
  int err = 0;
};

struct NsInfoResult {
  NsRef self;
  int type = 0;                    // CLONE_NEW* value from NS_GET_NSTYPE
  const char* typeName = nullptr;  // "net", "pid", ...
  RelatedNs userns;                // NS_GET_USERNS: owning user namespace
  RelatedNs parent;                // NS_GET_PARENT: pid and user only
  bool hasOwnerUid = false;        // NS_GET_OWNER_UID: user only
  uint32_t ownerUid = 0;
};

// Name for a CLONE_NEW* value, or nullptr if unknown.
const char* NsTypeName(int cloneFlag);

// open(O_RDONLY|O_CLOEXEC) + fstat + the ioctls above. Returns false and
// fills *error on the first failure that is not an expected refusal.
bool ReadNsInfo(const std::string& path, NsInfoResult* out, SysError* error);

}  // namespace berth
