import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKER_DEFAULT_CAPABILITIES, monitorPath } from '../../../native/monitor';
import { BerthError } from '../../../preload/errors';
import { archNames } from './arch';
import { CLONE_NAMESPACE_FLAGS, DEFAULT_SECCOMP_PROFILE } from './default-profile';
import { filterKey, SeccompFilters } from './filters';
import { parseProfile, resolveProfile, type ResolvedProfile } from './resolve';
import { kernelSeccomp } from './status';

const amd64 = archNames('x64');
const arm64 = archNames('arm64');

/** Docker's profile format with every field it uses (written for this test, in the shape of moby's default.json). */
const DOCKER_SHAPED = JSON.stringify({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    { architecture: 'SCMP_ARCH_RISCV64', subArchitectures: null },
  ],
  syscalls: [
    { names: ['read', 'write', 'exit_group', 'execve'], action: 'SCMP_ACT_ALLOW', comment: 'ignored' },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] },
    },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { name: 'personality', action: 'SCMP_ACT_ALLOW', args: null, includes: {}, excludes: {} },
  ],
});

const ctx = (bounding: readonly string[], arch = amd64, kernel = '6.1.0') => ({ bounding, arch, kernel });
const rulesFor = (r: ResolvedProfile, name: string) => r.syscalls.filter((s) => s.names.includes(name));

function invalid(text: string): BerthError {
  try {
    parseProfile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(BerthError);
    expect((e as BerthError).code).toBe('SECCOMP_PROFILE_INVALID');
    return e as BerthError;
  }
  throw new Error(`accepted: ${text}`);
}

describe('profile schema', () => {
  it('accepts the Docker format (archMap, includes/excludes, legacy name, comments) and our default', () => {
    const p = parseProfile(DOCKER_SHAPED);
    expect(p.syscalls).toHaveLength(8);
    expect(parseProfile(JSON.stringify(DEFAULT_SECCOMP_PROFILE)).syscalls?.length).toBe(
      DEFAULT_SECCOMP_PROFILE.syscalls?.length,
    );
    // OCI's plain form
    parseProfile('{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[]}');
  });

  it.each([
    ['not json', '{', '(profile)'],
    ['no defaultAction', '{}', 'defaultAction'],
    ['unknown action', '{"defaultAction":"SCMP_ACT_NOTIFY"}', 'defaultAction'],
    [
      'bad op',
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW"},{"names":["b"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}',
      'syscalls[1].args[0].op',
    ],
    [
      'arg index 6',
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["b"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}',
      'syscalls[0].args[0].index',
    ],
    [
      'value above 2^53',
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["b"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}',
      'syscalls[0].args[0].value',
    ],
    [
      'errnoRet with allow',
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["b"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}',
      'syscalls[0].errnoRet',
    ],
    [
      'no names',
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]}',
      'syscalls[0].names',
    ],
    [
      'both arch forms',
      '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}',
      'archMap',
    ],
    ['bad arch', '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["x86_64"]}', 'architectures[0]'],
    ['listener', '{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/x.sock"}', 'listenerPath'],
    ['flags', '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"]}', 'flags'],
    ['errno too big', '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000}', 'defaultErrnoRet'],
  ])('refuses %s, naming the field', (_what, text, field) => {
    const e = invalid(text);
    expect(e.details?.field).toBe(field);
    if (field !== '(profile)') expect(e.message).toContain(field);
  });
});

