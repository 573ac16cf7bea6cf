/**
 * Test support for the pkexec path, as on a real desktop but without
 * systemd: a system D-Bus, polkitd, a rules file granting one throwaway user
 * Berth's action and nothing else, and the installed helper. Everything this
 * starts or creates is stopped (by pid) or removed afterwards.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { writeBusyboxImage } from './busybox-image';
import { ROOT } from './helper-process';
import { INSTALL_DIR, INSTALLED_LAUNCHER } from '../shared/helper-paths';

const RULE = '/etc/polkit-1/rules.d/49-berth-test.rules';
const BUS = '/run/dbus/system_bus_socket';
const POLKITD = '/usr/lib/polkit-1/polkitd';

export interface PolkitEnv {
  allowed: { name: string; uid: number };
  denied: { name: string; uid: number };
  group: { name: string; gid: number };
  cliJs: string;
  teardown(): Promise<void>;
}

export function polkitAvailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const f of ['/usr/bin/pkexec', POLKITD, '/usr/bin/dbus-daemon', '/usr/sbin/useradd', '/usr/sbin/runuser']) {
    if (!fs.existsSync(f)) return `${f} is missing (scripts/setup-debian.sh installs it)`;
  }
  return null;
}

function busUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(BUS);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The pid runs (a zombie has ended: only its parent's wait is missing). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits up to `ms` for the pid to end; true when it did. */
async function ended(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

function uidOf(name: string): number {
  return Number(sh('id', ['-u', name]).trim());
}

function gidOf(name: string): number {
  return Number(sh('getent', ['group', name]).split(':')[2]);
}

export interface PolkitOptions {
  /** Install the helper with scripts/install-helper.sh (and remove it after, when it was not there). Default true; false when the test installs it itself (a package). */
  installHelper?: boolean;
}

export async function setUpPolkit(prefix: string, opts: PolkitOptions = {}): Promise<PolkitEnv> {
  const installHelper = opts.installHelper ?? true;
  const started: number[] = [];
  const allowedName = `${prefix}1`;
  const deniedName = `${prefix}2`;
  const groupName = `${prefix}g`;

  if (!(await busUp())) {
    fs.mkdirSync('/run/dbus', { recursive: true });
    // A bus that died leaves its pid file behind, and dbus-daemon refuses to start; one that
    // is shutting down (a previous suite's teardown) still holds it for a moment.
    const stale = Number(fs.existsSync('/run/dbus/pid') ? fs.readFileSync('/run/dbus/pid', 'utf8').trim() : '0');
    if (!(stale > 0) || (await ended(stale, 10_000))) fs.rmSync('/run/dbus/pid', { force: true });
    started.push(Number(sh('dbus-daemon', ['--system', '--fork', '--print-pid']).trim()));
  }
  for (const u of [allowedName, deniedName]) {
    try {
      sh('userdel', [u]);
    } catch {
      // not there: fine
    }
  }
  try {
    sh('groupdel', [groupName]);
  } catch {
    // not there
  }
  sh('groupadd', [groupName]);
  sh('useradd', ['-M', '-s', '/bin/sh', '-G', groupName, allowedName]);
  sh('useradd', ['-M', '-s', '/bin/sh', '-G', groupName, deniedName]);
  fs.mkdirSync(path.dirname(RULE), { recursive: true });
  fs.writeFileSync(
    RULE,
    `// Written by Berth's tests; removed after them.\npolkit.addRule(function(action, subject) {\n  if (action.id == "org.berth.helper" && subject.user == "${allowedName}") return polkit.Result.YES;\n});\n`,
  );

  const hadInstall = fs.existsSync(INSTALLED_LAUNCHER);
  if (installHelper) execFileSync('bash', [path.join(ROOT, 'scripts', 'install-helper.sh')], { stdio: 'ignore' });

  if (!execFileSync('ps', ['-eo', 'comm'], { encoding: 'utf8' }).split('\n').includes('polkitd')) {
    const child = spawn(POLKITD, ['--no-debug'], { detached: true, stdio: 'ignore' });
    child.unref();
    if (child.pid) started.push(child.pid);
    await sleep(1000); // it reads the rules and takes its bus name
  }

  return {
    allowed: { name: allowedName, uid: uidOf(allowedName) },
    denied: { name: deniedName, uid: uidOf(deniedName) },
    group: { name: groupName, gid: gidOf(groupName) },
    cliJs: path.join(INSTALL_DIR, 'out', 'main', 'cli.js'),
    teardown: async () => {
      fs.rmSync(RULE, { force: true });
      for (const u of [allowedName, deniedName]) {
        try {
          sh('userdel', [u]);
        } catch {
          // already gone
        }
      }
      try {
        sh('groupdel', [groupName]);
      } catch {
        // already gone
      }
      for (const pid of started.reverse()) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      // Gone before the next suite looks for a bus and a polkitd (a dying one would count as there).
      for (const pid of started) await ended(pid, 10_000);
      if (installHelper && !hadInstall)
        execFileSync('bash', [path.join(ROOT, 'scripts', 'uninstall-helper.sh')], { stdio: 'ignore' });
    },
  };
}

/**
 * As `user` (runuser, through the CLI at `cliJs` and so the user's own helper):
 * loads a busybox image under a tag of its own from a tar the user can read,
 * runs `sh -c script` in a throwaway container (--rm, no network) and removes
 * the image again; resolves with what the container printed.
 */
export async function userRunsBusybox(cliJs: string, user: string, script: string): Promise<string> {
  const asUser = (args: string[]) =>
    promisify(execFile)('runuser', ['-u', user, '--', process.execPath, cliJs, ...args], { cwd: '/' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-user-img-'));
  fs.chmodSync(dir, 0o755);
  const tag = `berth-${user}-${Date.now().toString(36)}:latest`;
  const tar = path.join(dir, 'busybox.tar');
  try {
    await writeBusyboxImage(tar, tag);
    fs.chmodSync(tar, 0o644);
    await asUser(['load', '-i', tar]);
    return (await asUser(['run', '--rm', '--network', 'none', tag, 'sh', '-c', script])).stdout;
  } finally {
    await asUser(['rmi', tag]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
