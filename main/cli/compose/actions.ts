/**
 * up, down, ps, logs, restart, stop, start: a loaded project driven through
 * the helper's existing methods (containers.*, networks.*, volumes.*,
 * images.*, build.run). Nothing here runs as root; the helper checks every
 * request as it does for `berth run`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError, isBerthError } from '../../../preload/errors';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import type { Backend } from '../../api/backend';
import type { CliContext } from '../command';
import { waitHealthy } from './health';
import type { ComposeProject, ComposeService } from './model';
import { containerName, imageOf, LABEL, planService } from './plan';

const cli = { transport: 'cli' } as const;

/** The project's containers (any state), by the project label. */
export async function projectContainers(b: Backend, project: string): Promise<ContainerSummaryT[]> {
  const list = await b.router.invoke(
    'containers.list',
    { all: true, filters: { label: [`${LABEL.project}=${project}`] } },
    cli,
  );
  return list.filter((c) => c.labels[LABEL.oneoff] !== 'True');
}

const serviceOf = (c: ContainerSummaryT): string => c.labels[LABEL.service] ?? c.name;

function status(ctx: CliContext, kind: string, name: string, what: string): void {
  ctx.stdout.write(` ${kind} ${name}  ${what}\n`);
}

async function exists<T>(f: () => Promise<T>, missing: string[]): Promise<T | null> {
  try {
    return await f();
  } catch (err) {
    if (isBerthError(err) && missing.includes(err.code)) return null;
    throw err;
  }
}

async function ensureNetworks(b: Backend, ctx: CliContext, p: ComposeProject): Promise<void> {
  const used = new Set(p.services.flatMap((s) => s.networks.map((n) => n.key)));
  for (const [key, n] of Object.entries(p.networks)) {
    if (!used.has(key) && !n.external) continue;
    const found = (await b.router.invoke('networks.list', { filters: { name: n.name } }, cli)).find(
      (x) => x.name === n.name,
    );
    if (n.external) {
      if (!found)
        throw new BerthError('COMPOSE_EXTERNAL_MISSING', `network ${n.name} is declared external but does not exist`);
      continue;
    }
    if (found) continue;
    await b.router.invoke(
      'networks.create',
      {
        name: n.name,
        internal: n.internal,
        ...(n.subnet ? { subnet: n.subnet } : {}),
        ...(n.gateway ? { gateway: n.gateway } : {}),
        labels: { ...n.labels, [LABEL.project]: p.name, [LABEL.network]: key },
      },
      cli,
    );
    status(ctx, 'Network', n.name, 'Created');
  }
}

async function ensureVolumes(b: Backend, ctx: CliContext, p: ComposeProject): Promise<void> {
  for (const [key, v] of Object.entries(p.volumes)) {
    const found = await exists(() => b.router.invoke('volumes.inspect', { name: v.name }, cli), ['VOLUME_NOT_FOUND']);
    if (v.external) {
      if (!found)
        throw new BerthError('COMPOSE_EXTERNAL_MISSING', `volume ${v.name} is declared external but does not exist`);
      continue;
    }
    if (found) continue;
    await b.router.invoke(
      'volumes.create',
      { name: v.name, labels: { ...v.labels, [LABEL.project]: p.name, [LABEL.volume]: key } },
      cli,
    );
    status(ctx, 'Volume', v.name, 'Created');
  }
}

/** The image id a service runs, building (build:) or pulling it when it is not in the store. */
async function ensureImage(
  b: Backend,
  ctx: CliContext,
  p: ComposeProject,
  s: ComposeService,
  forceBuild: boolean,
): Promise<string> {
  const ref = imageOf(p, s);
  const inspect = () => exists(() => b.router.invoke('images.inspect', { ref }, cli), ['IMAGE_NOT_FOUND']);
  let img = forceBuild && s.build ? null : await inspect();
  if (img) return img.id;
  if (s.build) {
    ctx.stdout.write(` Image ${ref}  Building\n`);
    const r = await b.router.invoke(
      'build.run',
      {
        context: { path: s.build.context },
        ...(s.build.dockerfile ? { file: s.build.dockerfile } : {}),
        options: {
          tags: [ref],
          buildArgs: s.build.args,
          noCache: false,
          network: 'bridge',
          ...(s.build.target ? { target: s.build.target } : {}),
        },
      },
      cli,
    );
    status(ctx, 'Image', ref, 'Built');
    return r.imageId;
  }
  ctx.stdout.write(` Image ${ref}  Pulling\n`);
  await b.router.invoke('images.pull', { ref }, cli);
  img = await inspect();
  if (!img) throw new BerthError('IMAGE_NOT_FOUND', `image ${ref} is not in the store after the pull`);
  status(ctx, 'Image', ref, 'Pulled');
  return img.id;
}

