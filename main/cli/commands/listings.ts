/**
 * The field tables of `ps`, `images` and `stats` for --format (docker's field
 * names and the values docker prints for them; see ../format/index.ts).
 */
import os from 'node:os';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import type { HistoryRowT, ImageSummaryT } from '../../../preload/schemas/images';
import type { ResourceStats, StatsRowT } from '../../../preload/schemas/resources';
import { formatBytes } from '../../../preload/units';
import { ellipsis, goTime, humanDuration, labelField, labelsField, type Listing } from '../format/index';

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** docker's `ps` STATUS column. */
export function statusText(c: ContainerSummaryT, now = Date.now()): string {
  const since = (iso: string | null): string => humanDuration(iso ? now - Date.parse(iso) : 0);
  switch (c.state) {
    case 'running':
      return `Up ${since(c.startedAt)}`;
    case 'paused':
      return `Up ${since(c.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${c.exitCode ?? 0}) ${since(c.finishedAt)} ago`;
    case 'exited':
      return `Exited (${c.exitCode ?? 0})${c.oomKilled ? ' OOMKilled' : ''} ${since(c.finishedAt)} ago`;
    case 'dead':
      return 'Dead';
    case 'unreadable':
      return `Unreadable: ${c.reason ?? 'unknown'}`;
    default:
      return 'Created';
  }
}

/** "0.0.0.0:8080->80/tcp, …" as docker ps prints published ports. */
export function portsText(c: Pick<ContainerSummaryT, 'network'>): string {
  return c.network.ports.map((x) => `0.0.0.0:${x.hostPort}->${x.containerPort}/${x.protocol}`).join(', ');
}

export const containerListing: Listing<ContainerSummaryT> = {
  typeName: 'container',
  fields: {
    ID: { header: 'CONTAINER ID', value: (c, o) => (o.noTrunc ? c.id : c.id.slice(0, 12)) },
    Names: { header: 'NAMES', value: (c) => c.name },
    Image: { header: 'IMAGE', value: (c) => c.image },
    Command: {
      header: 'COMMAND',
      value: (c, o) => {
        const cmd = c.command.join(' ');
        return JSON.stringify(o.noTrunc ? cmd : ellipsis(cmd, 20));
      },
    },
    CreatedAt: { header: 'CREATED AT', value: (c) => goTime(c.created) },
    RunningFor: { header: 'CREATED', value: (c, o) => `${humanDuration(o.now - Date.parse(c.created))} ago` },
    Ports: { header: 'PORTS', value: (c) => portsText(c) },
    State: { header: 'STATE', value: (c) => c.state },
    Status: { header: 'STATUS', value: (c, o) => statusText(c, o.now) },
    // The writable layer's size is not measured for a listing (docker needs -s for it too).
    Size: { header: 'SIZE', value: () => 'N/A' },
    Labels: labelsField((c) => c.labels),
    Label: labelField((c) => c.labels),
    Mounts: {
      header: 'MOUNTS',
      value: (c, o) => (c.mounts ?? []).map((m) => (o.noTrunc ? m : ellipsis(m, 15))).join(','),
    },
    LocalVolumes: { header: 'LOCAL VOLUMES', value: (c) => String((c.mounts ?? []).length) },
    Networks: { header: 'NETWORKS', value: (c) => c.network.mode ?? '' },
    RestartCount: { header: 'RESTARTS', value: (c) => String(c.restartCount) },
  },
  defaultTable: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  quietField: 'ID',
};

/** One `images` row: an image under one of its tags (docker lists an image once per tag). */
export interface ImageRow {
  image: ImageSummaryT;
  repository: string;
  tag: string;
}

function splitRepoTag(t: string): [string, string] {
  const at = t.lastIndexOf(':');
  return at > t.lastIndexOf('/') ? [t.slice(0, at), t.slice(at + 1)] : [t, '<none>'];
}

export function imageRows(list: readonly ImageSummaryT[]): ImageRow[] {
  return list.flatMap((image) =>
    image.repoTags.length
      ? image.repoTags.map((t) => {
          const [repository, tag] = splitRepoTag(t);
          return { image, repository, tag };
        })
      : [{ image, repository: '<none>', tag: '<none>' }],
  );
}

