/**
 * Seccomp for real, as root: a default container runs under a filter
 * (Seccomp: 2 in /proc/PID/status, read by the test and by inspect), the
 * syscalls Docker's default profile denies fail with EPERM inside it (the
 * same calls from an unconfined container reach the kernel: a different
 * answer, so the denial is the filter's), clone3 answers ENOSYS, exec
 * sessions get the container's filter, a Docker-format profile passed with
 * `--security-opt seccomp=FILE` is honoured, a bad one is refused with
 * SECCOMP_PROFILE_INVALID before anything is created, and --privileged and
 * seccomp=unconfined run without a filter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import {
  berthCli,
  berthOk,
  openContainerSuite,
  statusField,
  testBridge,
  type ContainerSuite,
} from '../../testing/container-helper';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { buildSyscallProbe, parseProbe } from '../../testing/syscall-probe';

const isRoot = process.getuid?.() === 0;

/** Denied by the default profile with EPERM (the container has Docker's capabilities). */
const DENIED = [
  'keyctl',
  'add_key',
  'request_key',
  'bpf',
  'perf_event_open',
  'open_by_handle_at',
  'settimeofday',
  'clock_settime',
  'init_module',
  'finit_module',
  'unshare_user',
  'unshare_mount',
  'clone_newuser',
  'personality',
  'socket_vsock',
  'mount',
];

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('seccomp (root)', { timeout: 180_000 }, () => {
  const bridge = testBridge('bsc', 238);
  let suite: ContainerSuite;
  let probeDir: string;
  const sock = (): string => suite.helper.socketPath;
  const inspect = async (id: string): Promise<ContainerDetailT> =>
    (await suite.rpc.call('containers.inspect', { id })) as ContainerDetailT;
  const probeVol = (): string[] => ['-v', `${probeDir}:/t:ro`];
  const count = async (): Promise<number> =>
    (await berthOk(sock(), ['ps', '-a', '-q'])).split('\n').filter(Boolean).length;

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge, workPrefix: 'berth-seccomp-it-' });
    probeDir = path.join(suite.work, 'probe');
    buildSyscallProbe(probeDir);
  });

  afterAll(async () => {
    await suite?.close();
  });

  it('a default container runs under the filter: Seccomp 2 in /proc/PID/status and in inspect', async () => {
    const id = (await berthOk(sock(), ['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
    const d = await inspect(id);
    expect(statusField(d.pid!, 'Seccomp')).toBe('2');
    expect(Number(statusField(d.pid!, 'Seccomp_filters'))).toBeGreaterThanOrEqual(1);
    expect(d.seccomp!.profile).toBe('default');
    expect(d.seccomp!.unconfinedBy).toBeNull();
    expect(d.seccomp!.kernel).toEqual({ mode: 2, filters: Number(statusField(d.pid!, 'Seccomp_filters')) });
    expect(d.seccomp!.filter?.key).toMatch(/^[0-9a-f]{64}$/);
    expect(d.seccomp!.filter?.instructions).toBeGreaterThan(50);
    // The compiled filter is in the data root's cache, root-only.
    const file = path.join(suite.helper.dataRoot, 'seccomp', `${d.seccomp!.filter!.key}.bpf`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // berth inspect (CLI) shows the same block.
    const cli = JSON.parse(await berthOk(sock(), ['inspect', id])) as ContainerDetailT[];
    expect(cli[0]!.seccomp!.kernel?.mode).toBe(2);

    // exec sessions get the container's filter too
    const ex = await berthCli(sock(), ['exec', id, 'sh', '-c', 'grep ^Seccomp: /proc/self/status']);
    expect(ex).toMatchObject({ code: 0, stdout: 'Seccomp:\t2\n' });
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('what the default profile denies fails with EPERM; clone3 answers ENOSYS; ordinary calls work', async () => {
    const out = await berthOk(sock(), [
      'run',
      '--rm',
      '--network',
      'none',
      ...probeVol(),
      'busybox',
      '/t/probe',
      ...DENIED,
      'clone3',
      'getpid',
      'chroot',
      'mkdir',
    ]);
    const r = parseProbe(out);
    for (const name of DENIED) expect(`${name}=${r[name]}`).toBe(`${name}=EPERM`);
    expect(r.clone3).toBe('ENOSYS');
    expect(r.getpid).toBe('ok');
    expect(r.chroot).toBe('ok'); // CAP_SYS_CHROOT is in Docker's set: allowed as in Docker
    expect(r.mkdir).toBe('ok');
    // busybox's applets: no user namespace, no mount namespace
    const u = await berthCli(sock(), ['run', '--rm', '--network', 'none', 'busybox', 'unshare', '-U', 'true']);
    expect(u.code).not.toBe(0);
    expect(u.stdout + u.stderr).toMatch(/Operation not permitted/);
    const m = await berthCli(sock(), ['run', '--rm', '--network', 'none', 'busybox', 'unshare', '-m', 'true']);
    expect(m.code).not.toBe(0);
    expect(m.stdout + m.stderr).toMatch(/Operation not permitted/);
  });

  it('seccomp=unconfined: Seccomp 0, and the same calls reach the kernel (so the EPERMs above are the filter)', async () => {
    const id = (
      await berthOk(sock(), [
        'run',
        '-d',
        '--network',
        'none',
        '--security-opt',
        'seccomp=unconfined',
        ...probeVol(),
        'busybox',
        'sleep',
        '600',
      ])
    ).trim();
    const d = await inspect(id);
    expect(statusField(d.pid!, 'Seccomp')).toBe('0');
    expect(d.seccomp).toMatchObject({
      profile: 'unconfined',
      unconfinedBy: 'option',
      filter: null,
      kernel: { mode: 0 },
    });
    const ex = await berthCli(sock(), ['exec', id, '/t/probe', 'keyctl', 'perf_event_open', 'clone3', 'personality']);
    const r = parseProbe(ex.stdout);
    expect(r.keyctl).toBe('ok');
    expect(r.perf_event_open).toBe('EFAULT');
    expect(r.clone3).toBe('EINVAL');
    expect(r.personality).toBe('ok');
    const u = await berthCli(sock(), ['exec', id, 'unshare', '-U', 'true']);
    expect(u.code).toBe(0);
    const st = await berthCli(sock(), ['exec', id, 'sh', '-c', 'grep ^Seccomp: /proc/self/status']);
    expect(st.stdout).toBe('Seccomp:\t0\n');
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('exec sessions of a default container are filtered', async () => {
    const id = (
      await berthOk(sock(), ['run', '-d', '--network', 'none', ...probeVol(), 'busybox', 'sleep', '600'])
    ).trim();
    const r = parseProbe((await berthOk(sock(), ['exec', id, '/t/probe', 'keyctl', 'unshare_user', 'clone3'])) ?? '');
    expect(r).toEqual({ keyctl: 'EPERM', unshare_user: 'EPERM', clone3: 'ENOSYS' });
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('--security-opt seccomp=FILE: a Docker-format profile from the CLI is honoured', async () => {
    const file = path.join(suite.work, 'no-mkdir.json');
    const text = JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, comment: 'EACCES' },
        { names: ['keyctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 95, includes: { caps: ['CAP_CHOWN'] } },
      ],
    });
    fs.writeFileSync(file, text);
    const r = await berthCli(sock(), [
      'run',
      '--rm',
      '--network',
      'none',
      '--security-opt',
      `seccomp=${file}`,
      'busybox',
      'mkdir',
      '/x',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Permission denied/);
    const id = (
      await berthOk(sock(), [
        'run',
        '-d',
        '--network',
        'none',
        '--security-opt',
        `seccomp=${file}`,
        ...probeVol(),
        'busybox',
        'sleep',
        '600',
      ])
    ).trim();
    const d = await inspect(id);
    expect(d.seccomp!.profile).toBe('custom');
    expect(d.seccomp!.kernel?.mode).toBe(2);
    const p = parseProbe(await berthOk(sock(), ['exec', id, '/t/probe', 'mkdir', 'keyctl', 'getpid']));
    // mkdir → EACCES (its errnoRet), keyctl → EOPNOTSUPP (a caps-conditional rule: CAP_CHOWN is granted)
    expect(p).toEqual({ mkdir: 'EACCES', keyctl: 'EOPNOTSUPP', getpid: 'ok' });
    await berthOk(sock(), ['rm', '-f', id]);
  });

  it('a bad profile is refused with SECCOMP_PROFILE_INVALID naming the field; nothing is created', async () => {
    const before = await count();
    const file = path.join(suite.work, 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_NOPE' }] }],
      }),
    );
    const r = await berthCli(sock(), ['run', '--security-opt', `seccomp=${file}`, 'busybox', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SECCOMP_PROFILE_INVALID');
    expect(r.stderr).toContain('syscalls[0].args[0].op');
    fs.writeFileSync(file, '{"defaultAction": ');
    const j = await berthCli(sock(), ['create', '--security-opt', `seccomp=${file}`, 'busybox', 'true']);
    expect(j.code).toBe(1);
    expect(j.stderr).toContain('SECCOMP_PROFILE_INVALID');
    expect(await count()).toBe(before);
  });

  it('--privileged runs without a filter', async () => {
    const { id } = (await suite.rpc.call('containers.create', {
      image: 'busybox',
      command: ['sleep', '600'],
      network: 'none',
      security: { privileged: true },
    })) as { id: string };
    await suite.rpc.call('containers.start', { id });
    const d = await inspect(id);
    expect(statusField(d.pid!, 'Seccomp')).toBe('0');
    expect(d.seccomp).toMatchObject({ profile: 'unconfined', unconfinedBy: 'privileged', filter: null });
    await berthOk(sock(), ['rm', '-f', id]);
  });
});
