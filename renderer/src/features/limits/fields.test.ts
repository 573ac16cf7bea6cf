import { describe, expect, it } from 'vitest';
import type { EffectiveLimits } from '../../../../preload/schemas/resources';
import { filesFor, LIMIT_FIELDS, type Truth } from './fields';
import { FIELD_KEYS, fieldForPath } from './model';
import { HYBRID, v2 } from './test-fixtures';

const basename = (f: string) => f.split('/').pop()!;

/** Every read-back a field shows comes from one of the files the table says it writes. */
function checkFiles(eff: EffectiveLimits): string[] {
  const checked: string[] = [];
  for (const k of FIELD_KEYS) {
    const f = LIMIT_FIELDS[k];
    if (!f.supported(eff)) continue;
    const files = filesFor(f, eff.driver);
    for (const t of f.truths(eff) as Truth[]) {
      if (!t.eff) continue;
      // devices.list is the read side of devices.allow/deny; net_prio and cpu.max read back the file they write.
      const read = basename(t.eff.file);
      expect(read === 'devices.list' || files.includes(read), `${k}: ${read} in ${files.join(', ')}`).toBe(true);
      checked.push(read);
    }
  }
  return checked;
}

describe('LIMIT_FIELDS', () => {
  it("names the kernel files a v2 host's read-back comes from", () => {
    expect(checkFiles(v2())).toEqual(
      expect.arrayContaining(['memory.max', 'memory.swap.max', 'cpu.weight', 'cpu.max', 'pids.max', 'io.weight']),
    );
  });

  it('names the v1 files on a hybrid host (limits live in the v1 controllers)', () => {
    expect(checkFiles(HYBRID)).toEqual(
      expect.arrayContaining(['memory.limit_in_bytes', 'cpu.shares', 'cpu.cfs_quota_us', 'net_prio.ifpriomap']),
    );
  });

  it('says where v1 has no file for a limit (memory.low) and v2 none for device rules', () => {
    expect(LIMIT_FIELDS.memLow.files.v1).toEqual([]);
    expect(LIMIT_FIELDS.deviceRules.files.v2).toEqual([]);
  });

  it('owns every schema issue path of its section', () => {
    expect(fieldForPath(['memory', 'swapMax'])).toBe('memSwap');
    expect(fieldForPath(['cpu', 'weight'])).toBe('cpuWeight');
    expect(fieldForPath(['cpu'])).toBe('cpus');
    expect(fieldForPath(['cpu', 'cpusetCpus'])).toBe('cpuset');
    expect(fieldForPath(['io', 'devices', 0, 'readBps'])).toBe('ioDevices');
    expect(fieldForPath(['netPrio', 'ifPriorities', 1, 'iface'])).toBe('netPrio');
    expect(fieldForPath(['memory', 'kmem'])).toBeNull();
    expect(fieldForPath(['bogus'])).toBeNull();
  });

  it('keeps its bounds inside what the contract accepts', () => {
    expect(LIMIT_FIELDS.cpuWeight.parse('10000', '100')).toEqual({ patch: { cpu: { weight: 10000 } } });
    expect(LIMIT_FIELDS.cpuWeight.parse('', '100').error).toBe('a weight 1..10000');
    expect(LIMIT_FIELDS.pidsMax.bounds).toEqual({ min: 0, max: 4_194_304 });
  });
});
