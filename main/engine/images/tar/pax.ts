import { BerthError } from '../../../../preload/errors';
/**
 * PAX extended header records: "<length> <key>=<value>\n", where length
 * counts the whole record. Values stay raw bytes because SCHILY.xattr.*
 * values are binary (security.capability is a packed struct).
 */

export type PaxRecords = Map<string, Buffer>;

export function parsePax(data: Buffer, entry: string): PaxRecords {
  const out: PaxRecords = new Map();
  let pos = 0;
  const bad = (why: string): BerthError =>
    new BerthError('TAR_BAD_HEADER', `malformed PAX header: ${why}`, { entry, offsetInHeader: pos });
  while (pos < data.length) {
    // GNU tar pads PAX data with NULs in some versions; stop at the first.
    if (data[pos] === 0) break;
    const sp = data.indexOf(0x20, pos);
    if (sp < 0 || sp - pos > 20) throw bad('no length');
    const lenText = data.toString('ascii', pos, sp);
    if (!/^[1-9][0-9]*$/.test(lenText)) throw bad('bad length');
    const len = Number(lenText);
    const end = pos + len;
    if (end > data.length || data[end - 1] !== 0x0a) throw bad('record overruns its header');
    const eq = data.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq >= end - 1) throw bad('record without "="');
    const key = data.toString('utf8', sp + 1, eq);
    if (key === '') throw bad('empty key');
    out.set(key, Buffer.from(data.subarray(eq + 1, end - 1)));
    pos = end;
  }
  return out;
}

/** Encodes records; the length prefix counts its own digits. */
export function encodePax(records: Iterable<readonly [string, string | Uint8Array]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), Buffer.from(value), Buffer.from('\n')]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    parts.push(Buffer.concat([Buffer.from(String(len), 'ascii'), body]));
  }
  return Buffer.concat(parts);
}
