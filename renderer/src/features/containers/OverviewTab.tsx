/**
 * Overview: the container's config and state, and the kernel objects behind
 * them — init's pid on the host and inside its pid namespace (NSpid), the
 * monitor, the overlay mount's dirs, the network namespace, the cgroup dirs —
 * each value next to where the kernel keeps it.
 */
import type { ReactNode } from 'react';
import { joinCommand } from './command';
import { formatBytes } from '../../ui/units';
import type { ContainerDetail } from './queries';
import { SeccompFacts } from './SeccompFacts';
import { securityRows } from './SecurityCard';
import { StatePill } from './ui';
import { KernelFacts, Mono } from '../../ui/Facts';

function Card({ id, title, wide, children }: { id: string; title: string; wide?: boolean; children: ReactNode }) {
  return (
    <section className={`card ${wide ? 'card-full' : 'card-half'}`} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const none = <span className="muted">—</span>;

function when(iso: string | null): ReactNode {
  if (!iso) return none;
  const d = new Date(iso);
  return <span title={iso}>{Number.isNaN(d.getTime()) ? iso : d.toLocaleString()}</span>;
}

/** "host 12345 ↔ container 1" (with any pid namespaces in between). */
export function pidMapping(nsPids: readonly number[]): string | null {
  if (nsPids.length === 0) return null;
  if (nsPids.length === 1) return `host ${nsPids[0]}`;
  const middle = nsPids.slice(1, -1).map((p) => `${p}`);
  return [`host ${nsPids[0]}`, ...middle, `container ${nsPids[nsPids.length - 1]}`].join(' ↔ ');
}

function controllerOf(dir: string): string {
  const m = /^\/sys\/fs\/cgroup\/([^/]+)\//.exec(dir);
  if (!m) return 'unified';
  return m[1] === 'unified' ? 'unified (v2)' : m[1]!;
}

function limitsText(r: NonNullable<ContainerDetail['config']>['resources']): ReactNode {
  const parts: string[] = [];
  if (r.memory?.max !== undefined)
    parts.push(`memory.max ${r.memory.max === null ? 'max' : formatBytes(r.memory.max)}`);
  if (r.cpu?.cpus !== undefined) parts.push(`cpus ${r.cpu.cpus}`);
  if (r.cpu?.cpusetCpus !== undefined) parts.push(`cpuset.cpus ${r.cpu.cpusetCpus}`);
  if (r.pids?.max !== undefined) parts.push(`pids.max ${r.pids.max === null ? 'max' : r.pids.max}`);
  const other = Object.keys(r).filter((k) => !['memory', 'cpu', 'pids'].includes(k));
  if (other.length) parts.push(`+ ${other.join(', ')}`);
  return parts.length ? <Mono>{parts.join(' · ')}</Mono> : <span className="muted">none (the parent's)</span>;
}

/** A container whose record the engine cannot use: why, and where it is on disk. Remove is all it offers. */
function UnreadableOverview({ c }: { c: ContainerDetail }): ReactNode {
  return (
    <div className="cards ctr-overview">
      <Card id="ctr-card-state" title="State" wide>
        <KernelFacts
          label="state"
          rows={[
            ['state', <StatePill c={c} />, 'the record cannot be read; only removal is possible'],
            ['reason', <span className="ctr-error-text">{c.reason ?? c.error ?? 'unknown'}</span>, 'container.json'],
            ['directory', <Mono>{c.paths.stateDir.replace(/\/run$/, '')}</Mono>],
            ['seen', when(c.created), "the directory's modification time"],
          ]}
        />
      </Card>
    </div>
  );
}

export function OverviewTab({ c }: { c: ContainerDetail }): ReactNode {
  const p = c.paths;
  const initHost = c.nsPids[0] ?? c.pid;
  const mapping = pidMapping(c.nsPids);
  const cfg = c.config;
  if (cfg === null) return <UnreadableOverview c={c} />;
  const overlayOpts = `lowerdir=${p.lowerDirs.join(':')},upperdir=${p.upperDir},workdir=${p.workDir}`;
  return (
    <div className="cards ctr-overview">
      <Card id="ctr-card-state" title="State">
        <KernelFacts
          label="state"
          rows={[
            ['state', <StatePill c={c} />, c.state === 'running' ? 'init alive, watched by its monitor' : undefined],
            [
              'exit code',
              c.exitCode === null ? none : <Mono>{c.exitCode}</Mono>,
              'waitpid() status, recorded by the monitor',
            ],
            [
              'OOM killed',
              c.oomKilled ? <span className="pill pill-no">yes</span> : 'no',
              'cgroup OOM-kill counter (memory.events / memory.oom_control)',
            ],
            ['created', when(c.created)],
            ['started', when(c.startedAt)],
            ['finished', when(c.finishedAt)],
            [
              'restarts',
              <Mono>{c.restartCount}</Mono>,
              `policy ${cfg.restart.name}${cfg.restart.name === 'on-failure' ? ` (max ${cfg.restart.maxRetries || '∞'})` : ''}`,
            ],
            ...(c.error ? ([['error', <span className="ctr-error-text">{c.error}</span>]] as const) : []),
          ]}
        />
      </Card>

      <Card id="ctr-card-process" title="Process">
        <KernelFacts
          label="process"
          rows={[
            [
              'init pid',
              mapping ? <Mono>{mapping}</Mono> : none,
              initHost ? <Mono>/proc/{initHost}/status NSpid</Mono> : 'not running',
            ],
            [
              'monitor pid',
              c.monitorPid === null ? none : <Mono>{c.monitorPid}</Mono>,
              c.monitorPid ? <Mono>/proc/{c.monitorPid} (holds stdio, log, exit status)</Mono> : undefined,
            ],
            ['command', <Mono>{joinCommand(c.command)}</Mono>, 'execve() argv of init'],
            ['user', <Mono>{cfg.user ?? 'image default'}</Mono>],
            ['working dir', <Mono>{cfg.workdir ?? 'image default'}</Mono>],
            ['tty / stdin', `${cfg.tty ? 'tty' : 'no tty'} · ${cfg.openStdin ? 'stdin open' : 'stdin closed'}`],
          ]}
        />
        <SeccompFacts c={c} />
      </Card>

      <Card id="ctr-card-security" title="Security" wide>
        <KernelFacts label="security" rows={securityRows(c)} />
      </Card>

      <Card id="ctr-card-rootfs" title="Root filesystem (overlay)" wide>
        <KernelFacts
          label="overlay"
          rows={[
            ['rootfs', <Mono>{p.rootfs}</Mono>, 'overlay mount point (pivot_root target)'],
            ['upperDir', <Mono>{p.upperDir}</Mono>, <Mono>upperdir= — the container's writes</Mono>],
            ['workDir', <Mono>{p.workDir}</Mono>, <Mono>workdir= — overlayfs scratch</Mono>],
            [
              `lowerDirs (${p.lowerDirs.length})`,
              <ol className="ctr-paths">
                {p.lowerDirs.map((d) => (
                  <li key={d}>
                    <Mono>{d}</Mono>
                  </li>
                ))}
              </ol>,
              <Mono>lowerdir= — image layers, topmost first</Mono>,
            ],
            [
              'mount options',
              <Mono>{overlayOpts}</Mono>,
              <Mono>mount -t overlay (as in /proc/{initHost ?? 'PID'}/mountinfo)</Mono>,
            ],
            ['log', <Mono>{p.logPath}</Mono>, 'JSON lines written by the monitor'],
            ['state dir', <Mono>{p.stateDir}</Mono>, 'monitor state, attach socket, exit file'],
          ]}
        />
      </Card>

      <Card id="ctr-card-cgroups" title="Cgroups" wide>
        {p.cgroups.length === 0 ? (
          <p className="muted">No cgroup while the container is not running.</p>
        ) : (
          <table className="table" aria-label="cgroup dirs">
            <thead>
              <tr>
                <th scope="col" className="narrow">
                  Controller
                </th>
                <th scope="col">Directory (its cgroup.procs lists the container's pids)</th>
              </tr>
            </thead>
            <tbody>
              {p.cgroups.map((d) => (
                <tr key={d}>
                  <td className="narrow mono">{controllerOf(d)}</td>
                  <td className="mono">{d}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <KernelFacts label="limits" rows={[['limits at create', limitsText(cfg.resources)]]} />
      </Card>

      <Card id="ctr-card-network" title="Network">
        <KernelFacts
          label="network"
          rows={[
            ['mode', <Mono>{c.network.mode}</Mono>],
            [
              'netns',
              p.netns ? <Mono>{p.netns}</Mono> : <span className="muted">the host's</span>,
              initHost ? <Mono>bind mount of /proc/{initHost}/ns/net</Mono> : undefined,
            ],
            [
              'IP',
              c.network.ip ? <Mono>{c.network.ip}</Mono> : none,
              c.network.ip ? 'eth0 in the netns (veth to the bridge)' : undefined,
            ],
            [
              'ports',
              c.network.ports.length ? (
                <ul className="ctr-paths">
                  {c.network.ports.map((pt) => (
                    <li key={`${pt.protocol}-${pt.hostPort}`}>
                      <Mono>
                        host {pt.hostPort} → {pt.containerPort}/{pt.protocol}
                      </Mono>
                    </li>
                  ))}
                </ul>
              ) : (
                none
              ),
              c.network.ports.length ? 'nftables DNAT rules' : undefined,
            ],
            ['hostname', <Mono>{cfg.hostname ?? c.id.slice(0, 12)}</Mono>, 'UTS namespace'],
          ]}
        />
      </Card>

      <Card id="ctr-card-config" title="Config">
        <KernelFacts
          label="config"
          rows={[
            ['image', <Mono>{c.image}</Mono>, <Mono>{c.imageId}</Mono>],
            [
              'env',
              cfg.env.length ? (
                <ul className="ctr-paths">
                  {cfg.env.map((e) => (
                    <li key={e}>
                      <Mono>{e}</Mono>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">image defaults only</span>
              ),
            ],
            [
              'volumes',
              cfg.volumes.length ? (
                <ul className="ctr-paths">
                  {cfg.volumes.map((v) => (
                    <li key={v.destination}>
                      <Mono>
                        {v.source} → {v.destination}
                        {v.readOnly ? ' (ro)' : ''}
                      </Mono>
                    </li>
                  ))}
                </ul>
              ) : (
                none
              ),
              cfg.volumes.length ? 'bind mounts' : undefined,
            ],
            ['auto-remove', cfg.autoRemove ? 'yes (--rm)' : 'no'],
            ['user namespace', cfg.userns ? 'yes' : 'no'],
            ['time namespace', cfg.timens ? 'yes' : 'no'],
          ]}
        />
        <details className="ctr-raw">
          <summary>Config as JSON</summary>
          <pre className="mono">{JSON.stringify(cfg, null, 2)}</pre>
        </details>
      </Card>
    </div>
  );
}
