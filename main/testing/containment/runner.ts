/**
 * Runs the containment attempts (attempts.ts) in a container of some engine
 * (Berth through its CLI, podman) and reads back one outcome per attempt.
 * The probe is compiled static on the host and mounted read-only at /probe;
 * every attempt but the loopback probe runs in one `--network none` container
 * (each in its own forked process), the loopback probe in a bridge container
 * while the host listens on 127.0.0.1.
 */
import { execFile, execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loopbackAttempt, parseProbeOutput, type Attempt, type HostFacts, type ProbeResult } from './attempts';
import { hostBlockDevices } from './attempts';
import { berthCli } from '../container-helper';

const execFileP = promisify(execFile);

export const PROBE_SOURCE = fileURLToPath(new URL('./probe.c', import.meta.url));

/** Compiles probe.c static into dir/probe (gcc and the libc static archive: Debian's build-essential). */
export function buildProbe(dir: string): string {
  const out = path.join(dir, 'probe');
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-o', out, PROBE_SOURCE], { stdio: 'pipe' });
  return out;
}

/**
 * Host facts for the attempt list. The marker (a file only the host's root
 * has, for the chroot escape) is named now and written by plant(), so a
 * skipped suite leaves nothing behind; dispose() removes it.
 */
export function makeHostFacts(): HostFacts & { plant(): void; dispose(): void } {
  const marker = path.join(os.tmpdir(), `berth-escape-marker-${randomBytes(6).toString('hex')}`);
  return {
    blockDevices: hostBlockDevices(),
    hostPid: process.pid,
    marker,
    plant: () => fs.writeFileSync(marker, 'host\n'),
    dispose: () => fs.rmSync(marker, { force: true }),
  };
}

/** Runs specs with the probe on the host itself (the 'HOST' expectations; only harmless attempts). */
export function runProbeOnHost(probe: string, specs: string[]): Map<string, ProbeResult> {
  if (specs.length === 0) return new Map();
  return parseProbeOutput(execFileSync(probe, specs, { encoding: 'utf8' }));
}

export interface RunOptions {
  probeDir: string;
  specs: string[];
  privileged: boolean;
  bridge: boolean;
  /** Extra engine flags, e.g. ['--security-opt', 'seccomp=/path/profile.json']. */
  extra?: string[];
}

/** An engine that runs `/probe/probe SPEC...` in a fresh busybox container and returns its stdout. */
export interface Engine {
  name: string;
  run(o: RunOptions): Promise<string>;
}

export interface Outcome {
  outcome: string;
  step: string;
}

/**
 * The host side of the loopback probe: a UDP socket on 127.0.0.1:port (the
 * target) and one on every address at controlPort (the probe's control
 * datagrams, sent before and after the raw frame to the gateway).
 */
export class LoopbackListener {
  readonly nonce = randomBytes(8).toString('hex');
  private readonly seen: string[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly target: dgram.Socket,
    private readonly control: dgram.Socket,
  ) {
    const on = (tag: string) => (msg: Buffer) => {
      this.seen.push(`${tag} ${msg.toString()}`);
      for (const w of this.waiters.splice(0)) w();
    };
    target.on('message', on('target'));
    control.on('message', on('control'));
  }

  static async open(): Promise<LoopbackListener> {
    const bind = (s: dgram.Socket, address: string): Promise<void> =>
      new Promise((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, address, () => resolve());
      });
    const target = dgram.createSocket('udp4');
    const control = dgram.createSocket('udp4');
    await bind(target, '127.0.0.1');
    await bind(control, '0.0.0.0');
    return new LoopbackListener(target, control);
  }

  get port(): number {
    return this.target.address().port;
  }

  get controlPort(): number {
    return this.control.address().port;
  }

  attempt(gateway = 'auto'): Attempt {
    return loopbackAttempt({ gateway, port: this.port, controlPort: this.controlPort, nonce: this.nonce });
  }

  /** Every datagram that reached the 127.0.0.1 socket carrying this listener's nonce. */
  received(): string[] {
    return this.seen.filter((s) => s === `target probe ${this.nonce}`);
  }

  /**
   * After the probe reported SENT: waits for its second control datagram (it
   * left after the raw frame, on the same path), then tells whether the frame
   * reached 127.0.0.1. No control datagram at all is an error, never a pass.
   */
  async verdict(timeoutMs = 10_000): Promise<'DROPPED' | 'RECEIVED'> {
    const done = (): boolean => this.seen.includes(`control ctl2 ${this.nonce}`);
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(`the probe's control datagram never reached the host (seen: ${JSON.stringify(this.seen)})`);
      }
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
    // The control datagram went out after the frame; give a reordered frame one more turn of the loop.
    await new Promise((r) => setTimeout(r, 50));
    return this.received().length > 0 ? 'RECEIVED' : 'DROPPED';
  }

  close(): void {
    this.target.close();
    this.control.close();
  }
}

