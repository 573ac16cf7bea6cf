/**
 * Choosing an image for a platform from an index, as containerd's default
 * matcher does: os and architecture must match; the variant must match,
 * where an arm host also runs older arm variants (v7 runs v6 and v5), arm64
 * treats "v8" and no variant alike, and amd64 prefers no variant / "v1".
 * Attestation manifests (platform unknown/unknown) are never chosen.
 */
import type { Descriptor, ImageIndex, Platform } from '../oci-types';
import { isManifestMediaType } from '../oci-types';
import type { RegistryErrorDetails } from './errors';
import { BerthError } from '../../../../preload/errors';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

/** The platform Node runs on, in OCI words (process.arch → GOARCH). */
export function hostPlatform(arch: string = process.arch, os: string = process.platform): PlatformSpec {
  const goos = os === 'win32' ? 'windows' : os;
  switch (arch) {
    case 'x64':
      return { os: goos, architecture: 'amd64' };
    case 'arm64':
      return { os: goos, architecture: 'arm64', variant: 'v8' };
    case 'arm':
      return { os: goos, architecture: 'arm', variant: 'v7' };
    case 'ia32':
      return { os: goos, architecture: '386' };
    case 'ppc64':
      return { os: goos, architecture: 'ppc64le' };
    case 'loong64':
      return { os: goos, architecture: 'loong64' };
    default:
      return { os: goos, architecture: arch }; // s390x, riscv64, mips64el spell the same
  }
}

/** "linux/arm/v7" */
export function formatPlatform(p: { os: string; architecture: string; variant?: string | undefined }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Parses "linux/arm64/v8" / "linux/amd64". */
export function parsePlatform(s: string): PlatformSpec {
  const [os, architecture, variant, extra] = s.split('/');
  if (!os || !architecture || extra !== undefined || variant === '') {
    throw new BerthError('PLATFORM_NOT_FOUND', `invalid platform "${s.slice(0, 100)}": expected os/arch[/variant]`, {});
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** Normalizes what registries write (x86_64, aarch64, armhf) and the arm64 / amd64 default variants. */
export function normalizePlatform(p: { os: string; architecture: string; variant?: string | undefined }): PlatformSpec {
  let arch = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  if (arch === 'x86_64' || arch === 'x86-64') arch = 'amd64';
  if (arch === 'aarch64') arch = 'arm64';
  if (arch === 'armhf') [arch, variant] = ['arm', 'v7'];
  if (arch === 'armel') [arch, variant] = ['arm', 'v6'];
  if (arch === 'arm64' && (variant === undefined || variant === '8')) variant = 'v8';
  if (arch === 'amd64' && variant === 'v1') variant = undefined;
  if (arch === 'arm' && variant === undefined) variant = 'v7';
  if (arch === 'arm' && /^[0-9]$/.test(variant ?? '')) variant = `v${variant}`;
  const out: PlatformSpec = { os: p.os.toLowerCase(), architecture: arch };
  if (variant) out.variant = variant;
  return out;
}

/** Variants a host variant runs, best first. */
function acceptedVariants(want: PlatformSpec): Array<string | undefined> {
  if (want.architecture === 'arm') {
    const order = ['v8', 'v7', 'v6', 'v5'];
    const i = order.indexOf(want.variant ?? 'v7');
    return i === -1 ? [want.variant] : order.slice(i);
  }
  return [want.variant];
}

/** How well `p` fits `want`: a rank (lower is better) or undefined when it does not. */
export function platformRank(p: Platform | undefined, want: PlatformSpec): number | undefined {
  if (!p) return undefined;
  const have = normalizePlatform(p);
  const w = normalizePlatform(want);
  if (have.os !== w.os || have.architecture !== w.architecture) return undefined;
  const i = acceptedVariants(w).indexOf(have.variant);
  return i === -1 ? undefined : i;
}

/** Whether a config's platform (os/architecture/variant) fits `want`. */
export function platformMatches(
  p: { os: string; architecture: string; variant?: string | undefined },
  want: PlatformSpec,
): boolean {
  return platformRank(p, want) !== undefined;
}

/**
 * The manifest descriptor of `index` for `want` (default: the host).
 * Throws PLATFORM_NOT_FOUND listing what the index offers.
 */
export function resolvePlatform(
  index: ImageIndex,
  want: PlatformSpec = hostPlatform(),
  details: RegistryErrorDetails = {},
): Descriptor {
  let best: { d: Descriptor; rank: number } | undefined;
  for (const d of index.manifests) {
    if (!isManifestMediaType(d.mediaType) && d.mediaType !== undefined) continue;
    if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue;
    const rank = platformRank(d.platform, want);
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { d, rank };
  }
  if (best) return best.d;
  const offered = index.manifests
    .filter((d) => d.platform && d.platform.os !== 'unknown')
    .map((d) => formatPlatform(d.platform as Platform));
  throw new BerthError(
    'PLATFORM_NOT_FOUND',
    `no image for ${formatPlatform(want)} in the index (it has: ${offered.join(', ') || 'no platforms'})`,
    { ...details, wanted: formatPlatform(want), offered },
  );
}
