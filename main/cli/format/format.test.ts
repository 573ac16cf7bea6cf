import { describe, expect, it } from 'vitest';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import type { ImageSummaryT } from '../../../preload/schemas/images';
import type { StatsRowT } from '../../../preload/schemas/resources';
import {
  containerListing,
  historyListing,
  imageListing,
  imageRows,
  statsListing,
  type StatsEntry,
} from '../commands/listings';
import { formatRows, humanDuration, tabwrite } from './index';

const now = Date.parse('2024-03-01T12:00:00Z');
const ctr: ContainerSummaryT = {
  id: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2',
  name: 'web',
  image: 'busybox',
  imageId: 'sha256:' + 'f'.repeat(64),
  command: ['sh', '-c', 'while :; do sleep 1; done'],
  created: '2024-03-01T11:57:00Z',
  state: 'running',
  reason: null,
  pid: 4242,
  exitCode: null,
  oomKilled: false,
  startedAt: '2024-03-01T11:57:00Z',
  finishedAt: null,
  restartCount: 0,
  network: {
    mode: 'bridge',
    ip: '10.88.0.2',
    ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    networks: [],
  },
  labels: { tier: 'front', 'com.example.vendor': 'ACME' },
  mounts: ['/srv/data'],
  privileged: false,
};
const exited: ContainerSummaryT = {
  ...ctr,
  id: 'b'.repeat(64),
  name: 'job',
  command: ['true'],
  state: 'exited',
  exitCode: 3,
  finishedAt: '2024-03-01T10:00:00Z',
  network: { mode: 'none', ip: null, ports: [], networks: [] },
  labels: {},
  mounts: [],
};

describe('--format for ps (docker docs examples)', () => {
  it('the default table', () => {
    expect(formatRows(containerListing, [ctr, exited], { now })).toBe(
      [
        'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS                   PORTS                  NAMES',
        'a1b2c3d4e5f6   busybox   "sh -c while :; do s…"   3 minutes ago   Up 3 minutes             0.0.0.0:8080->80/tcp   web',
        'bbbbbbbbbbbb   busybox   "true"                   3 minutes ago   Exited (3) 2 hours ago                          job',
      ].join('\n') + '\n',
    );
  });

  it('json: one object per line with docker’s field names', () => {
    const lines = formatRows(containerListing, [ctr, exited], { format: 'json', now }).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const o = JSON.parse(lines[0]!) as Record<string, string>;
    expect(Object.keys(o)).toEqual([
      'Command',
      'CreatedAt',
      'ID',
      'Image',
      'Labels',
      'LocalVolumes',
      'Mounts',
      'Names',
      'Networks',
      'Ports',
      'RestartCount',
      'RunningFor',
      'Size',
      'State',
      'Status',
    ]);
    expect(o).toMatchObject({
      ID: 'a1b2c3d4e5f6',
      Names: 'web',
      Command: '"sh -c while :; do s…"',
      CreatedAt: '2024-03-01 11:57:00 +0000 UTC',
      Labels: 'com.example.vendor=ACME,tier=front',
      Ports: '0.0.0.0:8080->80/tcp',
      State: 'running',
      Networks: 'bridge',
      Mounts: '/srv/data',
    });
  });

  it('templates: {{.Names}}, {{.ID}}\\t{{.Status}} and a table with headers', () => {
    expect(formatRows(containerListing, [ctr, exited], { format: '{{.Names}}', now })).toBe('web\njob\n');
    expect(formatRows(containerListing, [ctr], { format: '{{.ID}}\\t{{.Status}}', now })).toBe(
      'a1b2c3d4e5f6\tUp 3 minutes\n',
    );
    expect(formatRows(containerListing, [ctr], { format: '{{.ID}}: {{.Label "com.example.vendor"}}', now })).toBe(
      'a1b2c3d4e5f6: ACME\n',
    );
    expect(formatRows(containerListing, [ctr, exited], { format: 'table {{.ID}}\\t{{.Labels}}', now })).toBe(
      'CONTAINER ID   LABELS\na1b2c3d4e5f6   com.example.vendor=ACME,tier=front\nbbbbbbbbbbbb   \n',
    );
  });

  it('-q prints IDs; --no-trunc the full ID and command', () => {
    expect(formatRows(containerListing, [ctr, exited], { quiet: true })).toBe('a1b2c3d4e5f6\nbbbbbbbbbbbb\n');
    expect(formatRows(containerListing, [ctr], { quiet: true, noTrunc: true })).toBe(`${ctr.id}\n`);
    expect(formatRows(containerListing, [ctr], { format: '{{.Command}}', noTrunc: true })).toBe(
      '"sh -c while :; do sleep 1; done"\n',
    );
  });

  it('no rows: json and templates print nothing, a table its header', () => {
    expect(formatRows(containerListing, [], { format: 'json' })).toBe('');
    expect(formatRows(containerListing, [], { format: 'table {{.Names}}' })).toBe('NAMES\n');
  });

  it('an unknown field is TEMPLATE_INVALID, even with no rows (checked before anything is listed)', () => {
    expect(() => formatRows(containerListing, [ctr], { format: '{{.Nmes}}' })).toThrow(
      /can't evaluate field Nmes in type container/,
    );
    expect(() => formatRows(containerListing, [], { format: 'table {{.Nmes}}' })).toThrow(/field Nmes/);
    expect(() => formatRows(containerListing, [], { format: 'tables' })).toThrow(/unknown format "tables"/);
  });
});

