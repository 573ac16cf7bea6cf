/**
 * The seccomp profile format users already have: Docker's JSON
 * (moby `profiles/seccomp`), a superset of the OCI runtime spec's
 * `linux.seccomp`. Docker's extensions (`archMap`, per-rule `includes` /
 * `excludes` by capability, architecture and minimum kernel) are resolved by
 * `resolve.ts` before the monitor compiles the result with libseccomp.
 *
 * Like Docker's decoder, unknown keys (`comment`, …) are ignored; what we
 * cannot honour (`listenerPath`, SCMP_ACT_NOTIFY, filter `flags`) is refused,
 * never dropped silently.
 */
import { z } from 'zod';

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
] as const;

export const SECCOMP_OPS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;

const Action = z.enum(SECCOMP_ACTIONS, {
  message: `one of ${SECCOMP_ACTIONS.join(', ')} (SCMP_ACT_NOTIFY is not supported)`,
});
const Op = z.enum(SECCOMP_OPS, { message: `one of ${SECCOMP_OPS.join(', ')}` });

/**
 * Argument values are 64-bit in the kernel, but a JSON number read by
 * JavaScript keeps 53 bits: larger values would be changed silently, so they
 * are refused.
 */
const ArgValue = z
  .number()
  .refine((n) => Number.isInteger(n) && n >= 0, { message: 'a non-negative integer' })
  .refine((n) => n <= Number.MAX_SAFE_INTEGER, {
    message: 'at most 2^53-1 (a larger JSON number cannot be read exactly here)',
  });

const Errno = z.number().int().min(0).max(4095);

const ArchName = z.string().regex(/^SCMP_ARCH_[A-Z0-9_]+$/, 'an architecture like SCMP_ARCH_X86_64');

export const SeccompArg = z.object({
  index: z.number().int().min(0).max(5),
  value: ArgValue.default(0),
  valueTwo: ArgValue.default(0),
  op: Op,
});

const CapName = z.string().regex(/^CAP_[A-Z_]+$/, 'a capability like CAP_SYS_ADMIN');

export const SeccompFilter = z.object({
  caps: z.array(CapName).nullish(),
  arches: z.array(z.string().min(1)).nullish(),
  minKernel: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'a kernel version like 4.8')
    .nullish(),
});

export const SeccompSyscall = z
  .object({
    /** Docker's older single-name form. */
    name: z.string().min(1).max(64).optional(),
    names: z.array(z.string().min(1).max(64)).max(4096).nullish(),
    action: Action,
    errnoRet: Errno.nullish(),
    args: z.array(SeccompArg).max(6).nullish(),
    includes: SeccompFilter.nullish(),
    excludes: SeccompFilter.nullish(),
  })
  .superRefine((s, ctx) => {
    if (s.name !== undefined && s.names) ctx.addIssue({ code: 'custom', message: "use either 'name' or 'names'" });
    if (s.name === undefined && !s.names?.length) {
      ctx.addIssue({ code: 'custom', path: ['names'], message: 'at least one syscall name' });
    }
    if (s.errnoRet != null && s.action !== 'SCMP_ACT_ERRNO' && s.action !== 'SCMP_ACT_TRACE') {
      ctx.addIssue({ code: 'custom', path: ['errnoRet'], message: 'only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE' });
    }
  });

export const SeccompProfile = z
  .object({
    defaultAction: Action,
    defaultErrnoRet: Errno.nullish(),
    architectures: z.array(ArchName).max(32).nullish(),
    archMap: z
      .array(z.object({ architecture: ArchName, subArchitectures: z.array(ArchName).nullish() }))
      .max(32)
      .nullish(),
    syscalls: z.array(SeccompSyscall).max(4096).nullish(),
    flags: z.array(z.string()).max(0, { message: 'filter flags are not supported' }).nullish(),
    listenerPath: z.unknown().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.listenerPath !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['listenerPath'], message: 'seccomp notify listeners are not supported' });
    }
    if (p.architectures?.length && p.archMap?.length) {
      ctx.addIssue({ code: 'custom', path: ['archMap'], message: "use either 'architectures' or 'archMap'" });
    }
  });

export type SeccompProfileT = z.infer<typeof SeccompProfile>;
export type SeccompSyscallT = z.infer<typeof SeccompSyscall>;
