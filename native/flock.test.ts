import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flock, nativeAvailable } from './index';

describe.runIf(nativeAvailable())('flock', () => {
  it('excludes another open file description until released or closed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-flock-'));
    const file = path.join(dir, 'x.lock');
    const a = fs.openSync(file, 'w');
    const b = fs.openSync(file, 'r');
    try {
      expect(flock(a, 'exclusive')).toBe(true);
      expect(flock(b, 'exclusive')).toBe(false);
      expect(flock(b, 'shared')).toBe(false);
      expect(flock(a, 'unlock')).toBe(true);
      expect(flock(b, 'shared')).toBe(true);
      expect(flock(a, 'shared')).toBe(true); // shared with shared
      expect(flock(a, 'exclusive')).toBe(false);
      fs.closeSync(b); // closing drops b's lock
      expect(flock(a, 'exclusive')).toBe(true);
    } finally {
      fs.closeSync(a);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports errors with errno and refuses bad arguments', () => {
    expect(() => flock(999_999, 'exclusive')).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'flock' }));
    expect(() => flock(0, 'sideways' as never)).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }));
  });
});
