import { describe, expect, it, vi } from 'vitest';
import { events, type EventPayload } from '../../preload/contract';
import { EventHub } from './event-hub';

describe('EventHub.emit', () => {
  it('checks and delivers to listeners, and drops unchecked what nobody listens to', () => {
    const hub = new EventHub();
    const checks = vi.spyOn(events['helper.state'], 'parse');
    const bad = { state: 'nonsense', at: 'x' } as unknown as EventPayload<'helper.state'>;
    // Nobody listens: nothing checked, nothing thrown.
    hub.emit('helper.state', bad);
    expect(checks).not.toHaveBeenCalled();

    const got: unknown[] = [];
    const off = hub.on('helper.state', (p) => got.push(p));
    const ok = { state: 'connected', pid: 3, at: new Date(0).toISOString() } as const;
    hub.emit('helper.state', ok);
    expect(got).toEqual([ok]);
    // A listener gets only what its schema accepts: the producer's bug surfaces.
    expect(() => hub.emit('helper.state', bad)).toThrow();
    expect(got).toHaveLength(1);
    off();
    hub.emit('helper.state', bad);
    expect(checks).toHaveBeenCalledTimes(2);
    checks.mockRestore();
  });
});
