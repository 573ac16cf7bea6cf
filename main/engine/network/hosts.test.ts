import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHosts, writeHostsInPlace } from './hosts';

describe('managed /etc/hosts', () => {
  it('lists localhost, then each address once per name (the first line wins)', () => {
    const text = renderHosts([
      { ip: '10.89.1.2', names: ['web', 'www', 'abcdef012345'] },
      { ip: '10.89.2.2', names: ['web', 'db'] },
      { ip: '10.89.2.3', names: ['web'] },
    ]);
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      '10.89.1.2\tweb www abcdef012345',
      '10.89.2.2\tdb',
      '',
    ]);
  });

  it('rewrites in place: the inode a bind mount pins keeps the new text', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-hosts-'));
    const f = path.join(dir, 'hosts');
    writeHostsInPlace(f, 'a long first version\nwith two lines\n');
    const ino = fs.statSync(f).ino;
    writeHostsInPlace(f, 'short\n');
    expect(fs.statSync(f).ino).toBe(ino);
    expect(fs.readFileSync(f, 'utf8')).toBe('short\n');
    expect(fs.statSync(f).mode & 0o777).toBe(0o644);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
