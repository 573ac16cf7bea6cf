/**
 * The Layer inspector page: an image of the store (`#/layers?image=<ref>`,
 * `layers.summarizeImage` then `layers.changes`: the helper analyses, main
 * keeps the change lists), or an archive dropped on the window
 * or picked with the file button, analysed WITHOUT loading it (see
 * analyze-file.ts for how the bytes or the path reach main's analyser).
 */
import '../../ui/facts.css';
import '../images/images.css';
import './layers.css';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { hrefFor } from '../../app/router';
import { formatBytes } from '../../ui/units';
import { imagesQueries } from '../images/queries';
import { useWindowFileDrop } from '../images/useFileDrop';
import { analyzeDroppedFile, type AnalyzeRoute } from './analyze-file';
import { Inspector } from './Inspector';
import { layersQueries, type AnalysisSummary, type ImageAnalysis } from './queries';
import { useHash } from '../../app/hash';
import { inspectorRefFromHash, layersPageHref } from './route';

interface FileAnalysis {
  name: string;
  size: number;
  phase: 'upload' | 'analyse' | 'done' | 'error';
  uploaded: number;
  /** Painted first (summary and layer table), while the change lists are fetched. */
  summary?: AnalysisSummary;
  analysis?: ImageAnalysis;
  route?: AnalyzeRoute;
  path?: string;
  /** For file previews (layers.readFile): main keeps the archive while the page shows it. */
  sourceId?: string;
  error?: unknown;
}

function ImagePicker({ current }: { current: string | null }): ReactNode {
  const client = useBerth();
  const q = useQuery(imagesQueries.list(client));
  const options = (q.data ?? []).map((i) => ({ id: i.id, label: i.repoTags[0] ?? `<none> ${i.shortId}` }));
  const known = current !== null && options.some((o) => o.id === current);
  return (
    <label className="lyr-picker">
      <span className="img-field-label-inline">Image</span>
      <select
        className="img-input"
        value={known ? (current ?? '') : ''}
        onChange={(e) => {
          if (e.target.value) window.location.hash = layersPageHref(e.target.value);
        }}
        disabled={!q.data}
      >
        <option value="">
          {q.isError ? 'could not list images' : current && !known ? current : 'choose an image…'}
        </option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label} ({o.id.slice(7, 19)})
          </option>
        ))}
      </select>
    </label>
  );
}

function StoreAnalysis({ imageRef }: { imageRef: string }): ReactNode {
  const client = useBerth();
  const q = useQuery(layersQueries.analysis(client, imageRef));
  const analysis = q.data?.analysis ?? null;
  const changes = useMemo(() => analysis?.layers.map((l) => l.changes) ?? null, [analysis]);
  // The summary is painted while the change lists are fetched (summary first, as for a dropped archive).
  const shown = analysis ?? q.data?.summary ?? null;
  if (shown) {
    return (
      <>
        {q.isError && <ErrorView error={q.error} title="Refresh failed; showing the last analysis" />}
        <Inspector
          // The same key for the summary and the full analysis: the selection survives the tree's arrival.
          key={shown.configDigest}
          analysis={shown}
          changes={changes}
          sourceId={q.data?.summary?.sourceId ?? null}
          source={
            <>
              the store (<a href={hrefFor('/images')}>Images</a>)
            </>
          }
        />
      </>
    );
  }
  if (q.isError) {
    return <ErrorView error={q.error} title={`Could not analyse ${imageRef}`} onRetry={() => void q.refetch()} />;
  }
  return <p className="loading">Analysing {imageRef}: reading every layer blob in the helper…</p>;
}