async function waitDependency(
  b: Backend,
  ctx: CliContext,
  p: ComposeProject,
  s: ComposeService,
  dep: ComposeService,
  condition: ComposeService['dependsOn'][number]['condition'],
): Promise<void> {
  const name = containerName(p, dep);
  const inspect = () => b.router.invoke('containers.inspect', { id: name }, cli);
  if (condition === 'service_started') return;
  if (condition === 'service_completed_successfully') {
    status(ctx, 'Container', name, 'Waiting');
    for (;;) {
      const c = await inspect();
      if (c.state === 'exited' || c.state === 'dead') {
        if (c.exitCode === 0) return status(ctx, 'Container', name, 'Exited');
        throw new BerthError(
          'COMPOSE_DEPENDENCY_FAILED',
          `service ${dep.name} (${name}) exited with ${c.exitCode ?? 'no code'}; ${s.name} depends on it completing successfully`,
        );
      }
      await sleep(200);
    }
  }
  if (!dep.healthcheck)
    throw new BerthError(
      'COMPOSE_INVALID',
      `services.${s.name}.depends_on.${dep.name}: service_healthy needs a healthcheck on ${dep.name}`,
    );
  status(ctx, 'Container', name, 'Waiting');
  const r = await waitHealthy(b, name, dep.healthcheck, async () => (await inspect()).state === 'running');
  if (!r.healthy)
    throw new BerthError('COMPOSE_DEPENDENCY_FAILED', `service ${dep.name} (${name}) is unhealthy: ${r.reason}`);
  status(ctx, 'Container', name, 'Healthy');
}

export interface UpOptions {
  detach: boolean;
  build: boolean;
  /** Only these services (and what they depend on); empty: all. */
  services: string[];
}

/** The named services and everything they depend on, transitively. */
export function selectServices(p: ComposeProject, names: string[]): ComposeService[] {
  if (names.length === 0) return p.services;
  const byName = new Map(p.services.map((s) => [s.name, s]));
  const want = new Set<string>();
  const add = (n: string): void => {
    const s = byName.get(n);
    if (!s) throw new BerthError('COMPOSE_UNKNOWN_SERVICE', `no such service: ${n}`);
    if (want.has(n)) return;
    want.add(n);
    s.dependsOn.forEach((d) => add(d.service));
  };
  names.forEach(add);
  return p.services.filter((s) => want.has(s.name));
}

export async function up(b: Backend, ctx: CliContext, p: ComposeProject, o: UpOptions): Promise<number> {
  const services = selectServices(p, o.services);
  await ensureNetworks(b, ctx, p);
  await ensureVolumes(b, ctx, p);
  const images = new Map<string, string>();
  for (const s of services) images.set(s.name, await ensureImage(b, ctx, p, s, o.build));
  const existing = await projectContainers(b, p.name);
  const known = new Set(p.services.map((s) => s.name));
  const orphans = existing.filter((c) => !known.has(serviceOf(c)));
  if (orphans.length)
    ctx.stderr.write(
      `WARNING: Found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project; run down to remove them\n`,
    );
  const byName = new Map(p.services.map((s) => [s.name, s]));
  for (const s of services) {
    for (const d of s.dependsOn) await waitDependency(b, ctx, p, s, byName.get(d.service)!, d.condition);
    const plan = planService(p, s, images.get(s.name)!);
    const name = plan.create.name!;
    const cur = existing.find((c) => serviceOf(c) === s.name && c.name === name) ?? null;
    if (cur && cur.labels[LABEL.configHash] === plan.hash) {
      if (cur.state === 'running' || cur.state === 'restarting') {
        status(ctx, 'Container', name, 'Running');
        continue;
      }
      if (cur.state === 'paused') await b.router.invoke('containers.unpause', { id: cur.id }, cli);
      else await b.router.invoke('containers.start', { id: cur.id }, cli);
      status(ctx, 'Container', name, 'Started');
      continue;
    }
    if (cur) {
      if (cur.state === 'running' || cur.state === 'paused' || cur.state === 'restarting')
        await b.router.invoke('containers.stop', { id: cur.id }, cli);
      await b.router.invoke('containers.remove', { id: cur.id, force: true }, cli);
    }
    const created = await b.router.invoke('containers.create', plan.create, cli);
    for (const w of created.warnings) ctx.stderr.write(`WARNING: ${name}: ${w}\n`);
    for (const n of plan.extraNetworks)
      await b.router.invoke(
        'networks.connect',
        { network: n.network, container: created.id, aliases: n.aliases, ...(n.ip ? { ip: n.ip } : {}) },
        cli,
      );
    status(ctx, 'Container', name, cur ? 'Recreated' : 'Created');
    await b.router.invoke('containers.start', { id: created.id }, cli);
    status(ctx, 'Container', name, 'Started');
  }
  if (o.detach) return 0;
  return attach(b, ctx, p, services);
}

