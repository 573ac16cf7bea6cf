/**
 * cgroup v2 device rules as a BPF_PROG_TYPE_CGROUP_DEVICE program, generated
 * the way runc's libcontainer/cgroups/devices/devicefilter and crun's ebpf.c
 * do (our own code): the kernel calls it with a struct bpf_cgroup_dev_ctx
 * { u32 access_type (access << 16 | type); u32 major; u32 minor } and the
 * program answers 1 (allow) or 0 (deny, the syscall gets EPERM).
 *
 *   r2 = ctx->access_type & 0xffff      device type: 1 block, 2 char
 *   r3 = ctx->access_type >> 16         access: 1 mknod, 2 read, 4 write
 *   r4 = ctx->major
 *   r5 = ctx->minor
 *   one block per rule, LAST rule first (the last matching rule wins):
 *     if r2 != TYPE goto next           (absent for type a)
 *     r1 = r3 & ACCESS; if r1 != r3 goto next   (absent for rwm)
 *     if r4 != MAJOR goto next          (absent for *)
 *     if r5 != MINOR goto next          (absent for *)
 *     r0 = ALLOW; exit
 *   next: …
 *   r0 = DEFAULT; exit
 *
 * An `a` rule resets everything before it (as a v1 `devices.deny a` does):
 * the last one gives the default answer and only the rules after it become
 * blocks. A request matches a block only when every access it asks for is in
 * the rule's access, so `c 1:3 r` does not decide an open for read+write.
 */
import type { DeviceRule } from '../../../../preload/schemas/resources';

export interface BpfInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

// Opcodes (linux/bpf_common.h, linux/bpf.h).
export const OP = {
  LDXW: 0x61, // BPF_LDX | BPF_MEM | BPF_W
  AND32K: 0x54, // BPF_ALU | BPF_AND | BPF_K
  RSH32K: 0x74, // BPF_ALU | BPF_RSH | BPF_K
  MOV32X: 0xbc, // BPF_ALU | BPF_MOV | BPF_X
  MOV32K: 0xb4, // BPF_ALU | BPF_MOV | BPF_K
  JNEK: 0x55, // BPF_JMP | BPF_JNE | BPF_K
  JNEX: 0x5d, // BPF_JMP | BPF_JNE | BPF_X
  EXIT: 0x95, // BPF_JMP | BPF_EXIT
} as const;

const DEV_BLOCK = 1; // BPF_DEVCG_DEV_BLOCK
const DEV_CHAR = 2; // BPF_DEVCG_DEV_CHAR
const ACC = { m: 1, r: 2, w: 4 } as const; // BPF_DEVCG_ACC_MKNOD / READ / WRITE

const ins = (code: number, dst: number, src: number, off: number, imm: number): BpfInsn => ({
  code,
  dst,
  src,
  off,
  imm,
});

export function accessMask(access: string): number {
  let m = 0;
  for (const c of access) if (c === 'r' || c === 'w' || c === 'm') m |= ACC[c];
  return m;
}

/** The rules that become blocks and the default answer (see the header). */
export function effectiveRules(rules: readonly DeviceRule[]): { defaultAllow: boolean; exceptions: DeviceRule[] } {
  // The last `a *:* rwm` rule resets: it gives the default, the rules after it are blocks.
  // Without one, start from deny (v1's state right after Berth's `devices.deny a`);
  // a partial-access `a` rule (`a *:* r`) is a block like any other.
  let last = -1;
  for (let i = 0; i < rules.length; i++) if (rules[i]!.type === 'a' && accessMask(rules[i]!.access) === 7) last = i;
  return { defaultAllow: last >= 0 ? rules[last]!.allow : false, exceptions: rules.slice(last + 1) };
}

function block(r: DeviceRule): BpfInsn[] {
  const checks: Array<(skip: number) => BpfInsn[]> = [];
  if (r.type !== 'a') checks.push((skip) => [ins(OP.JNEK, 2, 0, skip, r.type === 'b' ? DEV_BLOCK : DEV_CHAR)]);
  const acc = accessMask(r.access);
  if (acc !== 7)
    checks.push((skip) => [ins(OP.MOV32X, 1, 3, 0, 0), ins(OP.AND32K, 1, 0, 0, acc), ins(OP.JNEX, 1, 3, skip, 0)]);
  if (r.type !== 'a' && r.major !== '*') checks.push((skip) => [ins(OP.JNEK, 4, 0, skip, r.major as number)]);
  if (r.type !== 'a' && r.minor !== '*') checks.push((skip) => [ins(OP.JNEK, 5, 0, skip, r.minor as number)]);
  // Lay the block out backwards so each jump knows how many instructions follow it.
  let tail: BpfInsn[] = [ins(OP.MOV32K, 0, 0, 0, r.allow ? 1 : 0), ins(OP.EXIT, 0, 0, 0, 0)];
  for (let i = checks.length - 1; i >= 0; i--) {
    const first = checks[i]!(0);
    // The jump is the check's last instruction: skip what follows it in this block.
    const jump = first[first.length - 1]!;
    first[first.length - 1] = { ...jump, off: tail.length };
    tail = [...first, ...tail];
  }
  return tail;
}

/** The program for a rule list. */
export function compileDeviceFilter(rules: readonly DeviceRule[]): BpfInsn[] {
  const { defaultAllow, exceptions } = effectiveRules(rules);
  const out: BpfInsn[] = [
    ins(OP.LDXW, 2, 1, 0, 0),
    ins(OP.AND32K, 2, 0, 0, 0xffff),
    ins(OP.LDXW, 3, 1, 0, 0),
    ins(OP.RSH32K, 3, 0, 0, 16),
    ins(OP.LDXW, 4, 1, 4, 0),
    ins(OP.LDXW, 5, 1, 8, 0),
  ];
  for (let i = exceptions.length - 1; i >= 0; i--) out.push(...block(exceptions[i]!));
  out.push(ins(OP.MOV32K, 0, 0, 0, defaultAllow ? 1 : 0), ins(OP.EXIT, 0, 0, 0, 0));
  return out;
}

/** struct bpf_insn, little-endian: code, dst|src<<4, s16 off, s32 imm. */
export function encodeInsns(insns: readonly BpfInsn[]): Buffer {
  const b = Buffer.alloc(insns.length * 8);
  insns.forEach((x, i) => {
    b.writeUInt8(x.code, i * 8);
    b.writeUInt8((x.dst & 0xf) | ((x.src & 0xf) << 4), i * 8 + 1);
    b.writeInt16LE(x.off, i * 8 + 2);
    b.writeInt32LE(x.imm, i * 8 + 4);
  });
  return b;
}

/**
 * The program's rule table, in the order the program checks it (first match
 * wins), ending with the default: what the Limits tab shows for v2.
 */
export function ruleTable(rules: readonly DeviceRule[]): Array<{ rule: DeviceRule | null; action: 'allow' | 'deny' }> {
  const { defaultAllow, exceptions } = effectiveRules(rules);
  const rows = exceptions
    .slice()
    .reverse()
    .map((r): { rule: DeviceRule | null; action: 'allow' | 'deny' } => ({
      rule: r,
      action: r.allow ? 'allow' : 'deny',
    }));
  rows.push({ rule: null, action: defaultAllow ? 'allow' : 'deny' });
  return rows;
}