describe('resolution per container', () => {
  const docker = parseProfile(DOCKER_SHAPED);

  it('x86_64 takes its archMap entry: the i386 and x32 ABIs are filtered too', () => {
    expect(resolveProfile(docker, ctx([])).architectures).toEqual([
      'SCMP_ARCH_X86_64',
      'SCMP_ARCH_X86',
      'SCMP_ARCH_X32',
    ]);
    expect(resolveProfile(docker, ctx([], arm64)).architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(resolveProfile(docker, ctx([], archNames('riscv64'))).architectures).toEqual(['SCMP_ARCH_RISCV64']);
  });

  it('includes.arches / excludes.arches compare the Go name of the native architecture', () => {
    expect(rulesFor(resolveProfile(docker, ctx([])), 'arch_prctl')).toHaveLength(1);
    expect(rulesFor(resolveProfile(docker, ctx([], arm64)), 'arch_prctl')).toHaveLength(0);
    const def = (arch: ReturnType<typeof archNames>) =>
      resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx(DOCKER_DEFAULT_CAPABILITIES, arch));
    expect(rulesFor(def(arm64), 'set_tls')).toHaveLength(1);
    expect(rulesFor(def(amd64), 'set_tls')).toHaveLength(0);
    expect(rulesFor(def(amd64), 'modify_ldt')).toHaveLength(1);
    // s390x passes clone's flags second
    expect(rulesFor(def(archNames('s390x')), 'clone')[0]?.args?.[0]?.index).toBe(1);
    expect(rulesFor(def(amd64), 'clone')[0]?.args?.[0]?.index).toBe(0);
  });

  it('includes.minKernel compares the running kernel', () => {
    expect(rulesFor(resolveProfile(docker, ctx([], amd64, '4.4.0-210-generic')), 'ptrace')).toHaveLength(0);
    expect(rulesFor(resolveProfile(docker, ctx([], amd64, '4.8')), 'ptrace')).toHaveLength(1);
    expect(rulesFor(resolveProfile(docker, ctx([], amd64, '6.18.44-fc')), 'ptrace')).toHaveLength(1);
  });

  it('capability rules follow the bounding set (any case, CAP_ prefix optional)', () => {
    const plain = resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx(DOCKER_DEFAULT_CAPABILITIES));
    for (const name of [
      'unshare',
      'mount',
      'setns',
      'bpf',
      'perf_event_open',
      'open_by_handle_at',
      'settimeofday',
      'init_module',
      'finit_module',
      'keyctl',
      'add_key',
      'request_key',
      'reboot',
      'kexec_load',
      'iopl',
      'ptrace_attach',
    ]) {
      expect(
        rulesFor(plain, name).filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args),
        name,
      ).toHaveLength(0);
    }
    // clone only without namespace flags, clone3 → ENOSYS
    const clone = rulesFor(plain, 'clone');
    expect(clone).toEqual([
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
    ]);
    expect(rulesFor(plain, 'clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
    // chroot: CAP_SYS_CHROOT is in Docker's set
    expect(rulesFor(plain, 'chroot')).toHaveLength(1);
    // socket: never AF_VSOCK
    const families = rulesFor(plain, 'socket').map((r) => r.args?.[0]);
    expect(families.some((a) => a?.op === 'SCMP_CMP_EQ' && a.value === 40)).toBe(false);
    expect(families.some((a) => a?.op === 'SCMP_CMP_LT' && a.value <= 40)).toBe(true);

    const admin = resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx([...DOCKER_DEFAULT_CAPABILITIES, 'sys_admin']));
    expect(rulesFor(admin, 'unshare')).toHaveLength(1);
    expect(rulesFor(admin, 'clone').every((r) => !r.args)).toBe(true);
    expect(rulesFor(admin, 'clone3').every((r) => r.action === 'SCMP_ACT_ALLOW')).toBe(true);
    const time = resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx([...DOCKER_DEFAULT_CAPABILITIES, 'CAP_SYS_TIME']));
    expect(rulesFor(time, 'settimeofday')).toHaveLength(1);
  });

  it('the legacy name form becomes names', () => {
    expect(rulesFor(resolveProfile(docker, ctx([])), 'personality')).toEqual([
      { names: ['personality'], action: 'SCMP_ACT_ALLOW' },
    ]);
  });
});