const img: ImageSummaryT = {
  id: 'sha256:' + 'e'.repeat(64),
  shortId: 'e'.repeat(12),
  repoTags: ['busybox:latest', 'registry.local:5000/tools/busybox:1.36'],
  names: [],
  digest: 'sha256:' + 'd'.repeat(64),
  size: 4_404_019,
  compressedSize: 2_000_000,
  created: '2024-02-20T12:00:00Z',
  architecture: 'amd64',
  os: 'linux',
  layers: 1,
  usedBy: ['web'],
};

describe('--format for images', () => {
  it('one row per tag; the default table; -q once per image', () => {
    const rows = imageRows([img, { ...img, id: 'sha256:' + '1'.repeat(64), repoTags: [], usedBy: [] }]);
    expect(formatRows(imageListing, rows, { now })).toBe(
      [
        'REPOSITORY                          TAG       IMAGE ID       CREATED       SIZE      USED BY',
        'busybox                             latest    eeeeeeeeeeee   10 days ago   4.2 MiB   web',
        'registry.local:5000/tools/busybox   1.36      eeeeeeeeeeee   10 days ago   4.2 MiB   web',
        '<none>                              <none>    111111111111   10 days ago   4.2 MiB   ',
      ].join('\n') + '\n',
    );
    expect(formatRows(imageListing, rows, { format: '{{.Repository}}:{{.Tag}} {{.ID}}', noTrunc: true })).toContain(
      `busybox:latest sha256:${'e'.repeat(64)}\n`,
    );
  });

  it('json keys are docker’s', () => {
    const o = JSON.parse(formatRows(imageListing, imageRows([img]), { format: 'json', now }).split('\n')[0]!);
    expect(o).toMatchObject({
      Repository: 'busybox',
      Tag: 'latest',
      ID: 'eeeeeeeeeeee',
      Digest: img.digest,
      CreatedSince: '10 days ago',
      CreatedAt: '2024-02-20 12:00:00 +0000 UTC',
      Size: '4.2 MiB',
      Containers: '1',
    });
  });
});

