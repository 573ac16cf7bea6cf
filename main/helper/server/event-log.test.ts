import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log';

const at = (s: number): string => new Date(Date.UTC(2024, 2, 1, 12, 0, s)).toISOString();

describe("the helper's event ring (berth events --since)", () => {
  it("records container events in docker's words, with the name and image known at the time", () => {
    const names = new Map([['c1', { name: 'web', image: 'busybox' }]]);
    const log = new EventLog((id) => names.get(id) ?? null);
    log.record('containers.changed', { id: 'c1', action: 'create', state: 'created', exitCode: null, at: at(0) });
    log.record('containers.changed', { id: 'c1', action: 'die', state: 'exited', exitCode: 3, at: at(1) });
    names.delete('c1'); // removed: the record is gone before the event
    const [destroy] = log.record('containers.changed', {
      id: 'c1',
      action: 'remove',
      state: null,
      exitCode: 3,
      at: at(2),
    });
    expect(destroy).toEqual({
      seq: 2,
      type: 'container',
      action: 'destroy',
      id: 'c1',
      attributes: { name: 'web', image: 'busybox' },
      time: at(2),
    });
    expect(log.list().events.map((e) => [e.action, e.attributes.exitCode])).toEqual([
      ['create', undefined],
      ['die', '3'],
      ['destroy', undefined],
    ]);
  });

  it('one image event per id; other events are not recorded', () => {
    const log = new EventLog(
      () => null,
      10,
      () => new Date(at(5)),
    );
    expect(log.record('images.changed', { reason: 'remove', ids: ['sha256:a', 'sha256:b'] })).toHaveLength(2);
    expect(log.record('images.changed', { reason: 'load' })[0]).toMatchObject({ action: 'load', id: '' });
    expect(log.record('helper.state', { state: 'ready' } as never)).toEqual([]);
    expect(log.list().events.map((e) => `${e.type} ${e.action} ${e.id}`)).toEqual([
      'image delete sha256:a',
      'image delete sha256:b',
      'image load ',
    ]);
  });

  it('answers since ≤ time ≤ until, keeps the newest CAPACITY and says until when it dropped', () => {
    const log = new EventLog(() => null, 3);
    for (let s = 0; s < 5; s++)
      log.record('containers.changed', { id: `c${s}`, action: 'start', state: 'running', exitCode: null, at: at(s) });
    const all = log.list();
    expect(all.events.map((e) => e.id)).toEqual(['c2', 'c3', 'c4']);
    expect(all.droppedUntil).toBe(at(1));
    expect(all.capacity).toBe(3);
    expect(log.list(Date.parse(at(3))).events.map((e) => e.id)).toEqual(['c3', 'c4']);
    expect(log.list(Date.parse(at(2)), Date.parse(at(3))).events.map((e) => e.id)).toEqual(['c2', 'c3']);
    expect(log.list().events.map((e) => e.seq)).toEqual([2, 3, 4]);
  });
});
