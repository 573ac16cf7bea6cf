/**
 * Runs a Containerfile: stages in order (only those the target needs), each
 * instruction a step whose result is looked up in the build cache first, RUN
 * in a real container (StepRunner), COPY/ADD as layer tars written here, the
 * config instructions on the image config. The result is committed to the
 * image store as an OCI image whose layers the cache's blobs are (hard
 * links), with docker-like history entries (created_by, empty_layer).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import type { BuildOptionsT, BuildProgressT, BuildStepT } from '../../../preload/schemas/build';
import { DockerIgnore } from '../../shared/dockerignore';
import { chainIds, sha256, type Digest } from '../oci/digest';
import {
  MediaTypes,
  type ContainerConfig,
  type Descriptor,
  type HistoryEntry,
  type ImageConfig,
  type ImageManifest,
} from '../oci/oci-types';
import type { TarWriteEntry } from '../oci/tar/writer';
import { extractLayerFile } from '../images/extract';
import type { ImageStore, StagedImage } from '../images/store/index';
import { normalizeTag } from '../images/reference';
import { BuildCache } from './cache';
import {
  collectSource,
  contentDigest,
  copyEntries,
  isTarArchive,
  madeDirEntry,
  parentEntries,
  resolveChown,
  tarEntriesUnder,
  type CopySource,
} from './copy';
import { chompHeredoc, parseDockerfile, parseHeredocWord, type Heredoc, type Instruction } from './dockerfile';
import { checkUrlNetwork, downloadUrl, isGitUrl, isHttpUrl, parseChecksum } from './fetch-url';
import { writeLayer, type WrittenLayer } from './layer-writer';
import { MergedView } from './merged-view';
import { cacheMountDir, overlayView, parseRunMount, type RunMountSpec, type StepMount } from './run-mounts';
import { expandHeredoc, processWord, processWords, rawWords } from './shell-words';

export interface RunRequest {
  lowerDirs: string[];
  argv: string[];
  env: string[];
  workdir: string;
  user: string;
  network: BuildOptionsT['network'];
  /** RUN --mount's mounts (and a heredoc script's /dev/pipes): host paths, not in the layer. */
  mounts: StepMount[];
  memoryBytes?: number;
  cpus?: number;
  onOutput(stream: 'stdout' | 'stderr', line: string): void;
}

/** Runs one RUN step in a container and writes the layer of what it changed. */
export interface StepRunner {
  run(req: RunRequest, layerFile: string): Promise<{ exitCode: number; layer: WrittenLayer }>;
}

export interface BuildInput {
  dataRoot: string;
  store: ImageStore;
  runner: StepRunner;
  /** The received context, unpacked (root's, private). */
  contextDir: string;
  /**
   * Content digests of context sources, by the sources' names, for a context
   * directory that never changes (the helper's kept contexts): a rebuild of
   * the same context reads no file to key its COPY steps. Absent: computed each time.
   */
  contextDigests?: Map<string, string>;
  containerfile: string;
  fileName: string;
  options: BuildOptionsT;
  buildId: string;
  emit(p: BuildProgressT): void;
  /**
   * Fetches a FROM image from its registry into the store (the helper's pull
   * path, the owner's credentials); absent: FROM takes only what the store has.
   */
  pull?: (ref: string) => Promise<void>;
}

export interface BuildOutcome {
  imageId: Digest;
  tags: string[];
  steps: BuildStepT[];
  cacheHits: number;
}

interface Layer {
  diffId: Digest;
  desc: Descriptor;
}

interface State {
  key: string;
  layers: Layer[];
  history: HistoryEntry[];
  config: ContainerConfig;
  created: string;
  author?: string;
  shell: string[];
  /** ARGs declared in this stage, with their values. */
  args: Map<string, string>;
  cmdSet: boolean;
}

interface Stage {
  name: string;
  index: number;
  from: Instruction;
  body: Instruction[];
}

const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const DOCKER_TO_OCI: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar': OCI_LAYER_TAR,
};

export function hostPlatform(): { os: string; architecture: string } {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

const keyOf = (...parts: unknown[]): string => crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');

function envMap(env: readonly string[] | null | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of env ?? []) {
    const i = kv.indexOf('=');
    m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
  }
  return m;
}

/** Sets a variable where it is (docker and buildah keep its place), or appends it. */
function setEnv(env: string[] | null | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])];
  const at = out.findIndex((kv) => kv.split('=')[0] === key);
  if (at >= 0) out[at] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** Go duration strings (HEALTHCHECK --interval=30s) in nanoseconds. */
function durationNs(s: string, line: number): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  const unit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  while ((m = re.exec(s))) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    at = re.lastIndex;
  }
  if (at !== s.length || s === '') throw new BerthError('BUILD_SYNTAX', `line ${line}: bad duration ${s}`, { line });
  return Math.round(total);
}

/** A step's scratch left by a helper that died mid-step: overlays unmounted, files removed. */
function sweepScratch(tmp: string): void {
  for (const name of fs.readdirSync(tmp)) {
    const abs = path.join(tmp, name);
    if (name.startsWith('ov-')) spawnSync('umount', ['-l', path.join(abs, 'merged')]);
    fs.rmSync(abs, { recursive: true, force: true });
  }
}

export class Builder {
  private readonly cache: BuildCache;
  private readonly steps: BuildStepT[] = [];
  private hits = 0;
  private stepNo = 0;
  private totalSteps = 0;
  private readonly stageStates = new Map<number, State>();
  private readonly ignore: DockerIgnore | null;
  private readonly platform = hostPlatform();
  private escape = '\\';

  constructor(private readonly b: BuildInput) {
    this.cache = new BuildCache(b.dataRoot);
    const di = path.join(b.contextDir, '.dockerignore');
    this.ignore = fs.existsSync(di) ? new DockerIgnore(fs.readFileSync(di, 'utf8')) : null;
  }