export const imageListing: Listing<ImageRow> = {
  typeName: 'image',
  fields: {
    ID: { header: 'IMAGE ID', value: (r, o) => (o.noTrunc ? r.image.id : shortId(r.image.id)) },
    Repository: { header: 'REPOSITORY', value: (r) => r.repository },
    Tag: { header: 'TAG', value: (r) => r.tag },
    Digest: { header: 'DIGEST', value: (r) => r.image.digest },
    CreatedAt: { header: 'CREATED AT', value: (r) => goTime(r.image.created) },
    CreatedSince: {
      header: 'CREATED',
      value: (r, o) => (r.image.created ? `${humanDuration(o.now - Date.parse(r.image.created))} ago` : 'N/A'),
    },
    Size: { header: 'SIZE', value: (r) => formatBytes(r.image.size) },
    VirtualSize: { header: 'SIZE', value: (r) => formatBytes(r.image.size) },
    SharedSize: { header: 'SHARED SIZE', value: () => 'N/A' },
    UniqueSize: { header: 'UNIQUE SIZE', value: () => 'N/A' },
    Containers: { header: 'CONTAINERS', value: (r) => String(r.image.usedBy.length) },
    UsedBy: { header: 'USED BY', value: (r) => r.image.usedBy.join(',') },
  },
  defaultTable: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.UsedBy}}',
  quietField: 'ID',
};

/** One `stats` row: the sampled point and, when read, the raw counters (for the I/O totals). */
export interface StatsEntry {
  row: StatsRowT;
  stats?: ResourceStats;
  /** How the user named it (docker's `.Container`); the short id when listing all. */
  asked?: string;
}

const pct = (v: number | null): string => (v === null ? '--' : `${v.toFixed(2)}%`);

function netTotals(s: ResourceStats | undefined): [number, number] | null {
  if (!s) return null;
  let rx = 0;
  let tx = 0;
  for (const i of s.net.ifaces) {
    rx += i.rxBytes;
    tx += i.txBytes;
  }
  return [rx, tx];
}

function ioTotals(s: ResourceStats | undefined): [number, number] | null {
  if (!s) return null;
  let r = 0;
  let w = 0;
  for (const d of s.io.devices) {
    r += d.rbytes;
    w += d.wbytes;
  }
  return [r, w];
}

/** Unlimited memory is measured against the host's, as docker does. */
const memLimit = (e: StatsEntry): number => e.row.memoryLimit ?? os.totalmem();

export const statsListing: Listing<StatsEntry> = {
  typeName: 'stats',
  fields: {
    Container: { header: 'CONTAINER', value: (e) => e.asked ?? e.row.id.slice(0, 12) },
    Name: { header: 'NAME', value: (e) => e.row.name },
    ID: { header: 'CONTAINER ID', value: (e, o) => (o.noTrunc ? e.row.id : e.row.id.slice(0, 12)) },
    CPUPerc: { header: 'CPU %', value: (e) => pct(e.row.cpuPercent) },
    MemUsage: {
      header: 'MEM USAGE / LIMIT',
      value: (e) => `${formatBytes(e.row.memoryBytes)} / ${formatBytes(memLimit(e))}`,
    },
    MemPerc: { header: 'MEM %', value: (e) => pct((e.row.memoryBytes / memLimit(e)) * 100) },
    NetIO: {
      header: 'NET I/O',
      value: (e) => {
        const t = netTotals(e.stats);
        return t ? `${formatBytes(t[0])} / ${formatBytes(t[1])}` : '--';
      },
    },
    BlockIO: {
      header: 'BLOCK I/O',
      value: (e) => {
        const t = ioTotals(e.stats);
        return t ? `${formatBytes(t[0])} / ${formatBytes(t[1])}` : '--';
      },
    },
    PIDs: { header: 'PIDS', value: (e) => String(e.row.pids) },
  },
  defaultTable:
    'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
  quietField: 'ID',
};

export const historyListing: Listing<HistoryRowT> = {
  typeName: 'history',
  fields: {
    ID: { header: 'IMAGE', value: (r, o) => (r.id === '<missing>' || o.noTrunc ? r.id : shortId(r.id)) },
    CreatedSince: {
      header: 'CREATED',
      value: (r, o) => (r.created ? `${humanDuration(o.now - Date.parse(r.created))} ago` : 'N/A'),
    },
    CreatedAt: { header: 'CREATED AT', value: (r) => goTime(r.created) },
    CreatedBy: {
      header: 'CREATED BY',
      value: (r, o) => (o.noTrunc ? r.createdBy : ellipsis(r.createdBy.replace(/\s+/g, ' '), 45)),
    },
    Size: { header: 'SIZE', value: (r) => formatBytes(r.size) },
    Comment: { header: 'COMMENT', value: (r) => r.comment },
  },
  defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
  quietField: 'ID',
};
