/** `ps` filters and the damaged-record summary (summary.ts), on records built here. */
import { describe, expect, it } from 'vitest';
import type { ContainerRecord, DamagedRecord } from './record';
import { containerSummary, listed, nsPidsOf } from './summary';

function rec(
  id: string,
  name: string,
  state: ContainerRecord['state'],
  created: string,
  labels: Record<string, string> = {},
): ContainerRecord {
  return {
    id: id.repeat(64),
    name,
    image: 'busybox',
    imageId: 'sha256:' + 'f'.repeat(64),
    process: { args: ['sh'] },
    created,
    state,
    pid: null,
    exitCode: null,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    restartCount: 0,
    network: { ip: null },
    config: { network: 'none', ports: [], labels, volumes: [], security: undefined, pod: undefined },
  } as unknown as ContainerRecord;
}

const records = [
  rec('a', 'web', 'running', '2026-12-07T10:00:00Z', { tier: 'front' }),
  rec('b', 'db', 'exited', '2026-12-07T11:00:00Z', { tier: 'back' }),
  rec('c', 'cache', 'paused', '2026-12-07T09:00:00Z'),
];
const damaged: DamagedRecord[] = [
  { id: 'd'.repeat(64), reason: 'record.json: bad JSON', seen: '2026-12-07T12:00:00Z' } as DamagedRecord,
];
const ps = (all: boolean, f: Parameters<typeof listed>[3] = {}): string[] =>
  listed(records, damaged, all, f, (r) => containerSummary(r, [])).map((s) => s.name);

describe('listed (ps)', () => {
  it('without -a: running and paused only; with -a: all, damaged too, newest first', () => {
    expect(ps(false)).toEqual(['web', 'cache']);
    expect(ps(true)).toEqual(['d'.repeat(64), 'db', 'web', 'cache']);
  });

  it('filters by state, name, image and label (key or key=value)', () => {
    expect(ps(true, { state: ['exited'] })).toEqual(['db']);
    expect(ps(true, { state: ['unreadable'] })).toEqual(['d'.repeat(64)]);
    expect(ps(true, { name: 'ca' })).toEqual(['cache']);
    expect(ps(true, { image: 'busybox' })).toEqual(['db', 'web', 'cache']);
    expect(ps(true, { label: ['tier'] })).toEqual(['db', 'web']);
    expect(ps(true, { label: ['tier=back'] })).toEqual(['db']);
  });

  it('a damaged record says unreadable and why, and invents nothing', () => {
    const [d] = listed([], damaged, true, {}, (r) => containerSummary(r, []));
    expect(d).toMatchObject({ state: 'unreadable', reason: 'record.json: bad JSON', image: '', pid: null });
  });
});

describe('nsPidsOf', () => {
  it('this process is in one pid namespace at least; a gone pid has none', () => {
    expect(nsPidsOf(process.pid)[0]).toBe(process.pid);
    expect(nsPidsOf(2 ** 22 + 1)).toEqual([]);
  });
});