  async build(): Promise<BuildOutcome> {
    const want = this.b.options.platform;
    const own = `${this.platform.os}/${this.platform.architecture}`;
    if (want !== undefined && want !== own) {
      throw new BerthError('BUILD_PLATFORM_UNSUPPORTED', `--platform ${want}: this engine builds ${own} only`, {
        platform: want,
      });
    }
    const df = parseDockerfile(this.b.containerfile);
    this.escape = df.escape;
    const { meta, stages } = this.splitStages(df.instructions);
    const globals = new Map<string, string>();
    for (const a of meta)
      for (const [k, v] of this.argPairs(a, globals)) globals.set(k, this.b.options.buildArgs[k] ?? v ?? '');
    const targetIdx = this.targetIndex(stages);
    const needed = this.neededStages(stages, targetIdx, globals);
    this.totalSteps = stages.filter((s) => needed.has(s.index)).reduce((n, s) => n + 1 + s.body.length, 0);
    this.cache.ensureDirs();
    return this.cache.run(async () => {
      this.cache.reload();
      sweepScratch(this.cache.paths.tmp);
      try {
        for (const st of stages)
          if (needed.has(st.index)) this.stageStates.set(st.index, await this.runStage(st, stages, globals));
        const final = this.stageStates.get(targetIdx) as State;
        const out = await this.commit(final);
        this.b.emit({ ...this.progressBase('end', '', ''), imageId: out.imageId });
        return out;
      } finally {
        this.cache.save();
      }
    });
  }

  // ── stages ───────────────────────────────────────────────────────────────

  private splitStages(ins: Instruction[]): { meta: Instruction[]; stages: Stage[] } {
    const meta: Instruction[] = [];
    const stages: Stage[] = [];
    for (const i of ins) {
      if (i.keyword === 'FROM') {
        const words = rawWords(i.rest, this.escape);
        const asAt = words.findIndex((w) => w.toLowerCase() === 'as');
        const name = asAt >= 1 ? (words[asAt + 1] ?? '').toLowerCase() : String(stages.length);
        stages.push({ name, index: stages.length, from: i, body: [] });
      } else if (stages.length === 0) {
        if (i.keyword !== 'ARG')
          throw new BerthError(
            'BUILD_SYNTAX',
            `line ${i.line}: ${i.keyword} before the first FROM (only ARG may come first)`,
            { line: i.line },
          );
        meta.push(i);
      } else stages[stages.length - 1]?.body.push(i);
    }
    if (stages.length === 0)
      throw new BerthError('BUILD_SYNTAX', `${this.b.fileName}: no FROM instruction`, { line: 0 });
    return { meta, stages };
  }

  private stageByName(stages: Stage[], ref: string): Stage | undefined {
    const lower = ref.toLowerCase();
    return stages.find((s) => s.name === lower) ?? (/^\d+$/.test(ref) ? stages[Number(ref)] : undefined);
  }

  private targetIndex(stages: Stage[]): number {
    const t = this.b.options.target;
    if (t === undefined) return stages.length - 1;
    const s = this.stageByName(stages, t);
    if (!s)
      throw new BerthError('BUILD_STAGE_NOT_FOUND', `--target ${t}: no stage of that name in ${this.b.fileName}`, {
        stage: t,
        line: 0,
      });
    return s.index;
  }

  private fromImageRef(st: Stage, globals: Map<string, string>): string {
    return processWords(st.from.rest, globals, this.escape, st.from.line)[0] ?? '';
  }

