/**
 * Name resolution on user networks: a managed /etc/hosts per container,
 * bind-mounted over the image's and rewritten live when a container on one
 * of its networks starts, stops, connects, disconnects or is renamed.
 *
 * Why files and not an embedded DNS responder (docs/ARCHITECTURE.md,
 * "Networking"): containers outlive the helper (it is started on demand
 * behind pkexec and may be gone for hours); a responder inside it would stop
 * answering with it, and one outside would be another root daemon per network
 * to supervise and re-adopt. A file needs nobody running, every libc reads it
 * before DNS, the container's resolv.conf (its upstream DNS) stays as it
 * was, and nothing listens on port 53 of a bridge. The price: one write per
 * peer on each change, and names appear only as the files say (no search
 * domains, no round-robin on an alias shared by several containers: the
 * first one listed wins).
 */
import fs from 'node:fs';

export interface HostsLine {
  ip: string;
  names: string[];
}

const HEADER = "# Managed by Berth: rewritten as containers join and leave this container's networks.\n";

/** localhost, then the lines; a name already given by an earlier line is left out of later ones. */
export function renderHosts(lines: HostsLine[]): string {
  const seen = new Set<string>(['localhost']);
  let out = `${HEADER}127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
  for (const l of lines) {
    const names = l.names.filter((n) => {
      if (seen.has(n)) return false;
      seen.add(n);
      return true;
    });
    if (names.length) out += `${l.ip}\t${names.join(' ')}\n`;
  }
  return out;
}

/**
 * Rewrites the file in place: a bind mount pins its inode, so a rename would
 * never be seen inside. One pwrite of the whole text at offset 0, padded with
 * newlines to the old length, then a truncate: a reader between the two sees
 * the new lines and blank ones, never half of an old line.
 */
export function writeHostsInPlace(file: string, text: string): void {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
  try {
    const old = fs.fstatSync(fd).size;
    const body = Buffer.from(text);
    const padded = body.length < old ? Buffer.concat([body, Buffer.alloc(old - body.length, 0x0a)]) : body;
    fs.writeSync(fd, padded, 0, padded.length, 0);
    fs.ftruncateSync(fd, body.length);
    fs.fchmodSync(fd, 0o644);
  } finally {
    fs.closeSync(fd);
  }
}
