/**
 * OCI whiteouts (image-spec layer.md) and their overlayfs form:
 *   ".wh.NAME"      → NAME deleted      → char device 0:0 named NAME
 *   ".wh..wh..opq"  → directory opaque  → xattr trusted.overlay.opaque=y on it
 * Other ".wh..wh.*" names are AUFS bookkeeping and carry no meaning for us.
 */
import type fs from 'node:fs';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
export const AUFS_META_PREFIX = '.wh..wh.';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export type WhiteoutKind =
  { kind: 'opaque' } | { kind: 'whiteout'; name: string } | { kind: 'aufs-meta' } | { kind: 'none' };

/** Classifies a base name (the last path component). */
export function classifyWhiteout(base: string): WhiteoutKind {
  if (base === OPAQUE_MARKER) return { kind: 'opaque' };
  if (base.startsWith(AUFS_META_PREFIX)) return { kind: 'aufs-meta' };
  if (base.startsWith(WHITEOUT_PREFIX)) return { kind: 'whiteout', name: base.slice(WHITEOUT_PREFIX.length) };
  return { kind: 'none' };
}

/** An overlayfs whiteout: a character device with device number 0:0. */
export function isOverlayWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}
