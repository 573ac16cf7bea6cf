/**
 * Errors of the image engine. Self-contained on purpose: the shape (code,
 * message, details) matches preload/errors.ts ErrorShape, so the project-wide
 * error type can adopt these without changing any code string.
 */

export const EngineErrorCodes = [
  // tar stream
  'TAR_TRUNCATED', // the stream ended inside a header, a body or before the end marker
  'TAR_BAD_HEADER', // checksum, octal/base-256 field, PAX record or name is malformed
  'TAR_UNSUPPORTED', // GNU sparse, multi-volume and other entry types we do not apply
  'TAR_SIZE_LIMIT', // a declared size exceeds a configured limit
  // archive caps (limits.ts): the operation stores nothing
  'ARCHIVE_METADATA_TOO_LARGE', // PAX / GNU long-name headers past their total, chain or global cap
  'LAYER_TOO_LARGE', // one layer's uncompressed tar past its cap
  'IMAGE_TOO_LARGE', // the uncompressed layers of one load or pull past their cap
  'NO_SPACE', // the data root's free space would drop under its margin
  // extraction policy
  'TAR_PATH_ESCAPE', // an entry path still climbs above the root after cleaning
  'TAR_LINK_ESCAPE', // a hardlink target escapes the root or goes through a symlink
  'TAR_LINK_MISSING', // a hardlink target is not an existing non-directory of this layer
  'TAR_SYMLINK_PARENT', // a parent of the entry is a symlink (this layer or a lower one)
  'TAR_PARENT_NOT_DIR', // a parent of the entry exists in this layer as a non-directory
  'TAR_DEVICE_FORBIDDEN', // char/block device (or fifo when disallowed)
  'TAR_XATTR_FORBIDDEN', // an xattr we must never take from input (trusted.overlay.*)
  'TAR_DUPLICATE', // an ambiguous duplicate (e.g. two blobs with one name in an image archive)
  // streams and blobs
  'COMPRESSION_BAD',
  'DIGEST_INVALID',
  'DIGEST_MISMATCH',
  'MANIFEST_INVALID',
  'MANIFEST_PATH_ESCAPE',
  'BLOB_MISSING',
  'TARGET_EXISTS',
  'NATIVE_OP_FAILED', // an xattr/mknod call failed
  'EXTRACT_FAILED', // a filesystem call failed while applying an entry (details.errno)
] as const;

export type EngineErrorCode = (typeof EngineErrorCodes)[number];

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(
    code: EngineErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isEngineError(err: unknown, code?: EngineErrorCode): err is EngineError {
  return err instanceof EngineError && (code === undefined || err.code === code);
}
