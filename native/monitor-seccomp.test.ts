/**
 * berth-monitor's seccomp parts, as root on the real kernel: `seccomp-compile`
 * (libseccomp) and its exit statuses, a compiled filter named in spec.json
 * installed in the container's process (run) and in exec's child, and the
 * step the monitor names when the filter file is missing or not a program.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorState } from './monitor.js';
import {
  MONITOR,
  Fixture,
  execInContainer,
  execSpec,
  runMonitor,
  runToEnd,
  start,
  state,
  stop,
  type Container,
} from '../main/testing/monitor-fixture.js';

const isRoot = process.getuid?.() === 0;

/** mkdir/mkdirat → EACCES, everything else allowed (x86_64 and its 32-bit ABIs). */
const NO_MKDIR = JSON.stringify({
  defaultAction: 'SCMP_ACT_ALLOW',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [{ names: ['mkdir', 'mkdirat', 'not_a_syscall'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
});

function compile(input: string): { status: number | null; bpf: Buffer; stderr: string } {
  const r = spawnSync(MONITOR, ['seccomp-compile'], { input });
  return { status: r.status, bpf: r.stdout, stderr: r.stderr.toString() };
}

describe('berth-monitor seccomp-compile', () => {
  it('writes a BPF program and reports the size and the skipped names', () => {
    const r = compile(NO_MKDIR);
    expect(r.status).toBe(0);
    expect(r.bpf.length % 8).toBe(0);
    expect(JSON.parse(r.stderr)).toEqual({ instructions: r.bpf.length / 8, skipped: ['not_a_syscall'] });
  });

  it('exit 2 and the field for an invalid profile; 2 for an architecture libseccomp does not know', () => {
    const bad = compile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"NOPE"}]}');
    expect(bad.status).toBe(2);
    expect(bad.bpf.length).toBe(0);
    expect(bad.stderr).toContain('syscalls[0].action: unknown action "NOPE"');
    const arch = compile('{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_VAX"]}');
    expect(arch.status).toBe(2);
    expect(arch.stderr).toContain('"vax"');
  });
});

describe.runIf(isRoot)('berth-monitor with a seccomp filter (root)', () => {
  let fx: Fixture;
  let filter: string;
  const running: Container[] = [];

  beforeAll(() => {
    fx = new Fixture();
    filter = path.join(fx.base, 'no-mkdir.bpf');
    fs.writeFileSync(filter, compile(NO_MKDIR).bpf);
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await stop(c);
  });
  afterAll(() => fx.cleanup());

  it('installs the filter in the container process, last: Seccomp 2, mkdir → EACCES, the rest works', async () => {
    const c = fx.container(
      ['sh', '-c', 'grep -E "^(Seccomp|Seccomp_filters|NoNewPrivs):" /proc/self/status; mkdir /x 2>&1; echo rc=$?'],
      (spec) => {
        spec.seccomp = { filter };
      },
    );
    const { exit, stdout } = await runToEnd(c);
    expect(exit.exitCode).toBe(0);
    expect(stdout).toEqual([
      'NoNewPrivs:\t1',
      'Seccomp:\t2',
      'Seccomp_filters:\t1',
      "mkdir: can't create directory '/x': Permission denied",
      'rc=1',
    ]);
  });

  it("exec's child gets the exec spec's filter", async () => {
    const c = fx.container(['sleep', '600']);
    running.push(c);
    await start(c);
    const filtered = await execInContainer(
      c,
      execSpec(['sh', '-c', 'grep ^Seccomp: /proc/self/status; mkdir /y'], (s) => {
        s.seccomp = { filter };
      }),
    );
    expect(filtered.stdout).toBe('Seccomp:\t2\n');
    expect(filtered.stderr).toContain('Permission denied');
    const plain = await execInContainer(c, execSpec(['sh', '-c', 'grep ^Seccomp: /proc/self/status']));
    expect(plain.stdout).toBe('Seccomp:\t0\n');
  });

  it('names the step when the filter is missing or not a program; nothing runs', async () => {
    const missing = fx.container(['true'], (spec) => {
      spec.seccomp = { filter: path.join(fx.base, 'nope.bpf') };
    });
    expect((await runMonitor(missing.stateDir)).code).toBe(1);
    expect(state(missing)).toMatchObject({ status: 'failed', error: { step: 'seccomp', errnoName: 'ENOENT' } });
    const odd = path.join(fx.base, 'odd.bpf');
    fs.writeFileSync(odd, Buffer.alloc(7));
    const bad = fx.container(['true'], (spec) => {
      spec.seccomp = { filter: odd };
    });
    expect((await runMonitor(bad.stateDir)).code).toBe(1);
    const s = state(bad) as Extract<MonitorState, { status: 'failed' }>;
    expect(s.error.step).toBe('seccomp');
    expect(s.error.message).toContain('not a BPF program (7 bytes)');
  });
});