function FileAnalysisView({ f }: { f: FileAnalysis }): ReactNode {
  const analysis = f.phase === 'done' ? f.analysis : undefined;
  const changes = useMemo(() => analysis?.layers.map((l) => l.changes) ?? null, [analysis]);
  const shown = analysis ?? (f.phase === 'analyse' ? f.summary : undefined);
  if (shown) {
    return (
      <Inspector
        // The same key for the summary and the full analysis: the selection survives the tree's arrival.
        key={`${f.name}-${shown.configDigest}`}
        analysis={shown}
        changes={changes}
        sourceId={f.sourceId ?? f.summary?.sourceId ?? null}
        source={
          <>
            <span className="mono">{f.path ?? f.name}</span> <span className="pill pill-no">not loaded</span>
          </>
        }
      />
    );
  }
  if (f.phase === 'error') {
    return <ErrorView error={f.error} title={`Could not analyse ${f.name} without loading it`} />;
  }
  const progress = f.phase === 'upload' && f.size > 0 ? f.uploaded / f.size : undefined;
  return (
    <div className="card card-full" data-testid="file-analysis" data-phase={f.phase}>
      <p className="img-transfer-text" role="status">
        {f.phase === 'upload'
          ? `Sending ${f.name} to Berth's main process: ${formatBytes(f.uploaded)} of ${formatBytes(f.size)}`
          : `Analysing ${f.name} (nothing is loaded into the store)…`}
      </p>
      <progress
        className="img-progress"
        max={1}
        aria-label={`Analysing ${f.name}`}
        {...(progress === undefined ? {} : { value: progress })}
      />
    </div>
  );
}

export function LayersPage(): ReactNode {
  const client = useBerth();
  const hash = useHash();
  const ref = inspectorRefFromHash(hash);
  const [file, setFile] = useState<FileAnalysis | null>(null);
  const running = useRef<AbortController | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const analyse = (f: File): void => {
    running.current?.abort();
    const ac = new AbortController();
    running.current = ac;
    if (ref) window.location.hash = '#/layers';
    const base = { name: f.name || 'archive.tar', size: f.size, uploaded: 0 };
    setFile({ ...base, phase: 'upload' });
    const mine = (): boolean => running.current === ac;
    analyzeDroppedFile(client, f, {
      signal: ac.signal,
      onUpload: (n) => mine() && setFile({ ...base, phase: n >= f.size ? 'analyse' : 'upload', uploaded: n }),
      onSummary: (summary) => mine() && setFile({ ...base, phase: 'analyse', uploaded: f.size, summary }),
    }).then(
      (r) =>
        mine() &&
        setFile({
          ...base,
          phase: 'done',
          uploaded: f.size,
          analysis: r.analysis,
          route: r.route,
          sourceId: r.sourceId,
          ...(r.path ? { path: r.path } : {}),
        }),
      (error: unknown) => mine() && setFile({ ...base, phase: 'error', error }),
    );
  };

  const { dragging } = useWindowFileDrop((files) => {
    if (files[0]) analyse(files[0]);
  });

  const showFile = file !== null && ref === null;

  return (
    <section className="page lyr-page-wide" aria-labelledby="layers-page-title">
      <header className="page-header">
        <div>
          <h1 id="layers-page-title">Layer inspector</h1>
          <p className="subtitle">
            What each layer adds, changes and removes, and what the image stores twice. Drop an image archive here to
            analyse it without loading it.
          </p>
        </div>
        <div className="page-actions">
          <ImagePicker current={ref} />
          <input
            ref={fileInput}
            type="file"
            accept=".tar,.tar.gz,.tgz,.oci,application/x-tar"
            hidden
            data-testid="analyse-input"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) analyse(f);
              e.currentTarget.value = '';
            }}
          />
          <button type="button" className="button" onClick={() => fileInput.current?.click()}>
            Analyse archive…
          </button>
        </div>
      </header>

      {ref ? (
        <StoreAnalysis key={ref} imageRef={ref} />
      ) : showFile ? (
        <FileAnalysisView f={file} />
      ) : (
        <div className="card card-full lyr-drop-hint">
          <p>
            Choose an image of the store above, open one from <a href={hrefFor('/images')}>Images</a> (Inspect), or drop
            a <code>docker save</code> / OCI archive anywhere on this window to analyse it without loading it.
          </p>
        </div>
      )}

      {dragging && (
        <div className="img-drop-overlay" aria-hidden="true">
          <div className="img-drop-overlay-box">
            <strong>Drop to analyse without loading</strong>
            <span>docker save or OCI archive (.tar)</span>
          </div>
        </div>
      )}
    </section>
  );
}
