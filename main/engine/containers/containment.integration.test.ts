/**
 * The containment suite, for real (root): every attempt of
 * main/testing/containment/attempts.ts — host devices, new namespaces and
 * mounts, kernel interfaces, escapes — made by root inside a default
 * `berth run --rm busybox` container (`--network none`; the loopback probe on
 * a bridge), each asserted by the errno it must get. Then the same attempts
 * under `--privileged`, where the ones that should succeed do (so the suite
 * cannot pass because the probe is broken), and a Docker-format seccomp
 * profile given with `--security-opt seccomp=FILE`, which replaces the
 * default one.
 *
 * The probe (probe.c) is compiled static in beforeAll and mounted read-only
 * at /probe. Expectations marked 'HOST' are what the same probe gets as root
 * on the host (e.g. this kernel has no /dev/mem driver: ENXIO).
 * bench/containment-compare.bench.test.ts prints the same attempts against podman.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, expectedOutcome, hostRunnable, type ProbeResult } from '../../testing/containment/attempts';
import {
  LoopbackListener,
  berthEngine,
  buildProbe,
  makeHostFacts,
  runAttempts,
  runProbeOnHost,
  type Engine,
  type Outcome,
} from '../../testing/containment/runner';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { openContainerSuite, testBridge, type ContainerSuite } from '../../testing/container-helper';

const isRoot = process.getuid?.() === 0;
const facts = makeHostFacts();
const list = attempts(facts);

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('containment', () => {
  let suite: ContainerSuite;
  let engine: Engine;
  let probeDir = '';
  let onHost = new Map<string, ProbeResult>();
  const results: Record<'default' | 'privileged', Map<string, Outcome> | null> = { default: null, privileged: null };
  const failures: Partial<Record<'default' | 'privileged', Error>> = {};
  const loopback: Partial<Record<'default' | 'privileged', Outcome>> = {};

  beforeAll(async () => {
    facts.plant();
    suite = await openContainerSuite({ bridge: testBridge('bcn', 253), workPrefix: 'berth-containment-' });
    probeDir = path.join(suite.work, 'probe');
    fs.mkdirSync(probeDir, { mode: 0o755 });
    buildProbe(probeDir);
    onHost = runProbeOnHost(
      path.join(probeDir, 'probe'),
      hostRunnable(list).map((a) => a.spec),
    );
    engine = berthEngine(suite.helper.socketPath);
    for (const mode of ['default', 'privileged'] as const) {
      const listener = await LoopbackListener.open();
      try {
        const r = await runAttempts(engine, [...list, listener.attempt()], {
          probeDir,
          privileged: mode === 'privileged',
          loopback: listener,
        });
        loopback[mode] = r.get('net:host-loopback');
        results[mode] = r;
      } catch (err) {
        failures[mode] = err as Error;
      } finally {
        listener.close();
      }
    }
    // The table the lead reads: attempt, what Berth got, what it must get.
    for (const mode of ['default', 'privileged'] as const) {
      const r = results[mode];
      const lines = [...list.map((a) => a.id), 'net:host-loopback'].map((id) => {
        const a = list.find((x) => x.id === id);
        const want = a ? expectedOutcome(a, mode, onHost) : 'DROPPED';
        const got = r?.get(id);
        const mark = got?.outcome === want ? ' ' : '✗';
        const by = got?.outcome === want ? '' : `  (depends on: ${a?.by.join(', ') ?? 'network guard'})`;
        return `${mark} ${id.padEnd(24)} ${`${got?.outcome ?? '-'} (${got?.step ?? '-'})`.padEnd(44)} ${want}${by}`;
      });
      console.log(`containment, ${mode}: ${failures[mode]?.message.slice(-2000) ?? ''}\n${lines.join('\n')}`);
    }
  }, 600_000);

  afterAll(async () => {
    await suite?.close();
    facts.dispose();
  });

  it('makes at least 30 attempts, every one reported', () => {
    expect(list.length + 1).toBeGreaterThanOrEqual(30);
    expect(fs.readFileSync(facts.marker, 'utf8')).toBe('host\n'); // the escape has something to find
    expect(facts.hostPid).toBeGreaterThan(64); // no pid the container's own namespace could hold
    expect(failures.default).toBeUndefined();
    expect([...results.default!.values()].filter((r) => r.outcome === 'NOREPORT')).toEqual([]);
  });

  describe('a default container', () => {
    it.each(list.map((a) => [a.id, a] as const))('%s is refused', (_id, a) => {
      const got = results.default?.get(a.id);
      expect({ id: a.id, outcome: got?.outcome, step: got?.step }).toEqual({
        id: a.id,
        outcome: expectedOutcome(a, 'default', onHost),
        step: got?.step,
      });
    });

    it('net:host-loopback: a raw frame to 127.0.0.1 through the bridge is dropped', () => {
      expect(loopback.default?.outcome).toBe('DROPPED');
    });
  });

  describe('a --privileged container', () => {
    it.each(list.map((a) => [a.id, a] as const))('%s gets what it must', (_id, a) => {
      expect(failures.privileged).toBeUndefined();
      const got = results.privileged?.get(a.id);
      expect({ id: a.id, outcome: got?.outcome, why: a.privilegedWhy }).toEqual({
        id: a.id,
        outcome: expectedOutcome(a, 'privileged', onHost),
        why: a.privilegedWhy,
      });
    });

    it('succeeds where the default container was refused (the suite is not vacuous)', () => {
      const opened = list.filter((a) => results.privileged?.get(a.id)?.outcome === 'OK');
      expect(opened.length).toBeGreaterThanOrEqual(15);
      for (const a of opened) expect(results.default?.get(a.id)?.outcome).not.toBe('OK');
    });

    it('net:host-loopback: still dropped (the guard is on the host)', () => {
      expect(loopback.privileged?.outcome).toBe('DROPPED');
    });
  });

  describe('--security-opt seccomp=FILE (Docker format)', () => {
    it('is honoured: uname gets the profile errno, and the default profile is replaced', async () => {
      const profile = path.join(suite.work, 'profile.json');
      fs.writeFileSync(
        profile,
        JSON.stringify({
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
          syscalls: [{ names: ['uname'], action: 'SCMP_ACT_ERRNO', errnoRet: 18 }],
        }),
      );
      const specs = ['uname', 'key,keyctl'];
      const run = async (extra: string[]): Promise<Map<string, string>> => {
        const out = await engine.run({ probeDir, specs, privileged: false, bridge: false, extra });
        return new Map(out.split('\n').map((l) => [l.split('\t')[0]!, l.split('\t')[1] ?? '']));
      };
      const custom = await run(['--security-opt', `seccomp=${profile}`]);
      expect(custom.get('uname')).toBe('EXDEV'); // errnoRet 18
      expect(custom.get('key,keyctl')).toBe('OK'); // the default profile would refuse it
      const byDefault = await run([]);
      expect(byDefault.get('uname')).toBe('OK');
      expect(byDefault.get('key,keyctl')).toBe('EPERM');
    }, 120_000);
  });
});
