// Real tests against the kernel: no mocks. Root-only cases check getuid().
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  isNativeSystemError,
  isNsInfoError,
  nativeAvailable,
  nativeCandidates,
  nsInfo,
  nsInfoMany,
  peerCred,
  type NsInfo,
} from './index.js';

const isRoot = process.getuid?.() === 0;

function socketFd(socket: net.Socket): number {
  return (socket as unknown as { _handle: { fd: number } })._handle.fd;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('loader', () => {
  it('finds the built binary', () => {
    expect(nativeAvailable()).toBe(true);
  });

  it('looks at the fixed place of the bundled, installed and packaged layouts (parts.test.ts: the rest)', () => {
    const env = {};
    expect(nativeCandidates('/work/main/out/main', env)).toEqual(['/work/main/native/build/Release/berth.node']);
    expect(nativeCandidates('/usr/lib/berth/out/main', env)).toEqual([
      '/usr/lib/berth/native/build/Release/berth.node',
    ]);
    expect(nativeCandidates('/work/main/native', env)[0]).toBe('/work/main/native/build/Release/berth.node');
    expect(nativeCandidates('/opt/Berth/resources/app.asar/out/main', env)).toContain(
      '/opt/Berth/resources/app.asar.unpacked/native/build/Release/berth.node',
    );
    expect(nativeCandidates('/work/main/native', { BERTH_NATIVE_PATH: '/y/berth.node' })).toEqual(['/y/berth.node']);
  });

  it('reports NATIVE_NOT_BUILT with the paths tried', async () => {
    const saved = process.env['BERTH_NATIVE_PATH'];
    process.env['BERTH_NATIVE_PATH'] = '/nonexistent/berth-test/berth.node';
    try {
      vi.resetModules();
      const fresh = await import('./index.js');
      expect(fresh.nativeAvailable()).toBe(false);
      const err = thrown(() => fresh.nsInfo('/proc/self/ns/net')) as Error & { code?: string };
      expect(err.code).toBe('NATIVE_NOT_BUILT');
      expect(err.message).toContain('npm install');
      expect(err.message).toContain('/nonexistent/berth-test/berth.node');
    } finally {
      if (saved === undefined) delete process.env['BERTH_NATIVE_PATH'];
      else process.env['BERTH_NATIVE_PATH'] = saved;
      vi.resetModules();
    }
  });
});

describe('peerCred', () => {
  let dir: string;
  let server: net.Server;
  let sockPath: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-native-'));
    sockPath = path.join(dir, 's.sock');
    server = net.createServer();
    server.listen(sockPath);
    await once(server, 'listening');
  });

  afterAll(async () => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function connectPair(): Promise<{ client: net.Socket; accepted: net.Socket }> {
    const acceptedP = once(server, 'connection') as Promise<[net.Socket]>;
    const client = net.createConnection(sockPath);
    await once(client, 'connect');
    const [accepted] = await acceptedP;
    return { client, accepted };
  }

  it('reports this process on both ends of a connected socket pair', async () => {
    const { client, accepted } = await connectPair();
    try {
      const expected = { pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() };
      expect(peerCred(socketFd(accepted))).toEqual(expected);
      expect(peerCred(socketFd(client))).toEqual(expected);
    } finally {
      client.destroy();
      accepted.destroy();
    }
  });

  it.runIf(isRoot)('reports another process with another uid (root only)', async () => {
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(sockPath, 0o777);
    const acceptedP = once(server, 'connection') as Promise<[net.Socket]>;
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s=require('net').createConnection(${JSON.stringify(sockPath)});s.on('connect',()=>setTimeout(()=>s.end(),5000));`,
      ],
      { uid: 65534, gid: 65534, stdio: 'ignore' },
    );
    try {
      const [accepted] = await acceptedP;
      expect(peerCred(socketFd(accepted))).toEqual({ pid: child.pid, uid: 65534, gid: 65534 });
      accepted.destroy();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('throws ENOTSOCK for a non-socket fd and EBADF for a closed one', () => {
    const fd = fs.openSync('/etc/hostname', 'r');
    try {
      const err = thrown(() => peerCred(fd));
      expect(isNativeSystemError(err)).toBe(true);
      expect(err).toMatchObject({ code: 'ENOTSOCK', errno: os.constants.errno.ENOTSOCK, syscall: 'getsockopt' });
      expect((err as Error).message).toBe(`getsockopt SO_PEERCRED fd ${fd}: ENOTSOCK (Socket operation on non-socket)`);
    } finally {
      fs.closeSync(fd);
    }
    expect(thrown(() => peerCred(fd))).toMatchObject({ code: 'EBADF', errno: os.constants.errno.EBADF });
  });

  it('rejects bad arguments with a TypeError', () => {
    for (const bad of [undefined, '3', -1, 1.5, Number.NaN]) {
      const err = thrown(() => peerCred(bad as unknown as number));
      expect(err).toBeInstanceOf(TypeError);
      expect(err).toMatchObject({ code: 'EINVAL_ARG' });
    }
  });
});

describe('nsInfo', () => {
  const expectedTypes: Record<string, string> = {
    cgroup: 'cgroup',
    ipc: 'ipc',
    mnt: 'mnt',
    net: 'net',
    pid: 'pid',
    pid_for_children: 'pid',
    time: 'time',
    time_for_children: 'time',
    user: 'user',
    uts: 'uts',
  };
  const cloneFlags: Record<string, number> = {
    cgroup: 0x02000000,
    ipc: 0x08000000,
    mnt: 0x00020000,
    net: 0x40000000,
    pid: 0x20000000,
    time: 0x00000080,
    user: 0x10000000,
    uts: 0x04000000,
  };

  it('matches fs.statSync for /proc/self/ns/net', () => {
    const info = nsInfo('/proc/self/ns/net');
    const st = fs.statSync('/proc/self/ns/net');
    expect(info.ino).toBe(st.ino);
    expect(info.dev).toBe(st.dev);
    expect(info.typeName).toBe('net');
    expect(info.type).toBe(cloneFlags['net']);
    expect(fs.readlinkSync('/proc/self/ns/net')).toBe(`net:[${info.ino}]`);
    expect(info.parent).toBeUndefined(); // not hierarchical: not asked
    expect(info.ownerUid).toBeUndefined();
  });

  it('names every entry of /proc/self/ns', () => {
    const entries = fs.readdirSync('/proc/self/ns');
    expect(entries.length).toBeGreaterThanOrEqual(8);
    const ownUser = nsInfo('/proc/self/ns/user');
    for (const name of entries) {
      const info = nsInfo(`/proc/self/ns/${name}`);
      const want = expectedTypes[name];
      expect(want, `unexpected ns file ${name}`).toBeDefined();
      expect(info.typeName).toBe(want);
      expect(info.type).toBe(cloneFlags[info.typeName]);
      expect(fs.readlinkSync(`/proc/self/ns/${name}`)).toBe(`${info.typeName}:[${info.ino}]`);
      if (info.typeName !== 'user') {
        // Owned by our user namespace (nothing here was unshared).
        expect(info.userns).toEqual({ dev: ownUser.dev, ino: ownUser.ino });
      }
      if (info.typeName === 'pid' || info.typeName === 'user') expect(info).toHaveProperty('parent');
      else expect(info).not.toHaveProperty('parent');
    }
  });

  it('reports a numeric ownerUid for user namespaces', () => {
    const info = nsInfo('/proc/self/ns/user');
    expect(info.typeName).toBe('user');
    expect(typeof info.ownerUid).toBe('number');
  });

  it('says EPERM for the parent of our own root pid and user namespaces', () => {
    // NS_GET_PARENT refuses with EPERM when the parent is outside the
    // caller's scope: always true for the pid/user namespace we live in.
    for (const kind of ['pid', 'user']) {
      const info = nsInfo(`/proc/self/ns/${kind}`);
      expect(info.parent).toBeNull();
      expect(info.parentError).toBe('EPERM');
    }
    // NS_GET_USERNS on our own user namespace asks for its owner = parent,
    // so it is refused the same way.
    const user = nsInfo('/proc/self/ns/user');
    expect(user.userns).toBeNull();
    expect(user.usernsError).toBe('EPERM');
  });

  it('throws ENOENT with the path for a missing file', () => {
    const err = thrown(() => nsInfo('/proc/self/ns/does-not-exist'));
    expect(err).toMatchObject({
      code: 'ENOENT',
      errno: os.constants.errno.ENOENT,
      syscall: 'open',
      path: '/proc/self/ns/does-not-exist',
    });
    expect((err as Error).message).toBe('open /proc/self/ns/does-not-exist: ENOENT (No such file or directory)');
  });

  it('throws ENOTTY for a file that is not an nsfs inode', () => {
    // The kernel answers ENOTTY (not EINVAL) for an unknown ioctl on a
    // regular file, and for /proc directories alike.
    for (const p of ['/etc/hostname', '/proc/self']) {
      const err = thrown(() => nsInfo(p));
      expect(err).toMatchObject({ code: 'ENOTTY', errno: os.constants.errno.ENOTTY, syscall: 'ioctl', path: p });
      expect((err as Error).message).toBe(`ioctl NS_GET_NSTYPE ${p}: ENOTTY (Inappropriate ioctl for device)`);
    }
  });

  it('rejects bad arguments with a TypeError', () => {
    for (const bad of [undefined, 42, null, '', 'a\0b']) {
      const err = thrown(() => nsInfo(bad as unknown as string));
      expect(err).toBeInstanceOf(TypeError);
      expect(err).toMatchObject({ code: 'EINVAL_ARG' });
    }
  });
});

describe('nsInfoMany', () => {
  it('mixes ok and error entries in input order', () => {
    const out = nsInfoMany(['/proc/self/ns/net', '/nonexistent/ns', '/proc/self/ns/pid', '/etc/hostname']);
    expect(out).toHaveLength(4);
    const [net0, missing, pid, regular] = out;
    expect(net0 && !isNsInfoError(net0) && net0.typeName).toBe('net');
    expect(pid && !isNsInfoError(pid) && pid.typeName).toBe('pid');
    expect(missing).toEqual({
      error: {
        code: 'ENOENT',
        errno: os.constants.errno.ENOENT,
        syscall: 'open',
        path: '/nonexistent/ns',
        message: 'open /nonexistent/ns: ENOENT (No such file or directory)',
      },
    });
    expect(regular).toMatchObject({ error: { code: 'ENOTTY', syscall: 'ioctl' } });
  });

  it('agrees with nsInfo for every /proc/self/ns entry', () => {
    const paths = fs.readdirSync('/proc/self/ns').map((n) => `/proc/self/ns/${n}`);
    const many = nsInfoMany(paths);
    paths.forEach((p, i) => expect(many[i]).toEqual(nsInfo(p)));
    expect(nsInfoMany([])).toEqual([]);
  });

  it('rejects non-array input and non-string elements as a whole', () => {
    for (const bad of [undefined, '/proc/self/ns/net', ['/proc/self/ns/net', 7]]) {
      const err = thrown(() => nsInfoMany(bad as unknown as string[]));
      expect(err).toBeInstanceOf(TypeError);
      expect(err).toMatchObject({ code: 'EINVAL_ARG' });
    }
  });
});

describe.runIf(isRoot)('nested namespaces (root only)', () => {
  let child: ChildProcess | undefined;
  let innerPid = 0;

  beforeAll(async () => {
    child = spawn('unshare', ['--user', '--pid', '--fork', '--map-root-user', '--kill-child', 'sleep', '30'], {
      stdio: 'ignore',
    });
    const hostPidNs = fs.statSync('/proc/self/ns/pid').ino;
    // unshare forks `sleep` as pid 1 of the new pid namespace: wait for it.
    for (let i = 0; i < 200 && innerPid === 0; i++) {
      const pid = child.pid;
      if (pid !== undefined) {
        try {
          const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
          for (const k of kids) {
            if (fs.statSync(`/proc/${k}/ns/pid`).ino !== hostPidNs) innerPid = Number(k);
          }
        } catch {
          // not there yet
        }
      }
      if (innerPid === 0) await sleep(25);
    }
    if (innerPid === 0) throw new Error('unshare child did not appear');
  });

  afterAll(() => {
    if (innerPid) {
      try {
        process.kill(innerPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child?.kill('SIGKILL');
  });

  it('finds the host pid namespace as the parent of the child pid namespace', () => {
    const host = nsInfo('/proc/self/ns/pid');
    const inner = nsInfo(`/proc/${innerPid}/ns/pid`);
    expect(inner.typeName).toBe('pid');
    expect(inner.ino).not.toBe(host.ino);
    expect(inner.parent).toEqual({ dev: host.dev, ino: host.ino });
    expect(inner.parentError).toBeUndefined();
  });

  it('finds our user namespace as the parent and owner of the child user namespace', () => {
    const hostUser = nsInfo('/proc/self/ns/user');
    const innerUser = nsInfo(`/proc/${innerPid}/ns/user`);
    expect(innerUser.ino).not.toBe(hostUser.ino);
    expect(innerUser.parent).toEqual({ dev: hostUser.dev, ino: hostUser.ino });
    expect(innerUser.userns).toEqual({ dev: hostUser.dev, ino: hostUser.ino });
    expect(innerUser.ownerUid).toBe(0); // created by root
    // The child pid namespace is owned by the child user namespace.
    const innerPidNs: NsInfo = nsInfo(`/proc/${innerPid}/ns/pid`);
    expect(innerPidNs.userns).toEqual({ dev: innerUser.dev, ino: innerUser.ino });
    // unshare --pid only: the child still shares our net namespace.
    expect(nsInfo(`/proc/${innerPid}/ns/net`).ino).toBe(nsInfo('/proc/self/ns/net').ino);
  });
});
