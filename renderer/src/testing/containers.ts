/** A container summary as `containers.list` answers it, for component tests. */
import type { Result } from '../../../preload/contract';

export type Summary = Result<'containers.list'>[number];

export function containerSummary(over: Partial<Summary> & Pick<Summary, 'id' | 'name'>): Summary {
  return {
    image: 'busybox:latest',
    imageId: `sha256:${'b'.repeat(64)}`,
    command: ['sh'],
    created: '2026-12-07T10:00:00.000Z',
    state: 'running',
    reason: null,
    pid: 4242,
    exitCode: null,
    oomKilled: false,
    startedAt: '2026-12-07T10:00:01.000Z',
    finishedAt: null,
    restartCount: 0,
    network: { mode: 'none', ip: null, ports: [], networks: [] },
    labels: {},
    privileged: false,
    ...over,
  };
}
