#include "errno_name.h"

#include <errno.h>
#include <string.h>

namespace berth {

namespace {

#define BERTH_ERRNO_LIST(X)                                                   \
  X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) X(ENOEXEC)   \
  X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) X(ENOTBLK)      \
  X(EBUSY) X(EEXIST) X(EXDEV) X(ENODEV) X(ENOTDIR) X(EISDIR) X(EINVAL)       \
  X(ENFILE) X(EMFILE) X(ENOTTY) X(ETXTBSY) X(EFBIG) X(ENOSPC) X(ESPIPE)      \
  X(EROFS) X(EMLINK) X(EPIPE) X(EDOM) X(ERANGE) X(EDEADLK) X(ENAMETOOLONG)   \
  X(ENOLCK) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENOMSG) X(EIDRM) X(ENOSTR)     \
  X(ENODATA) X(ETIME) X(ENOSR) X(ENOLINK) X(EPROTO) X(EBADMSG)               \
  X(EOVERFLOW) X(EILSEQ) X(EUSERS) X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE)   \
  X(EPROTOTYPE) X(ENOPROTOOPT) X(EPROTONOSUPPORT) X(ESOCKTNOSUPPORT)         \
  X(EOPNOTSUPP) X(EPFNOSUPPORT) X(EAFNOSUPPORT) X(EADDRINUSE)                \
  X(EADDRNOTAVAIL) X(ENETDOWN) X(ENETUNREACH) X(ENETRESET) X(ECONNABORTED)   \
  X(ECONNRESET) X(ENOBUFS) X(EISCONN) X(ENOTCONN) X(ESHUTDOWN) X(ETIMEDOUT)  \
  X(ECONNREFUSED) X(EHOSTDOWN) X(EHOSTUNREACH) X(EALREADY) X(EINPROGRESS)    \
  X(ESTALE) X(EDQUOT) X(ECANCELED) X(EOWNERDEAD) X(ENOTRECOVERABLE)          \
  X(ENOKEY) X(EKEYEXPIRED) X(EKEYREVOKED) X(EKEYREJECTED) X(ERFKILL)         \
  X(EHWPOISON) X(ENOMEDIUM) X(EMEDIUMTYPE)

// glibc returns char* (GNU strerror_r), POSIX returns int: accept either.
[[maybe_unused]] const char* PickStrerror(const char* gnu, const char*) { return gnu; }
[[maybe_unused]] const char* PickStrerror(int rc, const char* buf) {
  return rc == 0 ? buf : "Unknown error";
}

}  // namespace

std::string ErrnoName(int err) {
  switch (err) {
#define BERTH_ERRNO_CASE(name) \
  case name:                   \
    return #name;
    BERTH_ERRNO_LIST(BERTH_ERRNO_CASE)
#undef BERTH_ERRNO_CASE
    default:
      return "E" + std::to_string(err);
  }
}

std::string ErrnoMessage(int err) {
  char buf[256] = {0};
  return PickStrerror(strerror_r(err, buf, sizeof buf), buf);
}

}  // namespace berth