describe('--format for history', () => {
  const rows = [
    {
      id: '<missing>',
      created: '2024-02-29T12:00:00Z',
      createdBy: '/bin/sh -c #(nop)  CMD ["sh"]',
      size: 0,
      comment: '',
      emptyLayer: true,
    },
    {
      id: 'sha256:' + 'c'.repeat(64),
      created: '2024-02-29T12:00:00Z',
      createdBy: '/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef in / ',
      size: 4_404_019,
      comment: 'buildkit',
      emptyLayer: false,
    },
  ];
  it('the default table truncates CREATED BY at 45; -q and --no-trunc', () => {
    expect(formatRows(historyListing, rows, { now })).toBe(
      [
        'IMAGE          CREATED        CREATED BY                                      SIZE      COMMENT',
        '<missing>      24 hours ago   /bin/sh -c #(nop) CMD ["sh"]                    0 B       ',
        'cccccccccccc   24 hours ago   /bin/sh -c #(nop) ADD file:0123456789abcdef0…   4.2 MiB   buildkit',
      ].join('\n') + '\n',
    );
    expect(formatRows(historyListing, rows, { quiet: true })).toBe('<missing>\ncccccccccccc\n');
    expect(formatRows(historyListing, rows, { format: '{{.CreatedBy}}', noTrunc: true })).toContain(' in / \n');
  });
});

describe('--format for stats', () => {
  const row: StatsRowT = {
    id: ctr.id,
    name: 'web',
    t: now,
    cpuPercent: 12.3456,
    cpuPercentOfHost: null,
    throttledPercent: null,
    memoryBytes: 64 * 1024 * 1024,
    memoryLimit: 256 * 1024 * 1024,
    pids: 3,
    ioReadBps: null,
    ioWriteBps: null,
    netRxBps: null,
    netTxBps: null,
    psiCpuSomeAvg10: null,
    psiCpuFullAvg10: null,
    psiMemorySomeAvg10: null,
    psiMemoryFullAvg10: null,
    psiIoSomeAvg10: null,
    psiIoFullAvg10: null,
  };

  it('docker’s fields, with totals from the counters', () => {
    const stats = {
      net: { ifaces: [{ name: 'eth0', rxBytes: 2048, txBytes: 1024, rxPackets: 1, txPackets: 1 }] },
      io: { devices: [{ major: 8, minor: 0, rbytes: 4096, wbytes: 0, rios: 1, wios: 0 }] },
    } as StatsEntry['stats'];
    const o = JSON.parse(formatRows(statsListing, [{ row, stats, asked: 'web' }], { format: 'json' })) as Record<
      string,
      string
    >;
    expect(o).toEqual({
      BlockIO: '4 KiB / 0 B',
      CPUPerc: '12.35%',
      Container: 'web',
      ID: 'a1b2c3d4e5f6',
      MemPerc: '25.00%',
      MemUsage: '64 MiB / 256 MiB',
      Name: 'web',
      NetIO: '2 KiB / 1 KiB',
      PIDs: '3',
    });
  });

  it('a container not measured yet shows --', () => {
    expect(formatRows(statsListing, [{ row: { ...row, cpuPercent: null } }], { format: '{{.CPUPerc}}' })).toBe('--\n');
  });
});

describe('tabwriter and durations as docker', () => {
  it('cells are at least 10 wide and padded by 3; the last cell is free', () => {
    expect(tabwrite('A\tBB\tC\nlonger-cell\tx\tyy')).toBe('A             BB        C\nlonger-cell   x         yy');
  });

  it('HumanDuration', () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(45_000)).toBe('45 seconds');
    expect(humanDuration(90_000)).toBe('About a minute');
    expect(humanDuration(50 * 60_000)).toBe('50 minutes');
    expect(humanDuration(3_600_000)).toBe('About an hour');
    expect(humanDuration(5 * 3_600_000)).toBe('5 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
    expect(humanDuration(21 * 86_400_000)).toBe('3 weeks');
    expect(humanDuration(100 * 86_400_000)).toBe('3 months');
    expect(humanDuration(800 * 86_400_000)).toBe('2 years');
  });
});
