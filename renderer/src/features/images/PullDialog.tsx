/**
 * Pull an image: the reference (and optional platform), then one progress bar
 * per layer from the helper's images.pullProgress events (waiting →
 * downloading → verifying → done, or "already exists").
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { EventPayload } from '../../../../preload/contract';
import { useEvent } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { Dialog } from '../../app/Dialog';
import { formatBytes } from '../../ui/units';
import { shortDigest } from './format';
import { newOpId } from './ingest';
import { usePullImage } from './hooks';

type Progress = EventPayload<'images.pullProgress'>;

export interface LayerBar {
  layer: string;
  phase: Progress['phase'];
  current: number;
  total: number;
}

/** Folds one event into the per-layer state (pure: unit-tested). */
export function foldPull(layers: ReadonlyMap<string, LayerBar>, e: Progress): Map<string, LayerBar> {
  const next = new Map(layers);
  if (e.layer) next.set(e.layer, { layer: e.layer, phase: e.phase, current: e.current, total: e.total });
  return next;
}

const LABEL: Record<string, string> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying checksum',
  exists: 'Already exists',
  done: 'Download complete',
};

export function PullDialog({ onClose }: { onClose: () => void }): ReactNode {
  const [ref, setRef] = useState('');
  const [platform, setPlatform] = useState('');
  const [opId, setOpId] = useState<string | null>(null);
  const [layers, setLayers] = useState<Map<string, LayerBar>>(new Map());
  const [phase, setPhase] = useState<string>('');
  const refId = useId();
  const platId = useId();
  useEvent('images.pullProgress', (e) => {
    if (e.opId !== opId) return;
    setLayers((l) => foldPull(l, e));
    if (!e.layer) setPhase(e.phase);
  });
  const m = usePullImage();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const id = newOpId('pull');
    setOpId(id);
    setLayers(new Map());
    setPhase('resolving');
    const plat = platform.trim();
    m.mutate({ ref: ref.trim(), opId: id, ...(plat ? { platform: plat } : {}) });
  };
  const bars = [...layers.values()];
  return (
    <Dialog title="Pull an image" onClose={onClose} className="img-dialog-wide">
      <form onSubmit={submit} noValidate>
        <label htmlFor={refId} className="img-field-label">
          Reference
        </label>
        <input
          id={refId}
          className="img-input mono"
          value={ref}
          placeholder="busybox:latest, registry.example:5000/team/app:1, name@sha256:…"
          autoFocus
          spellCheck={false}
          onChange={(e) => setRef(e.target.value)}
        />
        <label htmlFor={platId} className="img-field-label">
          Platform (optional)
        </label>
        <input
          id={platId}
          className="img-input mono"
          value={platform}
          placeholder="linux/amd64 (default: this host)"
          spellCheck={false}
          onChange={(e) => setPlatform(e.target.value)}
        />
        <p className="img-field-hint">
          Credentials come from your ~/.docker/config.json or containers auth.json; loopback registries use plain HTTP.
        </p>
        {phase && (
          <p className="muted" role="status" aria-label="pull status">
            {m.isSuccess ? `Pulled ${m.data.tags[0] ?? m.data.repoDigest} (${m.data.platform})` : phase}
          </p>
        )}
        <ul className="pull-layers" aria-label="layers">
          {bars.map((b) => (
            <li key={b.layer}>
              <code>{shortDigest(b.layer)}</code> <span>{LABEL[b.phase] ?? b.phase}</span>
              <progress
                max={b.total || 1}
                value={b.phase === 'done' || b.phase === 'exists' ? b.total || 1 : b.current}
                aria-label={`layer ${shortDigest(b.layer)}`}
              />
              <span className="muted">
                {formatBytes(b.current)} / {formatBytes(b.total)}
              </span>
            </li>
          ))}
        </ul>
        {m.isError && <ErrorView error={m.error} title="The pull failed" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {m.isSuccess ? 'Close' : 'Cancel'}
          </button>
          <button type="submit" className="button button-primary" disabled={ref.trim() === '' || m.isPending}>
            {m.isPending ? 'Pulling…' : 'Pull'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