describe('compile cache', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-seccomp-'));
    dirs.push(d);
    return path.join(d, 'seccomp');
  };

  it('the key covers the resolved profile and the compiler', () => {
    const a = resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx(DOCKER_DEFAULT_CAPABILITIES));
    const b = resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx([...DOCKER_DEFAULT_CAPABILITIES].reverse()));
    const c = resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx([...DOCKER_DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']));
    const d = resolveProfile(DEFAULT_SECCOMP_PROFILE, ctx(DOCKER_DEFAULT_CAPABILITIES, arm64));
    expect(filterKey(a, 'm1')).toBe(filterKey(b, 'm1'));
    expect(filterKey(a, 'm1')).not.toBe(filterKey(c, 'm1'));
    expect(filterKey(a, 'm1')).not.toBe(filterKey(d, 'm1'));
    expect(filterKey(a, 'm1')).not.toBe(filterKey(a, 'm2'));
  });

  it('no filter for unconfined or privileged', async () => {
    const f = new SeccompFilters(tmp());
    expect(await f.forContainer({ privileged: false, seccomp: 'unconfined' }, [])).toBeNull();
    expect(await f.forContainer({ privileged: true, seccomp: 'default' }, [])).toBeNull();
  });

  it('compiles each distinct profile once, reuses it across instances (helper restarts)', async () => {
    const dir = tmp();
    const f = new SeccompFilters(dir);
    const sec = { privileged: false, seccomp: 'default' as const };
    const a = (await f.forContainer(sec, DOCKER_DEFAULT_CAPABILITIES))!;
    expect(a.path.startsWith(dir)).toBe(true);
    expect(fs.statSync(a.path).size).toBe(a.instructions * 8);
    expect(a.instructions).toBeGreaterThan(50);
    const mtime = fs.statSync(a.path).mtimeMs;
    expect(await f.forContainer(sec, [...DOCKER_DEFAULT_CAPABILITIES].reverse())).toBe(a);
    const again = (await new SeccompFilters(dir).forContainer(sec, DOCKER_DEFAULT_CAPABILITIES))!;
    expect(again.key).toBe(a.key);
    expect(fs.statSync(again.path).mtimeMs).toBe(mtime);
    const admin = (await f.forContainer(sec, [...DOCKER_DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']))!;
    expect(admin.key).not.toBe(a.key);
    expect(
      fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.bpf'))
        .sort(),
    ).toEqual([`${a.key}.bpf`, `${admin.key}.bpf`].sort());
    // a removed cache file is compiled again
    fs.rmSync(a.path);
    expect((await f.forContainer(sec, DOCKER_DEFAULT_CAPABILITIES))!.key).toBe(a.key);
    expect(fs.existsSync(a.path)).toBe(true);
  });

  it('unknown syscall names are skipped and reported; libseccomp refusals are SECCOMP_PROFILE_INVALID', async () => {
    const f = new SeccompFilters(tmp());
    const profile = JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir', 'no_such_syscall'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    });
    const r = (await f.forContainer({ privileged: false, seccomp: { profile } }, []))!;
    expect(r.skipped).toEqual(['no_such_syscall']);
    const badArch = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_NOPE'] });
    await expect(f.forContainer({ privileged: false, seccomp: { profile: badArch } }, [])).rejects.toMatchObject({
      code: 'SECCOMP_PROFILE_INVALID',
    });
  });

  it('the monitor binary exists for these tests', () => {
    expect(fs.existsSync(monitorPath())).toBe(true);
  });
});

describe('kernel read-back', () => {
  it('reads Seccomp and Seccomp_filters from /proc/PID/status', () => {
    expect(kernelSeccomp('Name:\tsh\nSeccomp:\t2\nSeccomp_filters:\t1\n')).toEqual({ mode: 2, filters: 1 });
    expect(kernelSeccomp('Name:\tsh\n')).toEqual({ mode: null, filters: null });
    expect(kernelSeccomp(fs.readFileSync('/proc/self/status', 'utf8')).mode).not.toBeNull();
  });
});