/** `up` without -d: logs of the project's containers until they all stop; Ctrl+C stops them. */
async function attach(b: Backend, ctx: CliContext, p: ComposeProject, services: ComposeService[]): Promise<number> {
  const names = new Set(services.map((s) => s.name));
  const targets = (await projectContainers(b, p.name)).filter((c) => names.has(serviceOf(c)));
  let interrupted = false;
  const onSig = (): void => {
    if (interrupted) return;
    interrupted = true;
    ctx.stderr.write('Gracefully stopping... \n');
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    await streamLogs(b, ctx, targets, { follow: true, stop: () => interrupted });
    if (interrupted) {
      for (const c of [...targets].reverse()) {
        await b.router.invoke('containers.stop', { id: c.id }, cli).catch(() => undefined);
        status(ctx, 'Container', c.name, 'Stopped');
      }
      return 130;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

/** Logs of several containers, each line prefixed `service | `; with follow, until all stop (or `stop()`). */
export async function streamLogs(
  b: Backend,
  ctx: CliContext,
  containers: ContainerSummaryT[],
  o: { follow: boolean; tail?: number; stop?: () => boolean },
): Promise<void> {
  const width = Math.max(0, ...containers.map((c) => serviceOf(c).length));
  const cursors = new Map<string, string | undefined>();
  const live = new Set(containers.map((c) => c.id));
  const pull = async (c: ContainerSummaryT, first: boolean): Promise<boolean> => {
    const cursor = cursors.get(c.id);
    const r = await b.router.invoke(
      'containers.logs',
      {
        id: c.id,
        limit: 10_000,
        ...(cursor ? { cursor } : {}),
        ...(first && o.tail !== undefined ? { tail: o.tail } : {}),
      },
      cli,
    );
    cursors.set(c.id, r.cursor);
    const prefix = `${serviceOf(c).padEnd(width)} | `;
    for (const l of r.lines) (l.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(prefix + l.line + '\n');
    return r.running;
  };
  let first = true;
  for (;;) {
    for (const c of containers) {
      if (!live.has(c.id)) continue;
      const running = await pull(c, first).catch(() => false);
      if (!running) {
        // One more read: lines written between the last read and the exit.
        if (o.follow) await pull(c, false).catch(() => false);
        live.delete(c.id);
      }
    }
    first = false;
    if (!o.follow || live.size === 0 || o.stop?.()) return;
    await sleep(150);
  }
}

export async function down(b: Backend, ctx: CliContext, project: string, o: { volumes: boolean }): Promise<void> {
  const containers = await projectContainers(b, project);
  const ids = new Set(containers.map((c) => c.id));
  // Anonymous volumes of the project's containers go with -v, as in docker compose.
  const anonymous = o.volumes
    ? (await b.router.invoke('volumes.list', {}, cli))
        .filter((v) => v.anonymous && v.users.some((u) => ids.has(u.id)))
        .map((v) => v.name)
    : [];
  for (const c of [...containers].reverse()) {
    if (c.state === 'running' || c.state === 'paused' || c.state === 'restarting') {
      await b.router.invoke('containers.stop', { id: c.id }, cli);
      status(ctx, 'Container', c.name, 'Stopped');
    }
    await b.router.invoke('containers.remove', { id: c.id, force: true }, cli);
    status(ctx, 'Container', c.name, 'Removed');
  }
  for (const n of await b.router.invoke('networks.list', {}, cli)) {
    if (n.builtin || n.labels[LABEL.project] !== project) continue;
    await b.router.invoke('networks.remove', { id: n.id }, cli);
    status(ctx, 'Network', n.name, 'Removed');
  }
  if (!o.volumes) return;
  // Only volumes this project made carry its label: external ones never do.
  for (const v of await b.router.invoke('volumes.list', {}, cli)) {
    if (v.labels[LABEL.project] !== project && !anonymous.includes(v.name)) continue;
    await b.router.invoke('volumes.remove', { name: v.name }, cli);
    status(ctx, 'Volume', v.name, 'Removed');
  }
}

/** restart | stop | start over the project's containers (optionally some services), in dependency order. */
export async function lifecycle(
  b: Backend,
  ctx: CliContext,
  p: ComposeProject,
  verb: 'restart' | 'stop' | 'start',
  only: string[],
): Promise<void> {
  const containers = await projectContainers(b, p.name);
  for (const n of only)
    if (!p.services.some((s) => s.name === n)) throw new BerthError('COMPOSE_UNKNOWN_SERVICE', `no such service: ${n}`);
  const order = p.services.map((s) => s.name).filter((n) => only.length === 0 || only.includes(n));
  const seq = verb === 'stop' ? [...order].reverse() : order;
  for (const svc of seq)
    for (const c of containers.filter((x) => serviceOf(x) === svc)) {
      if (verb === 'start' && c.state === 'running') continue;
      if (verb === 'stop' && c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') continue;
      await b.router.invoke(`containers.${verb}`, { id: c.id }, cli);
      status(ctx, 'Container', c.name, { restart: 'Restarted', stop: 'Stopped', start: 'Started' }[verb]);
    }
}

export { serviceOf };
