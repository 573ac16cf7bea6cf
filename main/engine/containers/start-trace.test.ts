import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { armStartTrace, mark, parseTrace, saveTrace, traceOf, tracing } from './start-trace';

describe('start trace', () => {
  it('is off until armed: marks keep nothing and nothing is written', () => {
    expect(armStartTrace(undefined)).toBeNull();
    expect(tracing()).toBe(false);
    mark('c1', 'helper: start handler');
    expect(traceOf('c1')).toBeNull();
  });

  it('armed: writes the marks of one container as "<ns> <name>" lines, in order, once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-trace-'));
    try {
      expect(armStartTrace(path.join(dir, 'traces'))).toBe(path.join(dir, 'traces'));
      expect(tracing()).toBe(true);
      mark('c2', 'helper: start handler');
      mark('c2', 'helper: cgroups created');
      mark('c3', 'helper: start handler');
      saveTrace('c2');
      const file = path.join(dir, 'traces', 'c2.trace');
      const marks = parseTrace(fs.readFileSync(file, 'utf8'));
      expect(marks.map((m) => m.name)).toEqual(['helper: start handler', 'helper: cgroups created']);
      expect(marks[1]!.ns >= marks[0]!.ns).toBe(true);
      // Forgotten once saved: the next run of c2 starts a new trace.
      expect(traceOf('c2')!.marks).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'traces', 'c3.trace'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses the monitor's trace.txt lines (names with spaces and punctuation)", () => {
    expect(parseTrace("12 daemon: clone\n15 init: proc, sys, dev, volumes mounted\n\n20 monitor: exec'd\n")).toEqual([
      { ns: 12n, name: 'daemon: clone' },
      { ns: 15n, name: 'init: proc, sys, dev, volumes mounted' },
      { ns: 20n, name: "monitor: exec'd" },
    ]);
  });
});
