/**
 * The Build page: pick or drop a context folder, edit its Containerfile,
 * build, and follow each step live (progress, cache hits marked, a RUN's
 * output under its step); when the build ends, "Inspect layers" opens the
 * Layer inspector on the result.
 *
 * The context reaches main as a path in Electron (the preload's
 * getPathForFile of the dropped folder) and as a tar otherwise (web mode:
 * the picked or dropped folder packed here, context-tar.ts and
 * dropped-folder.ts, and sent through main's uploads.*). A dropped folder's
 * Containerfile fills the editor in both.
 */
import './build.css';
import { useState, type DragEvent, type ReactNode } from 'react';
import type { BuildOptionsT, BuildProgressT, BuildResultT } from '../../../../preload/schemas/build';
import { useBerth, useEvent } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { uploadToMain } from '../images/ingest';
import { electronPathForFile } from '../layers/analyze-file';
import { layersPageHref } from '../layers/route';
import { contextTar, filesFromFolderInput, pickedFolderPath, type ContextFile } from './context-tar';
import { droppedDirectory, filesOfEntry } from './dropped-folder';
import { parseBuildArgs } from './build-args';

const TEMPLATE = 'FROM busybox\nCOPY . /app\nWORKDIR /app\nCMD ["ls", "-l"]\n';

/** What each option means, as `berth build --network` and `--pull` do (main/engine/build/README.md). */
const NETWORK_HELP: Record<BuildOptionsT['network'], string> = {
  bridge:
    'Network bridge: RUN steps get their own network namespace with a route out; ADD <URL> downloads from the host.',
  host: "Network host: RUN steps share the host's network; ADD <URL> downloads from the host.",
  none: 'Network none: RUN steps have loopback only, and an ADD <URL> is refused (BUILD_NETWORK_DISABLED).',
};
const PULL_HELP: Record<BuildOptionsT['pull'], string> = {
  missing: 'Pull missing: a FROM image is fetched only when the store lacks it.',
  always: 'Pull always: every FROM image is fetched from its registry again.',
  never: 'Pull never: a FROM image must already be in the store.',
};

type Context = { kind: 'path'; path: string; name: string } | { kind: 'files'; files: ContextFile[]; name: string };

interface StepView {
  step: number;
  instruction: string;
  stage: string;
  state: 'running' | 'cached' | 'done';
  lines: string[];
}

