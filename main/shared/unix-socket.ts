/**
 * Unix socket paths of any length. sun_path holds 107 bytes and a NUL, and
 * Node truncates a longer path silently: a connect then fails with ENOENT
 * (or reaches whatever sits at the truncated path), a listen binds there.
 * A data root or run dir a little deeper than usual (a long home, a test's
 * temp dir) puts <dataRoot>/c/<64-hex id>/run/attach.sock past the limit.
 *
 * Past it, the socket is reached through /proc/self/fd/<dirfd>/<name>: the
 * kernel resolves the directory from our own open fd, so only the socket's
 * name counts, as the monitor already does when it binds attach.sock
 * (native/monitor/src/attach.cc). The fd is closed once the connect or
 * bind has settled.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BerthError } from '../../preload/errors';

/** The longest path sun_path takes (108 bytes with its NUL). */
export const SUN_PATH_MAX = 107;

interface Reachable {
  path: string;
  /** Closes the directory fd, if one was opened. Idempotent. */
  release(): void;
}

function reachable(socketPath: string): Reachable {
  if (Buffer.byteLength(socketPath) <= SUN_PATH_MAX) return { path: socketPath, release: () => undefined };
  const dir = path.dirname(socketPath);
  const name = path.basename(socketPath);
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY); // libuv adds O_CLOEXEC
  const viaFd = `/proc/self/fd/${fd}/${name}`;
  let open = true;
  const release = (): void => {
    if (open) fs.closeSync(fd);
    open = false;
  };
  if (Buffer.byteLength(viaFd) > SUN_PATH_MAX) {
    release();
    throw new BerthError('ENAMETOOLONG', `socket name too long for a Unix socket: ${name}`);
  }
  return { path: viaFd, release };
}

/** net.createConnection for a Unix socket path of any length. */
export function connectUnix(socketPath: string): net.Socket {
  const r = reachable(socketPath);
  const sock = net.createConnection(r.path);
  sock.once('connect', r.release);
  sock.once('close', r.release);
  return sock;
}

/** server.listen on a Unix socket path of any length; resolves once bound. */
export function listenUnix(server: net.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let r: Reachable;
    try {
      r = reachable(socketPath);
    } catch (err) {
      reject(err);
      return;
    }
    const onError = (err: Error): void => {
      r.release();
      reject(err);
    };
    server.once('error', onError);
    server.listen(r.path, () => {
      server.off('error', onError);
      r.release();
      resolve();
    });
  });
}
