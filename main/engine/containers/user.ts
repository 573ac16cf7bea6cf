/**
 * Resolves a docker `--user` value (name, uid, name:group, uid:gid) against
 * the image's own /etc/passwd and /etc/group, read from its layer dirs
 * (topmost first), never from the host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

function readFromLayers(lowerDirs: string[], rel: string): string | null {
  for (const d of lowerDirs) {
    const p = path.join(d, rel);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (st?.isFile()) return fs.readFileSync(p, 'utf8');
    if (st) return null; // a symlink or whiteout: do not follow out of the layer
  }
  return null;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function parsePasswd(text: string | null): PasswdEntry[] {
  if (!text) return [];
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

function parseGroup(text: string | null): Array<{ name: string; gid: number; members: string[] }> {
  if (!text) return [];
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]!))
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }));
}

export function resolveUser(spec: string | undefined, lowerDirs: string[]): ResolvedUser {
  const passwd = parsePasswd(readFromLayers(lowerDirs, 'etc/passwd'));
  const groups = parseGroup(readFromLayers(lowerDirs, 'etc/group'));
  const [userPart = '', groupPart] = (spec ?? '').split(':');
  let uid = 0;
  let gid = 0;
  let home: string;
  let name: string | null = 'root';
  if (userPart !== '') {
    if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      const e = passwd.find((p) => p.uid === uid);
      gid = e?.gid ?? uid;
      home = e?.home ?? '/';
      name = e?.name ?? null;
    } else {
      const e = passwd.find((p) => p.name === userPart);
      if (!e)
        throw new BerthError(
          'USER_NOT_FOUND',
          `unable to find user ${userPart}: no matching entries in the image's /etc/passwd`,
        );
      ({ uid, gid, home } = e);
      name = e.name;
    }
  } else {
    home = passwd.find((p) => p.uid === 0)?.home ?? '/root';
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g)
        throw new BerthError(
          'GROUP_NOT_FOUND',
          `unable to find group ${groupPart}: no matching entries in the image's /etc/group`,
        );
      gid = g.gid;
    }
  }
  if (uid > 0xfffffffe || gid > 0xfffffffe) throw new BerthError('BAD_PARAMS', `uid/gid out of range: ${spec}`);
  const additionalGids =
    name === null ? [] : groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid);
  return { uid, gid, additionalGids, home };
}