function randomId(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

async function readContainerfile(files: ContextFile[]): Promise<string | null> {
  const f = files.find((x) => x.path === 'Containerfile') ?? files.find((x) => x.path === 'Dockerfile');
  return f ? f.file.text() : null;
}

export function BuildPage(): ReactNode {
  const client = useBerth();
  const [context, setContext] = useState<Context | null>(null);
  const [text, setText] = useState(TEMPLATE);
  const [tag, setTag] = useState('');
  const [noCache, setNoCache] = useState(false);
  const [network, setNetwork] = useState<BuildOptionsT['network']>('bridge');
  const [pull, setPull] = useState<BuildOptionsT['pull']>('missing');
  const [argsText, setArgsText] = useState('');
  const [target, setTarget] = useState('');
  const buildArgs = parseBuildArgs(argsText);
  const [buildId, setBuildId] = useState<string | null>(null);
  const [steps, setSteps] = useState<StepView[]>([]);
  const [total, setTotal] = useState(0);
  const [phase, setPhase] = useState<'idle' | 'upload' | 'building' | 'done' | 'error'>('idle');
  const [result, setResult] = useState<BuildResultT | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dropProblem, setDropProblem] = useState<string | null>(null);

  useEvent('build.progress', (e: BuildProgressT) => {
    if (e.buildId !== buildId) return;
    if (e.steps) setTotal(e.steps);
    setSteps((prev) => {
      if (e.kind === 'step')
        return [...prev, { step: e.step, instruction: e.instruction, stage: e.stage, state: 'running', lines: [] }];
      return prev.map((s) => {
        if (s.step !== e.step) return s;
        if (e.kind === 'done') return { ...s, state: e.cached ? 'cached' : 'done' };
        if (e.kind === 'log') return { ...s, lines: [...s.lines, e.line ?? ''] };
        return s;
      });
    });
  });

  const takeFiles = async (files: ContextFile[], name: string): Promise<void> => {
    setContext({ kind: 'files', files, name });
    const cf = await readContainerfile(files);
    if (cf !== null) setText(cf);
  };

  const onDrop = (e: DragEvent<HTMLElement>): void => {
    e.preventDefault();
    setDropProblem(null);
    const item = e.dataTransfer.files[0];
    const p = item ? electronPathForFile()?.(item) : '';
    // Entries are readable only during the event: take the directory now, read it after.
    const dir = droppedDirectory(e.dataTransfer.items);
    const fail = (err: unknown): void => setDropProblem(`Could not read the dropped folder: ${String(err)}`);
    if (item && p) {
      // The desktop app builds from the path; the editor shows the folder's own Containerfile.
      setContext({ kind: 'path', path: p, name: item.name });
      if (dir)
        void filesOfEntry(dir)
          .then(readContainerfile)
          .then((cf) => cf !== null && setText(cf), fail);
      return;
    }
    if (dir) void filesOfEntry(dir).then((files) => takeFiles(files, dir.name), fail);
    else if (item) setDropProblem(`${item.name} is not a folder: drop the folder that holds the Containerfile.`);
  };

  const build = async (): Promise<void> => {
    if (!context || !buildArgs.ok) return;
    const id = randomId();
    setBuildId(id);
    setSteps([]);
    setTotal(0);
    setResult(null);
    setError(null);
    try {
      let ctx: { path: string } | { uploadId: string };
      if (context.kind === 'path') ctx = { path: context.path };
      else {
        setPhase('upload');
        const tar = contextTar(context.files);
        ctx = { uploadId: await uploadToMain(client, tar, `${context.name}.tar`) };
      }
      setPhase('building');
      const r = await client.invoke('build.run', {
        context: ctx,
        containerfile: text,
        options: {
          tags: tag.trim() ? [tag.trim()] : [],
          buildArgs: buildArgs.args,
          ...(target.trim() ? { target: target.trim() } : {}),
          noCache,
          network,
          pull,
        },
        buildId: id,
      });
      setResult(r);
      setPhase('done');
    } catch (err) {
      setError(err);
      setPhase('error');
    }
  };

  const busy = phase === 'upload' || phase === 'building';
  const doneSteps = steps.filter((s) => s.state !== 'running').length;
  return (
    <section
      className="page bld-page"
      aria-labelledby="build-page-title"
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
    >
      <header className="page-header">
        <h1 id="build-page-title">Build</h1>
        <div className="page-actions">
          <label className="button">
            Choose context folder…
            <input
              type="file"
              className="bld-folder-input"
              aria-label="Context folder"
              // A folder picker: every file of the chosen folder, with its relative path.
              {...{ webkitdirectory: '', directory: '' }}
              multiple
              onChange={(e) => {
                const list = e.target.files;
                if (!list || list.length === 0) return;
                const first = list[0] as File & { webkitRelativePath?: string };
                const rel = first.webkitRelativePath ?? '';
                const name = rel.split('/')[0] || 'context';
                const files = filesFromFolderInput(list);
                // The desktop app builds from the folder's path (main packs it), not an uploaded tar.
                const folder = pickedFolderPath(electronPathForFile()?.(first) ?? '', rel);
                if (folder) {
                  setContext({ kind: 'path', path: folder, name });
                  void readContainerfile(files).then((cf) => cf !== null && setText(cf));
                } else void takeFiles(files, name);
              }}
            />
          </label>
        </div>
      </header>
      <div className="cards">
        <div className="card card-full">
          <h2>Context</h2>
          <p data-testid="build-context">
            {context
              ? context.kind === 'path'
                ? `${context.path}`
                : `${context.name}: ${context.files.length} files (uploaded as a tar)`
              : 'Choose a folder, or drop one here.'}
          </p>
          {dropProblem && (
            <p className="bld-drop-problem" role="alert">
              {dropProblem}
            </p>
          )}
          <label className="bld-field">
            <span>Containerfile</span>
            <textarea
              className="bld-editor"
              aria-label="Containerfile"
              spellCheck={false}
              value={text}
              onChange={(e) => setText(e.target.value)}
              rows={14}
            />
          </label>
          <div className="bld-options">
            <label className="bld-args">
              Build args{' '}
              <textarea
                aria-label="Build args"
                spellCheck={false}
                rows={2}
                value={argsText}
                onChange={(e) => setArgsText(e.target.value)}
                placeholder="NAME=value, one a line"
              />
            </label>
            <label>
              Target{' '}
              <input
                className="img-input"
                aria-label="Target stage"
                value={target}
                onChange={(e) => setTarget(e.target.value)}
                placeholder="last stage"
              />
            </label>
            <label>
              Tag{' '}
              <input
                className="img-input"
                aria-label="Tag"
                value={tag}
                onChange={(e) => setTag(e.target.value)}
                placeholder="name:tag"
              />
            </label>
            <label>
              Network{' '}
              <select
                aria-label="Network"
                value={network}
                onChange={(e) => setNetwork(e.target.value as typeof network)}
              >
                <option value="bridge">bridge</option>
                <option value="none">none</option>
                <option value="host">host</option>
              </select>
            </label>
            <label>
              Pull{' '}
              <select aria-label="Pull" value={pull} onChange={(e) => setPull(e.target.value as typeof pull)}>
                <option value="missing">missing</option>
                <option value="always">always</option>
                <option value="never">never</option>
              </select>
            </label>
            <label>
              <input type="checkbox" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} /> No cache
            </label>
            <button
              type="button"
              className="button"
              disabled={!context || busy || !buildArgs.ok}
              onClick={() => void build()}
            >
              {busy ? (phase === 'upload' ? 'Uploading context…' : 'Building…') : 'Build'}
            </button>
          </div>
          {!buildArgs.ok && (
            <p className="bld-drop-problem" role="alert">
              Build args: {buildArgs.error}
            </p>
          )}
          <p className="bld-help" data-testid="build-help">
            {NETWORK_HELP[network]} {PULL_HELP[pull]}
          </p>
        </div>
        {buildId && (
          <div className="card card-full" data-testid="build-log" data-phase={phase}>
            <h2>
              Steps{' '}
              {total > 0 && (
                <span className="bld-count">
                  {doneSteps}/{total}
                </span>
              )}
            </h2>
            {total > 0 && (
              <progress className="bld-progress" max={total} value={doneSteps} aria-label="Build progress" />
            )}
            <ol className="bld-steps">
              {steps.map((s) => (
                <li key={s.step} className={`bld-step bld-${s.state}`} data-state={s.state}>
                  <div className="bld-step-head">
                    <span className="bld-step-no">
                      {s.step}/{total}
                    </span>
                    <code>{s.instruction}</code>
                    <span className="pill">
                      {s.state === 'cached' ? 'cached' : s.state === 'running' ? 'running…' : 'done'}
                    </span>
                  </div>
                  {s.lines.length > 0 && <pre className="bld-output">{s.lines.join('\n')}</pre>}
                </li>
              ))}
            </ol>
            {result && (
              <div className="bld-result">
                <span>
                  Built <code>{result.imageId.slice(7, 19)}</code>
                  {result.tags.length > 0 && ` as ${result.tags.join(', ')}`} — {result.cacheHits} cache hits
                </span>
                <a className="button" href={layersPageHref(result.imageId)}>
                  Inspect layers
                </a>
              </div>
            )}
            {phase === 'error' && <ErrorView error={error} />}
          </div>
        )}
      </div>
    </section>
  );
}
