/**
 * Where web mode may listen. Loopback by default; any other address serves
 * plain HTTP to the network (the token, the session and every container's
 * logs travel unencrypted, and whoever holds a session can start a container
 * with `-v /:/host`), so it needs an explicit `insecureRemote` and says so.
 */
import { BerthError } from '../../preload/errors';
import { isLoopbackHost } from './web-auth';

export const INSECURE_REMOTE_FLAG = '--insecure-remote';

/** Throws WEB_HOST_NOT_LOOPBACK for a non-loopback host without the opt-in; returns the warning to print with it. */
export function checkBindHost(host: string, insecureRemote: boolean): { warning: string | null } {
  if (isLoopbackHost(host)) return { warning: null };
  if (!insecureRemote) {
    throw new BerthError(
      'WEB_HOST_NOT_LOOPBACK',
      `refusing to serve web mode on ${host}: it is not a loopback address, and web mode is plain HTTP ` +
        `(no TLS): anyone on that network who reads the traffic gets a session that can run containers as root. ` +
        `Use an SSH tunnel to 127.0.0.1 instead, or pass ${INSECURE_REMOTE_FLAG} to do it anyway.`,
      { host },
    );
  }
  return {
    warning:
      `warning: web mode is serving plain HTTP on ${host} (${INSECURE_REMOTE_FLAG}): the token and sessions ` +
      `cross the network unencrypted, and whoever holds one can run containers as root on this machine.`,
  };
}