/** Runs the attempts under one engine and mode; the loopback probe only when a listener is given. */
export async function runAttempts(
  engine: Engine,
  list: Attempt[],
  o: { probeDir: string; privileged: boolean; extra?: string[]; loopback?: LoopbackListener },
): Promise<Map<string, Outcome>> {
  const results = new Map<string, Outcome>();
  const plain = list.filter((a) => !a.bridge);
  const stdout = await engine.run({
    probeDir: o.probeDir,
    specs: plain.map((a) => a.spec),
    privileged: o.privileged,
    bridge: false,
    ...(o.extra ? { extra: o.extra } : {}),
  });
  const parsed = parseProbeOutput(stdout);
  for (const a of plain) {
    const r = parsed.get(a.spec);
    results.set(a.id, r ? { outcome: r.outcome, step: r.step } : { outcome: 'NOREPORT', step: stdout.slice(-200) });
  }
  const probe = list.find((a) => a.bridge);
  if (probe && o.loopback) {
    const out = await engine.run({
      probeDir: o.probeDir,
      specs: [probe.spec],
      privileged: o.privileged,
      bridge: true,
      ...(o.extra ? { extra: o.extra } : {}),
    });
    const r = parseProbeOutput(out).get(probe.spec);
    if (!r) results.set(probe.id, { outcome: 'NOREPORT', step: out.slice(-200) });
    else if (r.outcome === 'SENT') results.set(probe.id, { outcome: await o.loopback.verdict(), step: r.step });
    else results.set(probe.id, { outcome: r.outcome, step: r.step });
  }
  return results;
}

/** The run arguments both engines share: network, privilege, extras, the probe mount, the image and the attempts. */
function probeRunArgs(o: Parameters<Engine['run']>[0], image: string): string[] {
  return [
    '--network',
    o.bridge ? 'bridge' : 'none',
    ...(o.privileged ? ['--privileged'] : []),
    ...(o.extra ?? []),
    '-v',
    `${o.probeDir}:/probe:ro`,
    image,
    '/probe/probe',
    ...o.specs,
  ];
}

/** Berth through its CLI against the helper at socketPath (its bridge comes from the helper's environment). */
export function berthEngine(socketPath: string, image = 'busybox:latest'): Engine {
  return {
    name: 'berth',
    run: async (o) => {
      const args = ['run', '--rm', ...probeRunArgs(o, image)];
      const r = await berthCli(socketPath, args, { timeoutMs: 120_000 });
      if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
  };
}

/**
 * podman with runc (crun fails on hybrid cgroups here) and Berth's own
 * rlimits; `base` holds global flags (a private --root/--runroot).
 */
export function podmanEngine(image: string, base: string[] = []): Engine {
  return {
    name: 'podman',
    run: async (o) => {
      const args = [
        ...base,
        'run',
        '--rm',
        '--runtime',
        'runc',
        '--ulimit',
        'nofile=1024:1024',
        '--ulimit',
        'nproc=1024:1024',
        ...probeRunArgs(o, image),
      ];
      const { stdout } = await execFileP('podman', args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
      return stdout;
    },
  };
}

/** Loads the busybox test image into podman from a docker-archive tar; returns the name to run. */
export function podmanLoad(tarFile: string, base: string[] = []): string {
  const out = execFileSync('podman', [...base, 'load', '-i', tarFile], { encoding: 'utf8' });
  const m = /Loaded image(?:\(s\))?:\s*(\S+)/.exec(out);
  if (!m) throw new Error(`podman load printed no image name: ${out}`);
  return m[1]!;
}

export function podmanAvailable(): boolean {
  try {
    execFileSync('podman', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
