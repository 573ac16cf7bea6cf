/** A volume as `volumes.list` answers it, for component tests. */
import type { Result } from '../../../preload/contract';

export type VolumeRow = Result<'volumes.list'>[number];

export function volumeSummary(over: Partial<VolumeRow> & Pick<VolumeRow, 'name'>): VolumeRow {
  return {
    driver: 'local',
    mountpoint: `/var/lib/berth/volumes/${over.name}/_data`,
    createdAt: '2026-12-07T10:00:00Z',
    labels: {},
    scope: 'local',
    options: {},
    anonymous: false,
    sizeBytes: null,
    users: [],
    ...over,
  };
}
