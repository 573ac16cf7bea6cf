import { describe, expect, it } from 'vitest';
import { asText, describeEntry, fromBase64, hexDump, shownNote } from './file-preview';

const facts = { path: '/x', layer: 1, mode: 0o644, uid: 0, gid: 0, mtime: 0 };

describe('file preview formatters', () => {
  it('text: UTF-8 without NUL; a character cut by the cap at the end is dropped only when cut', () => {
    expect(asText(new TextEncoder().encode('héllo\n\tworld\r\n'), false)).toBe('héllo\n\tworld\r\n');
    const e = new TextEncoder().encode('ab€'); // € is 3 bytes
    expect(asText(e.subarray(0, 4), true)).toBe('ab');
    expect(asText(e.subarray(0, 4), false)).toBeNull();
    expect(asText(new Uint8Array([0x41, 0, 0x42]), false)).toBeNull();
    expect(asText(new Uint8Array([0xff, 0xfe, 0x41]), false)).toBeNull();
    // ELF header: control bytes.
    expect(asText(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), false)).toBeNull();
    expect(asText(new Uint8Array(0), false)).toBe('');
  });

  it('hex dump as hexdump -C prints it, capped', () => {
    const bytes = new TextEncoder().encode('ELF\x00\x01 hello, world!!');
    expect(hexDump(bytes)).toEqual([
      '00000000  45 4c 46 00 01 20 68 65  6c 6c 6f 2c 20 77 6f 72  |ELF.. hello, wor|',
      '00000010  6c 64 21 21                                       |ld!!|',
    ]);
    expect(hexDump(new Uint8Array(10_000))).toHaveLength(4096 / 16);
    expect(hexDump(new Uint8Array(40), 20)).toHaveLength(2);
  });

  it('base64 back to bytes', () => {
    expect([...fromBase64('AAH/')]).toEqual([0, 1, 255]);
  });

  it('says how much is shown', () => {
    expect(shownNote(12, 12)).toBe('all 12 bytes');
    expect(shownNote(65536, 2 * 1024 * 1024)).toBe('first 65,536 of 2,097,152 bytes (64 KiB of 2 MiB)');
  });

  it('describes what is not a regular file, and where it comes from', () => {
    expect(
      describeEntry({ kind: 'removed', path: '/etc/motd', layer: 1, by: 'whiteout', entry: 'etc/.wh.motd' }, 1),
    ).toBe('Removed in this layer (whiteout etc/.wh.motd).');
    expect(describeEntry({ kind: 'removed', path: '/a/b', layer: 0, by: 'opaque', entry: 'a/.wh..wh..opq' }, 2)).toBe(
      'Removed in layer 1 (opaque directory marker a/.wh..wh..opq).',
    );
    expect(describeEntry({ ...facts, kind: 'symlink', linkname: 'busybox' }, 1)).toBe(
      'Symbolic link to busybox, in this layer; not followed.',
    );
    expect(describeEntry({ ...facts, kind: 'hardlink', linkname: 'bin/busybox' }, 1)).toMatch(
      /^Hard link to \/bin\/busybox/,
    );
    expect(describeEntry({ ...facts, kind: 'char', devmajor: 1, devminor: 3 }, 3)).toBe(
      'Character device 1:3 (major:minor), in layer 2.',
    );
    expect(describeEntry({ ...facts, kind: 'dir' }, 1)).toBe('Directory, in this layer.');
  });
});
