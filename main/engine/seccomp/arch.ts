/**
 * Architecture names: Node's (`process.arch`), Go's (Docker profiles'
 * `includes.arches` / `excludes.arches` compare against GOARCH) and
 * libseccomp's (`SCMP_ARCH_*`, the native one picks the profile's archMap
 * entry). The x32 and i386 ABIs of x86_64 are sub-architectures of
 * SCMP_ARCH_X86_64 in the archMap, as in Docker.
 */
export interface ArchNames {
  /** Docker/Go name: amd64, arm64, … */
  go: string;
  /** libseccomp's: SCMP_ARCH_X86_64, … */
  scmp: string;
}

const BY_NODE: Record<string, ArchNames> = {
  x64: { go: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  arm64: { go: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
  ia32: { go: '386', scmp: 'SCMP_ARCH_X86' },
  arm: { go: 'arm', scmp: 'SCMP_ARCH_ARM' },
  s390x: { go: 's390x', scmp: 'SCMP_ARCH_S390X' },
  ppc64: { go: 'ppc64le', scmp: 'SCMP_ARCH_PPC64LE' },
  riscv64: { go: 'riscv64', scmp: 'SCMP_ARCH_RISCV64' },
  mips64el: { go: 'mips64le', scmp: 'SCMP_ARCH_MIPSEL64' },
  loong64: { go: 'loong64', scmp: 'SCMP_ARCH_LOONGARCH64' },
};

export function archNames(nodeArch: string = process.arch): ArchNames {
  const a = BY_NODE[nodeArch];
  if (!a) throw new Error(`seccomp: unsupported architecture ${nodeArch}`);
  return a;
}
