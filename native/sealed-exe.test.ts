// sealedExecutable: the helper's one sealed copy of berth-monitor, exec'd by path.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isNativeSystemError, sealedExecutable } from './index.js';
import { monitorPath } from './monitor.js';

describe('sealedExecutable', () => {
  it('makes a sealed copy that runs by /proc/PID/fd/N and that nobody can change', () => {
    const fd = sealedExecutable(monitorPath());
    try {
      const file = `/proc/${process.pid}/fd/${fd}`;
      expect(fs.readlinkSync(file)).toMatch(/^\/memfd:berth-monitor/);
      expect(fs.readFileSync(file).equals(fs.readFileSync(monitorPath()))).toBe(true);
      const r = spawnSync(file, ['--version'], { encoding: 'utf8' });
      expect(r).toMatchObject({ status: 0, stdout: 'berth-monitor 0.1.0\n' });
      // Sealed: no write, no truncation, even for root, through any path to it.
      expect(() => fs.writeSync(fd, 'x', 0)).toThrow(/EPERM/);
      expect(() => fs.ftruncateSync(fd, 0)).toThrow(/EPERM/);
      const again = fs.openSync(file, 'r+'); // opening is allowed; writing is not
      try {
        expect(() => fs.writeSync(again, 'x', 0)).toThrow(/EPERM/);
      } finally {
        fs.closeSync(again);
      }
      expect(fs.readFileSync(file).equals(fs.readFileSync(monitorPath()))).toBe(true);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('names the path and the errno when the file is missing or not regular', () => {
    const err = (() => {
      try {
        sealedExecutable('/nonexistent/berth-monitor');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isNativeSystemError(err) && err.code).toBe('ENOENT');
    expect((err as Error).message).toBe('open /nonexistent/berth-monitor: ENOENT (No such file or directory)');
    expect(() => sealedExecutable('/proc')).toThrow(/EINVAL/);
  });
});
