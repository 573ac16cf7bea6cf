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
      expect(flock(a, 'ex', false)).toBe(true);
      expect(flock(b, 'ex', false)).toBe(false);
      expect(flock(b, 'sh', false)).toBe(false);
      expect(flock(a, 'un', false)).toBe(true);
      expect(flock(b, 'sh', false)).toBe(true);
      expect(flock(a, 'sh', false)).toBe(true); // shared with shared
      expect(flock(a, 'ex', false)).toBe(false);
      fs.closeSync(b); // closing drops b's lock
      expect(flock(a, 'ex', false)).toBe(true);
    } finally {
      fs.closeSync(a);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports errors with errno and refuses bad arguments', () => {
    expect(() => flock(999_999, 'ex', false)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'flock' }));
    expect(() => flock(0, 'sideways' as never, false)).toThrow(expect.objectContaining({ code: 'EINVAL_ARG' }));
  });
});
