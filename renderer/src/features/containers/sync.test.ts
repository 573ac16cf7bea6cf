import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { containersKeys, type ContainerDetail } from './queries';
import { invalidateForEvent } from './sync';

describe('invalidateForEvent', () => {
  it('invalidates every list and exactly the one container (by key or by the id in its data)', () => {
    const qc = new QueryClient();
    const id = 'a'.repeat(64);
    const other = 'b'.repeat(64);
    const keys = {
      all: containersKeys.list({ all: true }),
      running: containersKeys.list({ all: false }),
      detail: containersKeys.detail(id),
      diff: containersKeys.diff(id),
      byName: containersKeys.detail('web'),
      otherDetail: containersKeys.detail(other),
      otherDiff: containersKeys.diff(other),
      images: ['images', 'list', {}],
    };
    for (const k of Object.values(keys)) qc.setQueryData(k, []);
    qc.setQueryData(keys.byName, { id } as ContainerDetail);
    qc.setQueryData(keys.otherDetail, { id: other } as ContainerDetail);

    invalidateForEvent(qc, { id });

    const invalid = (k: readonly unknown[]) => qc.getQueryState(k)?.isInvalidated;
    expect(invalid(keys.all)).toBe(true);
    expect(invalid(keys.running)).toBe(true);
    expect(invalid(keys.detail)).toBe(true);
    expect(invalid(keys.diff)).toBe(true);
    expect(invalid(keys.byName)).toBe(true);
    expect(invalid(keys.otherDetail)).toBe(false);
    expect(invalid(keys.otherDiff)).toBe(false);
    expect(invalid(keys.images)).toBe(false);
  });
});