  /** The target and every stage it reaches through FROM <stage> and COPY --from=<stage>. */
  private neededStages(stages: Stage[], target: number, globals: Map<string, string>): Set<number> {
    const need = new Set<number>();
    const visit = (i: number): void => {
      if (need.has(i)) return;
      need.add(i);
      const st = stages[i] as Stage;
      const dep = this.stageByName(stages.slice(0, i), this.fromImageRef(st, globals));
      if (dep) visit(dep.index);
      for (const ins of st.body) {
        const from = ins.flags.get('from')?.[0];
        if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && from !== undefined) {
          const d = this.stageByName(stages.slice(0, i), processWord(from, globals, this.escape, ins.line));
          if (d) visit(d.index);
        }
        // RUN --mount=…,from=STAGE reaches that stage too.
        for (const m of ins.keyword === 'RUN' ? (ins.flags.get('mount') ?? []) : []) {
          const f = /(?:^|,)from=([^,]+)/.exec(m)?.[1];
          const d = f
            ? this.stageByName(stages.slice(0, i), processWord(f, globals, this.escape, ins.line))
            : undefined;
          if (d) visit(d.index);
        }
      }
    };
    visit(target);
    return need;
  }

  private async runStage(st: Stage, stages: Stage[], globals: Map<string, string>): Promise<State> {
    let state = await this.fromStep(st, stages, globals);
    for (const ins of st.body) state = await this.step(st, ins, state, stages, globals);
    return state;
  }

  private async fromStep(st: Stage, stages: Stage[], globals: Map<string, string>): Promise<State> {
    const ref = this.fromImageRef(st, globals);
    const label = `FROM ${ref}${st.name !== String(st.index) ? ` AS ${st.name}` : ''}`;
    this.begin(st, label);
    const t0 = Date.now();
    let state: State;
    const dep = this.stageByName(stages.slice(0, st.index), ref);
    if (ref === '')
      throw new BerthError('BUILD_SYNTAX', `line ${st.from.line}: FROM needs an image`, { line: st.from.line });
    if (dep) {
      const s = this.stageStates.get(dep.index) as State;
      state = { ...structuredClone({ ...s, args: undefined }), args: new Map(), cmdSet: false };
    } else if (ref === 'scratch') {
      state = {
        key: keyOf('scratch', this.platform),
        layers: [],
        history: [],
        config: {},
        created: new Date(0).toISOString(),
        shell: ['/bin/sh', '-c'],
        args: new Map(),
        cmdSet: false,
      };
    } else {
      const img = await this.baseImage(st, label, ref);
      const diffIds = img.config.rootfs.diff_ids as Digest[];
      state = {
        key: keyOf('image', img.id),
        layers: diffIds.map((d, i) => {
          const desc = img.manifest.layers[i] as Descriptor;
          return {
            diffId: d,
            desc: { mediaType: DOCKER_TO_OCI[desc.mediaType] ?? desc.mediaType, digest: desc.digest, size: desc.size },
          };
        }),
        history: structuredClone(img.config.history ?? []),
        config: structuredClone(img.config.config ?? {}),
        created: img.config.created ?? new Date(0).toISOString(),
        ...(img.config.author ? { author: img.config.author } : {}),
        shell: ['/bin/sh', '-c'],
        args: new Map(),
        cmdSet: false,
      };
    }
    // Not a cache lookup: the base is what the store (or the earlier stage) holds.
    this.end(st, label, false, false, t0);
    return state;
  }

  /**
   * FROM's image by the build's --pull: always fetched, fetched when the store
   * lacks it (docker's and buildah's default), or never.
   */
  private async baseImage(st: Stage, label: string, ref: string) {
    const policy = this.b.options.pull;
    const pull = async (why: string): Promise<void> => {
      if (!this.b.pull) return;
      this.b.emit({ ...this.progressBase('log', st.name, label), stream: 'stdout', line: `Pulling ${ref}` });
      try {
        await this.b.pull(ref);
      } catch (err) {
        if (!(err instanceof BerthError)) throw err;
        // The registry's own code, with the line that asked for the image.
        throw new BerthError(
          err.code,
          `line ${st.from.line}: FROM ${ref}: ${why}${err.message}`,
          { ...err.details, line: st.from.line, image: ref },
          { cause: err },
        );
      }
    };
    if (policy === 'always') await pull('pulling it (--pull=always) failed: ');
    try {
      return await this.b.store.resolve(ref);
    } catch (err) {
      if (!(err instanceof BerthError && err.code === 'IMAGE_NOT_FOUND')) throw err;
      if (policy === 'missing' && this.b.pull) {
        await pull('no such stage or image in the store, and pulling it failed: ');
        return this.b.store.resolve(ref);
      }
      throw new BerthError(
        'BUILD_STAGE_NOT_FOUND',
        `line ${st.from.line}: FROM ${ref}: no such stage or image${policy === 'never' ? ' in the store (--pull=never)' : ' (pull or load it first)'}`,
        { line: st.from.line, image: ref },
      );
    }
  }

  // ── steps ────────────────────────────────────────────────────────────────

  private progressBase(kind: BuildProgressT['kind'], stage: string, instruction: string): BuildProgressT {
    return { buildId: this.b.buildId, kind, step: this.stepNo, steps: this.totalSteps, stage, instruction };
  }

  private begin(st: Stage, label: string): void {
    this.stepNo++;
    this.b.emit(this.progressBase('step', st.name, label));
  }

  private end(st: Stage, label: string, cached: boolean, layer: boolean, t0: number): void {
    const durationMs = Date.now() - t0;
    this.steps.push({ step: this.stepNo, stage: st.name, instruction: label, cached, layer, durationMs });
    if (cached) this.hits++;
    this.b.emit({ ...this.progressBase('done', st.name, label), cached });
  }

  /** Variables an instruction sees: the stage's ARGs, then its ENV (ENV wins). */
  private vars(state: State): Map<string, string> {
    const m = new Map(state.args);
    for (const [k, v] of envMap(state.config.Env)) m.set(k, v);
    return m;
  }

  /** ARG name[=default] pairs (several per line allowed). */
  private argPairs(ins: Instruction, vars: Map<string, string>): Array<[string, string | undefined]> {
    return rawWords(ins.rest, this.escape).map((w) => {
      const i = w.indexOf('=');
      if (i < 0) return [w, undefined];
      return [w.slice(0, i), processWord(w.slice(i + 1), vars, this.escape, ins.line)];
    });
  }

  /** ENV/LABEL pairs: `K=V …` or the old `K V…` form. */
  private kvPairs(ins: Instruction, vars: Map<string, string>): Array<[string, string]> {
    const words = rawWords(ins.rest, this.escape);
    if (words.length === 0)
      throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: ${ins.keyword} needs arguments`, { line: ins.line });
    if (!(words[0] as string).includes('=')) {
      const key = words[0] as string;
      const value = ins.rest.slice(ins.rest.indexOf(key) + key.length).trim();
      return [[key, processWord(value, vars, this.escape, ins.line)]];
    }
    return words.map((w) => {
      const i = w.indexOf('=');
      if (i < 0)
        throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: ${ins.keyword}: ${w} is not KEY=VALUE`, {
          line: ins.line,
        });
      return [
        processWord(w.slice(0, i), vars, this.escape, ins.line),
        processWord(w.slice(i + 1), vars, this.escape, ins.line),
      ];
    });
  }

  private argv(ins: Instruction, state: State): string[] {
    return ins.json ?? [...state.shell, ins.rest];
  }

  private async step(
    st: Stage,
    ins: Instruction,
    prev: State,
    stages: Stage[],
    globals: Map<string, string>,
  ): Promise<State> {
    const s: State = {
      ...prev,
      config: structuredClone(prev.config),
      history: [...prev.history],
      layers: [...prev.layers],
      args: new Map(prev.args),
    };
    const vars = this.vars(prev);
    const word = (w: string): string => processWord(w, vars, this.escape, ins.line);
    const words = (): string[] => processWords(ins.rest, vars, this.escape, ins.line);
    let label = `${ins.keyword} ${ins.rest}`;
    switch (ins.keyword) {
      case 'ENV':
        for (const [k, v] of this.kvPairs(ins, vars)) s.config.Env = setEnv(s.config.Env, k, v);
        label = `ENV ${this.kvPairs(ins, vars)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`;
        break;
      case 'LABEL': {
        const pairs = this.kvPairs(ins, vars);
        s.config.Labels = { ...(s.config.Labels ?? {}), ...Object.fromEntries(pairs) };
        label = `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
        break;
      }
      case 'ARG':
        for (const [k, v] of this.argPairs(ins, vars)) {
          const value = this.b.options.buildArgs[k] ?? v ?? globals.get(k);
          if (value !== undefined) s.args.set(k, value);
        }
        label = `ARG ${ins.rest}`;
        break;
      case 'USER':
        s.config.User = word(ins.rest);
        label = `USER ${s.config.User}`;
        break;
      case 'CMD':
        s.config.Cmd = this.argv(ins, s);
        s.cmdSet = true;
        label = `CMD ${JSON.stringify(s.config.Cmd)}`;
        break;
      case 'ENTRYPOINT':
        s.config.Entrypoint = this.argv(ins, s);
        if (!s.cmdSet) s.config.Cmd = null;
        label = `ENTRYPOINT ${JSON.stringify(s.config.Entrypoint)}`;
        break;
      case 'SHELL':
        if (!ins.json)
          throw new BerthError(
            'BUILD_SYNTAX',
            `line ${ins.line}: SHELL needs the JSON form: SHELL ["executable", "param"]`,
            { line: ins.line },
          );
        s.shell = ins.json;
        label = `SHELL ${JSON.stringify(ins.json)}`;
        break;
      case 'EXPOSE': {
        const ports = { ...(s.config.ExposedPorts ?? {}) } as Record<string, object>;
        for (const p of words()) ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
        s.config.ExposedPorts = ports;
        label = `EXPOSE ${Object.keys(ports).join(' ')}`;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(s.config.Volumes ?? {}) } as Record<string, object>;
        for (const v of ins.json ? ins.json.map(word) : words()) vols[v] = {};
        s.config.Volumes = vols;
        label = `VOLUME ${JSON.stringify(Object.keys(vols))}`;
        break;
      }
      case 'STOPSIGNAL':
        s.config.StopSignal = word(ins.rest);
        label = `STOPSIGNAL ${s.config.StopSignal}`;
        break;
      case 'MAINTAINER':
        s.author = word(ins.rest);
        break;
      case 'ONBUILD':
        (s.config as Record<string, unknown>)['OnBuild'] = [
          ...(((s.config as Record<string, unknown>)['OnBuild'] as string[] | undefined) ?? []),
          ins.rest,
        ];
        break;
      case 'HEALTHCHECK':
        this.healthcheck(ins, s);
        label = `HEALTHCHECK ${ins.rest}`;
        break;
      case 'WORKDIR':
        return this.workdir(st, ins, s, word(ins.rest));
      case 'RUN':
        return this.run(st, ins, s, vars, stages);
      case 'COPY':
      case 'ADD':
        return this.copy(st, ins, s, vars, stages);
      case 'FROM':
        break;
    }
    return this.configStep(st, ins, s, label);
  }

  private healthcheck(ins: Instruction, s: State): void {
    const rest = ins.rest.trim();
    const cfg = s.config as Record<string, unknown>;
    if (/^none$/i.test(rest)) {
      cfg['Healthcheck'] = { Test: ['NONE'] };
      return;
    }
    const m = /^CMD\s+([\s\S]*)$/i.exec(rest);
    if (!m) throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: HEALTHCHECK needs CMD or NONE`, { line: ins.line });
    const body = (m[1] as string).trim();
    let json: string[] | null = null;
    try {
      const v: unknown = JSON.parse(body);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v as string[];
    } catch {
      json = null;
    }
    const hc: Record<string, unknown> = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', body] };
    const f = (name: string): string | undefined => ins.flags.get(name)?.[0];
    const interval = f('interval');
    const timeout = f('timeout');
    const start = f('start-period');
    const retries = f('retries');
    if (interval) hc['Interval'] = durationNs(interval, ins.line);
    if (timeout) hc['Timeout'] = durationNs(timeout, ins.line);
    if (start) hc['StartPeriod'] = durationNs(start, ins.line);
    if (retries) hc['Retries'] = Number(retries);
    cfg['Healthcheck'] = hc;
  }

  /** A step that changes only the config: an empty_layer history entry, its time from the cache. */
  private configStep(st: Stage, ins: Instruction, s: State, label: string): State {
    this.begin(st, label);
    const t0 = Date.now();
    const key = keyOf(s.key, 'config', label, s.config, s.shell);
    const hit = this.lookup(key);
    const created = hit?.created ?? new Date().toISOString();
    if (!hit) this.remember(key, null, 0, created, label);
    s.key = key;
    s.created = created;
    s.history.push({ created, created_by: label, empty_layer: true });
    this.end(st, label, hit !== null, false, t0);
    return s;
  }

  private lookup(key: string): { created: string; diffId: string | null; size: number } | null {
    if (this.b.options.noCache) return null;
    const e = this.cache.get(key);
    if (e) this.cache.touch(key, new Date().toISOString());
    return e;
  }

  private remember(key: string, diffId: string | null, size: number, created: string, createdBy: string): void {
    this.cache.put(key, { diffId, size, created, createdBy, lastUsed: created });
  }

  /** A layer-making step: from the cache, or made by `make` into a new cache blob. */
  private async layerStep(
    st: Stage,
    s: State,
    label: string,
    key: string,
    make: (file: string) => Promise<WrittenLayer | null>,
  ): Promise<State> {
    this.begin(st, label);
    const t0 = Date.now();
    const hit = this.lookup(key);
    let created: string;
    let layer: { diffId: Digest; size: number } | null;
    if (hit) {
      created = hit.created;
      layer = hit.diffId === null ? null : { diffId: hit.diffId as Digest, size: hit.size };
    } else {
      created = new Date().toISOString();
      const tmp = path.join(this.cache.paths.blobs, `.tmp-${crypto.randomBytes(8).toString('hex')}`);
      try {
        const w = await make(tmp);
        layer = w;
        if (w) {
          const dest = this.cache.blobPath(w.diffId);
          if (fs.existsSync(dest)) fs.rmSync(tmp, { force: true });
          else fs.renameSync(tmp, dest);
        }
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      this.remember(key, layer?.diffId ?? null, layer?.size ?? 0, created, label);
    }
    s.key = key;
    s.created = created;
    if (layer) {
      s.layers.push({
        diffId: layer.diffId,
        desc: { mediaType: OCI_LAYER_TAR, digest: layer.diffId, size: layer.size },
      });
      s.history.push({ created, created_by: label });
    } else s.history.push({ created, created_by: label, empty_layer: true });
    this.end(st, label, hit !== null, layer !== null, t0);
    return s;
  }

  /** Unpacked dirs of a state's layers, topmost first: the store's, or the cache's (unpacked from its blob when missing). */
  private async lowerDirs(s: State): Promise<string[]> {
    const chains = chainIds(s.layers.map((l) => l.diffId));
    const dirs: string[] = [];
    for (const [i, c] of chains.entries()) {
      const inStore = this.b.store.layerDir(c);
      if (fs.existsSync(inStore)) {
        dirs.push(inStore);
        continue;
      }
      const mine = this.cache.layerDir(c);
      if (!fs.existsSync(mine)) {
        const blob = this.cache.blobPath((s.layers[i] as Layer).diffId);
        if (!fs.existsSync(blob))
          throw new BerthError('LAYER_MISSING', `layer ${c} is neither in the store nor in the build cache`, {
            chainId: c,
          });
        await extractLayerFile(blob, mine, {
          lowerDirs: [...dirs].reverse(),
          native: this.b.store.createNativeOps(),
          allowDevices: true,
        });
      }
      dirs.push(mine);
    }
    return dirs.reverse();
  }

  private async workdir(st: Stage, ins: Instruction, s: State, dir: string): Promise<State> {
    const abs = path.posix.resolve(s.config.WorkingDir || '/', dir);
    s.config.WorkingDir = abs;
    const label = `WORKDIR ${abs}`;
    const view = new MergedView(await this.lowerDirs(s));
    const rel = view.resolve(abs.slice(1));
    if (rel === '' || view.lookup(rel)?.st.isDirectory()) return this.configStep(st, ins, s, label);
    const key = keyOf(s.key, 'workdir', abs);
    return this.layerStep(st, s, label, key, async (file) => {
      const entries: TarWriteEntry[] = [...parentEntries(view, `${rel}/x`, { uid: 0, gid: 0 })];
      return writeLayer(file, entries);
    });
  }

  /**
   * RUN's argv, with heredocs as buildkit runs them: a lone `<<EOF` is the
   * script itself (`sh -c CONTENT`, or, with a `#!` line, a file mounted at
   * /dev/pipes/EOF and run); otherwise the line and its documents go to the
   * shell as written, which reads the heredocs itself.
   */
  private runCommand(ins: Instruction, s: State): { argv: string[]; label: string; pipe: Heredoc | null } {
    if (ins.json || ins.heredocs.length === 0) {
      const argv = this.argv(ins, s);
      return { argv, label: ins.json ? `RUN ${JSON.stringify(argv)}` : `RUN ${argv.join(' ')}`, pipe: null };
    }
    const written = `${ins.rest}${ins.heredocs.map((h) => `\n${h.content}${h.name}`).join('')}`;
    const label = `RUN ${written}`;
    const lone = parseHeredocWord(ins.rest, this.escape);
    if (lone && ins.heredocs.length === 1) {
      const h = ins.heredocs[0] as Heredoc;
      const data = h.chomp ? chompHeredoc(h.content) : h.content;
      if (data.startsWith('#!')) {
        if (!/^[A-Za-z0-9._-]+$/.test(h.name) || h.name === '.' || h.name === '..')
          throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: heredoc name ${h.name} cannot name a script file`, {
            line: ins.line,
          });
        return { argv: [...s.shell, `/dev/pipes/${h.name}`], label, pipe: { ...h, content: data } };
      }
      return { argv: [...s.shell, data], label, pipe: null };
    }
    return { argv: [...s.shell, written], label, pipe: null };
  }

  /** `RUN --network=none|host|default` over the build's --network. */
  private runNetwork(ins: Instruction): BuildOptionsT['network'] {
    const n = ins.flags.get('network')?.at(-1);
    if (n === undefined || n === 'default') return this.b.options.network;
    if (n === 'none' || n === 'host') return n;
    throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: RUN --network=${n}: none, host or default`, {
      line: ins.line,
    });
  }

  private async run(st: Stage, ins: Instruction, s: State, vars: Map<string, string>, stages: Stage[]): Promise<State> {
    for (const f of ins.flags.keys())
      if (f !== 'mount' && f !== 'network')
        throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: RUN --${f}: unknown flag (--mount, --network)`, {
          line: ins.line,
        });
    const { argv, label: runLabel, pipe } = this.runCommand(ins, s);
    const network = this.runNetwork(ins);
    const workdir = s.config.WorkingDir || '/';
    const specs = (ins.flags.get('mount') ?? []).map((m) =>
      parseRunMount(processWord(m, vars, this.escape, ins.line), ins.line, workdir),
    );
    const targets = new Set<string>();
    for (const m of specs) {
      if (targets.has(m.target))
        throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: two mounts on ${m.target}`, { line: ins.line });
      targets.add(m.target);
    }
    const flagsText = [
      ...(ins.flags.get('mount') ?? []).map((m) => `--mount=${m}`),
      ...(ins.flags.has('network') ? [`--network=${network}`] : []),
    ];
    const label = flagsText.length ? runLabel.replace(/^RUN /, `RUN ${flagsText.join(' ')} `) : runLabel;
    const env = [...(s.config.Env ?? [])];
    const envKeys = new Set(env.map((kv) => kv.split('=')[0]));
    for (const [k, v] of s.args) if (!envKeys.has(k)) env.push(`${k}=${v}`);
    // What a bind shows is part of the key (its content digest, or the stage's key); a cache mount's is not.
    const bindKeys: string[] = [];
    for (const m of specs) if (m.type === 'bind') bindKeys.push(await this.bindSourceKey(st, ins, m, vars, stages));
    const key = keyOf(
      s.key,
      'run',
      argv,
      env,
      s.config.User ?? '',
      workdir,
      network,
      specs,
      bindKeys,
      pipe?.content ?? null,
    );
    const o = this.b.options;
    return this.layerStep(st, s, label, key, async (file) => {
      const lowerDirs = await this.lowerDirs(s);
      const releases: Array<() => void> = [];
      try {
        const mounts: StepMount[] = [];
        for (const m of specs) mounts.push(await this.stepMount(st, ins, m, stages, releases));
        if (pipe) {
          const dir = fs.mkdtempSync(path.join(this.cache.paths.tmp, 'pipes-'));
          releases.push(() => fs.rmSync(dir, { recursive: true, force: true }));
          fs.chmodSync(dir, 0o755);
          fs.writeFileSync(path.join(dir, pipe.name), pipe.content, { mode: 0o755 });
          fs.chmodSync(path.join(dir, pipe.name), 0o755);
          mounts.push({ type: 'bind', source: dir, target: '/dev/pipes', readOnly: true });
        }
        const r = await this.b.runner.run(
          {
            lowerDirs,
            argv,
            env,
            workdir,
            user: s.config.User || '0',
            network,
            mounts,
            ...(o.memoryBytes !== undefined ? { memoryBytes: o.memoryBytes } : {}),
            ...(o.cpus !== undefined ? { cpus: o.cpus } : {}),
            onOutput: (stream, line) => this.b.emit({ ...this.progressBase('log', st.name, label), stream, line }),
          },
          file,
        );
        if (r.exitCode !== 0) {
          throw new BerthError('BUILD_RUN_FAILED', `line ${ins.line}: ${label} exited with code ${r.exitCode}`, {
            line: ins.line,
            exitCode: r.exitCode,
          });
        }
        return r.layer;
      } finally {
        for (const rel of releases.reverse()) rel();
      }
    });
  }

  /** contentDigest of sources from the context, remembered for a context that never changes. */
  private contextDigest(sources: readonly CopySource[]): string {
    const memo = this.b.contextDigests;
    if (!memo) return contentDigest(sources);
    const k = JSON.stringify(sources.map((x) => [x.name, x.resolved, x.isDir]));
    let d = memo.get(k);
    if (d === undefined) {
      d = contentDigest(sources);
      memo.set(k, d);
    }
    return d;
  }

  /** Where a bind mount's files come from: the context, an earlier stage or an image. */
  private async bindOrigin(
    st: Stage,
    ins: Instruction,
    from: string | null,
    stages: Stage[],
  ): Promise<{ lowerDirs: string[]; key: string; context: boolean }> {
    if (from === null || from === 'context') return { lowerDirs: [this.b.contextDir], key: 'context', context: true };
    const dep = this.stageByName(
      stages.slice(
        0,
        stages.findIndex((x) => x.index === st.index),
      ),
      from,
    );
    const depState = dep ? this.stageStates.get(dep.index) : undefined;
    if (depState) return { lowerDirs: await this.lowerDirs(depState), key: `stage:${depState.key}`, context: false };
    try {
      const img = await this.b.store.resolve(from);
      return { lowerDirs: this.b.store.lowerDirsOf(img), key: `image:${img.id}`, context: false };
    } catch {
      throw new BerthError('BUILD_STAGE_NOT_FOUND', `line ${ins.line}: --mount from=${from}: no such stage or image`, {
        line: ins.line,
        stage: from,
      });
    }
  }

  /** The bind's source inside its origin (symlinks resolved inside it), refused when it climbs out or is missing. */
  private bindSource(ins: Instruction, view: MergedView, source: string, context: boolean): string {
    const clean = path.posix.normalize(source.replace(/^\/+/, '') || '.');
    if (clean === '..' || clean.startsWith('../')) {
      throw new BerthError(
        context ? 'BUILD_SOURCE_OUTSIDE_CONTEXT' : 'BUILD_SOURCE_NOT_FOUND',
        `line ${ins.line}: --mount source=${source} is outside its ${context ? 'build context' : 'stage'}`,
        { line: ins.line, source },
      );
    }
    const rel = view.resolve(clean === '.' ? '' : clean);
    if (rel !== '' && !view.lookup(rel)) {
      throw new BerthError(
        'BUILD_SOURCE_NOT_FOUND',
        `line ${ins.line}: --mount source=${source}: no such file or directory`,
        {
          line: ins.line,
          source,
        },
      );
    }
    return rel;
  }

  private async bindSourceKey(
    st: Stage,
    ins: Instruction,
    m: Extract<RunMountSpec, { type: 'bind' }>,
    vars: Map<string, string>,
    stages: Stage[],
  ): Promise<string> {
    const origin = await this.bindOrigin(st, ins, m.from, stages);
    const view = new MergedView(origin.lowerDirs);
    const rel = this.bindSource(ins, view, m.source, origin.context);
    if (!origin.context) return keyOf(origin.key, rel);
    const sources = collectSource(view, rel || '.', { line: ins.line, fromContext: true, ignore: this.ignore });
    void vars;
    return keyOf('context', rel, this.contextDigest(sources));
  }

  private async stepMount(
    st: Stage,
    ins: Instruction,
    m: RunMountSpec,
    stages: Stage[],
    releases: Array<() => void>,
  ): Promise<StepMount> {
    if (m.type === 'tmpfs')
      return { type: 'tmpfs', target: m.target, ...(m.sizeBytes !== undefined ? { sizeBytes: m.sizeBytes } : {}) };
    if (m.type === 'cache') {
      // Steps of a build run one at a time and builds hold the cache's lock, so
      // shared, private and locked all see the one directory alone.
      return {
        type: 'bind',
        source: cacheMountDir(this.cache.paths.mounts, m),
        target: m.target,
        readOnly: m.readOnly,
      };
    }
    const origin = await this.bindOrigin(st, ins, m.from, stages);
    const rel = this.bindSource(ins, new MergedView(origin.lowerDirs), m.source, origin.context);
    if (origin.context && !m.rw)
      return { type: 'bind', source: path.join(this.b.contextDir, rel), target: m.target, readOnly: true };
    const ov = overlayView(origin.lowerDirs, this.cache.paths.tmp);
    releases.push(() => ov.release());
    return { type: 'bind', source: path.join(ov.dir, rel), target: m.target, readOnly: !m.rw };
  }

  private async copy(
    st: Stage,
    ins: Instruction,
    s: State,
    vars: Map<string, string>,
    stages: Stage[],
  ): Promise<State> {
    const args = (ins.json ?? processWords(ins.rest, vars, this.escape, ins.line)).map((a) =>
      ins.json ? processWord(a, vars, this.escape, ins.line) : a,
    );
    if (args.length < 2)
      throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: ${ins.keyword} needs a source and a destination`, {
        line: ins.line,
      });
    const destRaw = args[args.length - 1] as string;
    const srcs = args.slice(0, -1);
    const from = ins.flags.get('from')?.[0];
    const chownSpec = ins.flags.get('chown')?.[0];
    const chmodSpec = ins.flags.get('chmod')?.[0];
    if (chmodSpec !== undefined && !/^[0-7]{3,4}$/.test(chmodSpec)) {
      throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: --chmod=${chmodSpec}: an octal mode is expected`, {
        line: ins.line,
      });
    }
    // Where the files come from: the context, an earlier stage, or an image.
    let srcView: MergedView;
    let srcKey: string;
    if (from === undefined) {
      srcView = new MergedView([this.b.contextDir]);
      srcKey = 'context';
    } else {
      const ref = processWord(from, vars, this.escape, ins.line);
      const dep = this.stageByName(
        stages.slice(
          0,
          stages.findIndex((x) => x.index === st.index),
        ),
        ref,
      );
      const depState = dep ? this.stageStates.get(dep.index) : undefined;
      if (depState) {
        srcView = new MergedView(await this.lowerDirs(depState));
        srcKey = `stage:${depState.key}`;
      } else {
        let img;
        try {
          img = await this.b.store.resolve(ref);
        } catch {
          throw new BerthError('BUILD_STAGE_NOT_FOUND', `line ${ins.line}: --from=${ref}: no such stage or image`, {
            line: ins.line,
            stage: ref,
          });
        }
        srcView = new MergedView(this.b.store.lowerDirsOf(img));
        srcKey = `image:${img.id}`;
      }
    }
    const checksumSpec = ins.flags.get('checksum')?.[0];
    const checksum = checksumSpec === undefined ? null : parseChecksum(checksumSpec, ins.line);
    if (checksum !== null && (ins.keyword !== 'ADD' || srcs.length !== 1 || !isHttpUrl(srcs[0] as string)))
      throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: --checksum takes one ADD source that is an http(s) URL`, {
        line: ins.line,
      });
    // Sources made here (heredocs, downloads): never unpacked, their bytes always in the key.
    const scratch: string[] = [];
    const made = new Set<CopySource>();
    const sources: CopySource[] = [];
    const addMade = (dir: string, name: string): void => {
      for (const c of collectSource(new MergedView([dir]), name, {
        line: ins.line,
        fromContext: false,
        ignore: null,
      })) {
        made.add(c);
        sources.push(c);
      }
    };
    try {
      for (const src of srcs) {
        const doc = /^\d*<<-?(.+)$/.exec(src);
        const h = doc ? ins.heredocs.find((x) => x.name === doc[1]) : undefined;
        if (h) {
          const dir = fs.mkdtempSync(path.join(this.cache.paths.tmp, 'heredoc-'));
          scratch.push(dir);
          const body = h.chomp ? chompHeredoc(h.content) : h.content;
          if (h.name.includes('/') || h.name === '.' || h.name === '..')
            throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: heredoc name ${h.name} cannot name a file`, {
              line: ins.line,
            });
          fs.writeFileSync(path.join(dir, h.name), h.expand ? expandHeredoc(body, vars, this.escape, ins.line) : body, {
            mode: 0o644,
          });
          fs.chmodSync(path.join(dir, h.name), 0o644);
          addMade(dir, h.name);
          continue;
        }
        if (ins.keyword === 'ADD' && isGitUrl(src)) {
          throw new BerthError(
            'BUILD_UNSUPPORTED',
            `line ${ins.line}: ${ins.keyword} ${src}: git sources are not supported by this engine (clone in a RUN step)`,
            {
              line: ins.line,
              feature: 'git source',
            },
          );
        }
        if (isHttpUrl(src)) {
          if (ins.keyword === 'COPY')
            throw new BerthError('BUILD_SYNTAX', `line ${ins.line}: COPY ${src}: a URL source needs ADD`, {
              line: ins.line,
            });
          checkUrlNetwork(this.b.options.network, src, ins.line);
          const dir = fs.mkdtempSync(path.join(this.cache.paths.tmp, 'url-'));
          scratch.push(dir);
          this.b.emit({
            ...this.progressBase('log', st.name, `${ins.keyword} ${src}`),
            stream: 'stdout',
            line: `Downloading ${src}`,
          });
          const got = await downloadUrl(src, dir, { line: ins.line, checksum });
          addMade(dir, got.name);
          continue;
        }
        sources.push(
          ...collectSource(srcView, src, {
            line: ins.line,
            fromContext: from === undefined,
            ignore: from === undefined ? this.ignore : null,
          }),
        );
      }
      return await this.copyLayer(st, ins, s, {
        sources,
        made,
        srcs,
        destRaw,
        from,
        srcKey,
        chownSpec,
        chmodSpec,
        checksum,
      });
    } finally {
      for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
    }
  }

  private async copyLayer(
    st: Stage,
    ins: Instruction,
    s: State,
    c: {
      sources: CopySource[];
      made: Set<CopySource>;
      srcs: string[];
      destRaw: string;
      from: string | undefined;
      srcKey: string;
      chownSpec: string | undefined;
      chmodSpec: string | undefined;
      checksum: string | null;
    },
  ): Promise<State> {
    const { sources, made, srcs, destRaw, from, srcKey, chownSpec, chmodSpec } = c;
    const view = new MergedView(await this.lowerDirs(s));
    const destAbs = path.posix.resolve(s.config.WorkingDir || '/', destRaw);
    const destIsDir = destRaw.endsWith('/') || sources.length > 1 || sources.some((x) => x.isDir);
    if (sources.length > 1 && !destRaw.endsWith('/')) {
      throw new BerthError(
        'BUILD_SYNTAX',
        `line ${ins.line}: with several sources the destination must be a directory ending in /`,
        { line: ins.line },
      );
    }
    const destRel = view.resolve(destAbs.slice(1));
    const existingDir = destRel === '' || view.lookup(destRel)?.st.isDirectory() === true;
    const unpack = ins.keyword === 'ADD' && from === undefined;
    const placed = sources.map((source) => {
      if (source.isDir || (unpack && !made.has(source) && isTarArchive(source.items[0]?.abs as string)))
        return { source, dest: destRel };
      const base = path.posix.basename(source.resolved || source.name);
      return { source, dest: destIsDir || existingDir ? (destRel ? `${destRel}/${base}` : base) : destRel };
    });
    const docs = ins.heredocs.map((h) => `\n${h.content}${h.name}`).join('');
    const label = `${ins.keyword} ${[...(chownSpec ? [`--chown=${chownSpec}`] : []), ...(chmodSpec ? [`--chmod=${chmodSpec}`] : []), ...(c.checksum ? [`--checksum=${c.checksum}`] : []), ...(from ? [`--from=${from}`] : []), ...srcs, destRaw].join(' ')}${docs}`;
    const digest =
      from === undefined
        ? sources.some((x) => made.has(x))
          ? contentDigest(sources)
          : this.contextDigest(sources)
        : keyOf(
            sources.filter((x) => !made.has(x)).map((x) => [x.name, x.resolved]),
            contentDigest(sources.filter((x) => made.has(x))),
          );
    const key = keyOf(s.key, ins.keyword, srcKey, digest, destAbs, chownSpec ?? '', chmodSpec ?? '', destIsDir);
    return this.layerStep(st, s, label, key, async (file) => {
      const owner = chownSpec ? resolveChown(chownSpec, view, ins.line) : null;
      const mode = chmodSpec ? parseInt(chmodSpec, 8) : null;
      const madeBy = owner ?? { uid: 0, gid: 0 };
      const firstDest = placed[0]?.dest ?? destRel;
      const parents = parentEntries(view, destIsDir || sources.some((x) => x.isDir) ? `${destRel}/x` : firstDest, {
        uid: 0,
        gid: 0,
      });
      const needsDestDir = destIsDir && !existingDir && destRel !== '';
      const tars = placed.filter(
        (p) => unpack && !made.has(p.source) && !p.source.isDir && isTarArchive(p.source.items[0]?.abs as string),
      );
      const plain = placed.filter((p) => !tars.includes(p));
      const dirEntry: TarWriteEntry[] = needsDestDir ? [madeDirEntry(destRel, madeBy)] : [];
      async function* all(): AsyncGenerator<TarWriteEntry> {
        // The destination dir is made with the copy's owner; its parents as the image has them.
        yield* parents.filter((e) => !(needsDestDir && e.path === `${destRel}/`));
        yield* dirEntry;
        yield* copyEntries(plain, { owner: owner ?? { uid: 0, gid: 0 }, mode, destDirMade: null, view });
        for (const t of tars) yield* tarEntriesUnder(t.source.items[0]?.abs as string, t.dest);
      }
      return writeLayer(file, all());
    });
  }

  // ── the result ───────────────────────────────────────────────────────────

  private async commit(s: State): Promise<BuildOutcome> {
    const store = this.b.store;
    const config: ImageConfig = {
      created: s.created,
      ...(s.author ? { author: s.author } : {}),
      architecture: this.platform.architecture,
      os: this.platform.os,
      config: s.config,
      rootfs: { type: 'layers', diff_ids: s.layers.map((l) => l.diffId) },
      history: s.history,
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = sha256(configBytes);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configBytes.length },
      layers: s.layers.map((l) => l.desc),
    } as ImageManifest;
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = sha256(manifestBytes);
    const tags = this.b.options.tags.map(normalizeTag);
    // A rebuild that changed nothing: the image is stored already; only new tags are written.
    const stored = (await store.list()).find((i) => i.id === configDigest);
    if (stored) {
      for (const t of tags) if (!stored.tags.includes(t)) await store.tag(configDigest, t);
      return { imageId: configDigest, tags, steps: this.steps, cacheHits: this.hits };
    }
    const staging = await store.beginStaging('build');
    try {
      const chains = chainIds(s.layers.map((l) => l.diffId));
      for (const [i, c] of chains.entries()) {
        const l = s.layers[i] as Layer;
        if (!(await store.blobs.exists(l.desc.digest))) {
          const target = path.join(staging.blobsDir, l.desc.digest.slice('sha256:'.length));
          try {
            fs.linkSync(this.cache.blobPath(l.diffId), target);
          } catch {
            fs.copyFileSync(this.cache.blobPath(l.diffId), target);
          }
          staging.blobs.set(l.desc.digest as Digest, target);
        }
        if (fs.existsSync(store.layerDir(c))) continue;
        await this.lowerDirs({ ...s, layers: s.layers.slice(0, i + 1) });
        // Moved, not copied: the cache unpacks it again from its blob if it ever needs it.
        staging.layers.set(c, {
          chainId: c,
          diffId: l.diffId,
          parent: i === 0 ? null : (chains[i - 1] as Digest),
          dir: this.cache.layerDir(c),
          size: l.desc.size,
        });
      }
      await staging.addBytes(configBytes, { digest: configDigest });
      await staging.addBytes(manifestBytes, { digest: manifestDigest });
      const img: StagedImage = { manifestBytes, manifestDigest, manifest, configDigest, config, tags: [] };
      await store.commitStaged(staging, [img]);
    } finally {
      // Layer dirs the commit did not move stay the cache's.
      staging.layers.clear();
      await staging.cleanup();
    }
    const tagged: string[] = [];
    for (const t of tags) tagged.push((await store.tag(configDigest, t)).tag);
    return { imageId: configDigest, tags: tagged, steps: this.steps, cacheHits: this.hits };
  }
}
