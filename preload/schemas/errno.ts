/**
 * Errno names as error codes. A failed system call keeps its errno name as the
 * code (ENOENT, EPERM, …) so the kernel's own answer reaches the UI; these are
 * the names Node can report: Linux's errno.h, libuv's own (EOF, EAI_*),
 * node:dns's and ABORT_ERR. Closed like every other code list: a name missing
 * here reaches the wire as INTERNAL (see preload/errors.ts toErrorShape).
 */

/** errno.h (Linux, with its aliases: EWOULDBLOCK, EDEADLOCK, ENOTSUP). */
// prettier-ignore
export const errnoErrorCodes = [
  'E2BIG', 'EACCES', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EADV', 'EAFNOSUPPORT', 'EAGAIN', 'EALREADY', 'EBADE',
  'EBADF', 'EBADFD', 'EBADMSG', 'EBADR', 'EBADRQC', 'EBADSLT', 'EBFONT', 'EBUSY', 'ECANCELED', 'ECHILD',
  'ECHRNG', 'ECOMM', 'ECONNABORTED', 'ECONNREFUSED', 'ECONNRESET', 'EDEADLK', 'EDEADLOCK', 'EDESTADDRREQ',
  'EDOM', 'EDOTDOT', 'EDQUOT', 'EEXIST', 'EFAULT', 'EFBIG', 'EHOSTDOWN', 'EHOSTUNREACH', 'EHWPOISON', 'EIDRM',
  'EILSEQ', 'EINPROGRESS', 'EINTR', 'EINVAL', 'EIO', 'EISCONN', 'EISDIR', 'EISNAM', 'EKEYEXPIRED',
  'EKEYREJECTED', 'EKEYREVOKED', 'EL2HLT', 'EL2NSYNC', 'EL3HLT', 'EL3RST', 'ELIBACC', 'ELIBBAD', 'ELIBEXEC',
  'ELIBMAX', 'ELIBSCN', 'ELNRNG', 'ELOOP', 'EMEDIUMTYPE', 'EMFILE', 'EMLINK', 'EMSGSIZE', 'EMULTIHOP',
  'ENAMETOOLONG', 'ENAVAIL', 'ENETDOWN', 'ENETRESET', 'ENETUNREACH', 'ENFILE', 'ENOANO', 'ENOBUFS', 'ENOCSI',
  'ENODATA', 'ENODEV', 'ENOENT', 'ENOEXEC', 'ENOKEY', 'ENOLCK', 'ENOLINK', 'ENOMEDIUM', 'ENOMEM', 'ENOMSG',
  'ENONET', 'ENOPKG', 'ENOPROTOOPT', 'ENOSPC', 'ENOSR', 'ENOSTR', 'ENOSYS', 'ENOTBLK', 'ENOTCONN', 'ENOTDIR',
  'ENOTEMPTY', 'ENOTNAM', 'ENOTRECOVERABLE', 'ENOTSOCK', 'ENOTSUP', 'ENOTTY', 'ENOTUNIQ', 'ENXIO',
  'EOPNOTSUPP', 'EOVERFLOW', 'EOWNERDEAD', 'EPERM', 'EPFNOSUPPORT', 'EPIPE', 'EPROTO', 'EPROTONOSUPPORT',
  'EPROTOTYPE', 'ERANGE', 'EREMCHG', 'EREMOTE', 'EREMOTEIO', 'ERESTART', 'ERFKILL', 'EROFS', 'ESHUTDOWN',
  'ESOCKTNOSUPPORT', 'ESPIPE', 'ESRCH', 'ESRMNT', 'ESTALE', 'ESTRPIPE', 'ETIME', 'ETIMEDOUT', 'ETOOMANYREFS',
  'ETXTBSY', 'EUCLEAN', 'EUNATCH', 'EUSERS', 'EWOULDBLOCK', 'EXDEV', 'EXFULL'
] as const;

/** libuv's codes that are not errno names, node:dns's, and ABORT_ERR (Node's AbortError: fs, streams, timers). */
// prettier-ignore
export const runtimeErrorCodes = [
  'ABORT_ERR',
  'EADDRGETNETWORKPARAMS', 'EAI_ADDRFAMILY', 'EAI_AGAIN', 'EAI_BADFLAGS', 'EAI_BADHINTS', 'EAI_CANCELED',
  'EAI_FAIL', 'EAI_FAMILY', 'EAI_MEMORY', 'EAI_NODATA', 'EAI_NONAME', 'EAI_OVERFLOW', 'EAI_PROTOCOL',
  'EAI_SERVICE', 'EAI_SOCKTYPE', 'EBADFAMILY', 'EBADFLAGS', 'EBADHINTS', 'EBADNAME', 'EBADQUERY', 'EBADRESP',
  'EBADSTR', 'ECANCELLED', 'ECHARSET', 'EDESTRUCTION', 'EFILE', 'EFORMERR', 'EFTYPE', 'ELOADIPHLPAPI',
  'ENONAME', 'ENOTFOUND', 'ENOTIMP', 'ENOTINITIALIZED', 'EOF', 'EREFUSED', 'ESERVFAIL', 'ETIMEOUT'
] as const;

export type ErrnoCode = (typeof errnoErrorCodes)[number] | (typeof runtimeErrorCodes)[number];
