/**
 * Caps on what one archive may make the engine hold or write. A tar stream
 * compresses extremely well when it is all headers or all zeros, so a few MB
 * of gzip could otherwise make the root helper hold GiBs of PAX records or
 * fill the disk. Each breach has its own stable code; a load or pull that
 * breaches one stores nothing (the staging area goes, the store is untouched).
 *
 * Configured in the helper (flags, or /etc/berth/helper.json: see
 * main/helper/server/settings.ts); main's layer analysis uses the defaults.
 */
export interface ArchiveLimits {
  /**
   * Extension-header bytes (PAX local and global, GNU long names and links)
   * read from one tar stream in all: ARCHIVE_METADATA_TOO_LARGE. What is held
   * at once is smaller still: one entry's chain of headers ≤ 2 × the per-header
   * cap (1 MiB), the global records ≤ 1 MiB.
   */
  metadataBytes: number;
  /** Uncompressed bytes of one layer (its tar stream): LAYER_TOO_LARGE. */
  layerBytes: number;
  /** Uncompressed bytes of all layers of one load or pull: IMAGE_TOO_LARGE. */
  imageBytes: number;
  /**
   * Free bytes the data root's filesystem must keep (at most 1/20 of its size);
   * staging, extraction and commit stop before crossing it: NO_SPACE.
   */
  minFreeBytes: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  metadataBytes: 256 * MiB,
  layerBytes: 64 * GiB,
  imageBytes: 128 * GiB,
  minFreeBytes: 256 * MiB,
};
