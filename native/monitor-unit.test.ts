// Runs the C++ unit tests of berth-monitor (monitor/test/unit_test.cc: JSON
// parser, spec decoding, log writer, framing, mount options) and reports
// each TAP line as a check. No root needed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const binary = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build', 'Release', 'berth-monitor-test');

describe('berth-monitor unit tests (C++)', () => {
  it('are built', () => {
    expect(existsSync(binary), `${binary} missing: run npm install`).toBe(true);
  });

  it('all pass', () => {
    const r = spawnSync(binary, [], { encoding: 'utf8', timeout: 30_000 });
    const lines = r.stdout.split('\n');
    const failures = lines.filter((l) => l.startsWith('not ok') || l.startsWith('  #'));
    expect(failures, r.stdout + r.stderr).toEqual([]);
    expect(lines.filter((l) => l.startsWith('ok ')).length).toBeGreaterThanOrEqual(20);
    expect(r.status).toBe(0);
  });
});
