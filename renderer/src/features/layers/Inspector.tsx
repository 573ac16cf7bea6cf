/**
 * The Layer inspector for one analysis (of a stored image or of an archive
 * file): image facts and dive's efficiency summary, the layers with the
 * command that made each, the selected layer's file tree (its own changes,
 * or the merged tree up to it), and the wasteful paths.
 */
import { useDeferredValue, useId, useMemo, useState, type ReactNode } from 'react';
import { Facts } from '../../ui/Facts';
import { formatBytes } from '../../ui/units';
import { formatPercent, formatRelative, shortDigest } from '../images/format';
import { CompareCard } from './CompareCard';
import { FilePreview } from './FilePreview';
import { FileTree } from './FileTree';
import { compilePattern, isGlob } from './pattern';
import type { AnalysisView, LayerAnalysis } from './queries';
import {
  ALL_CLOSED,
  ALL_KINDS,
  ALL_OPEN,
  countChanges,
  cumulativeTree,
  filterTree,
  layerTree,
  type ChangeEntry,
  type ChangeFilter,
  type Expansion,
  type TreeNode,
} from './tree';

/** Every layer's change list, in layer order (decoded from the wire's packed form). */
export type LayerChanges = ReadonlyArray<readonly ChangeEntry[]>;

type View = 'merged' | 'layer';

const KIND_LABEL: Record<ChangeFilter, string> = {
  added: 'Added',
  modified: 'Modified',
  removed: 'Removed',
  unchanged: 'Unchanged',
};
const KIND_MARK: Record<ChangeFilter, string> = { added: 'A', modified: 'M', removed: 'R', unchanged: '·' };

function Counts({ l }: { l: LayerAnalysis }): ReactNode {
  return (
    <span className="lyr-chg-counts">
      <span
        className="lyr-chg-count lyr-chg-added"
        title={`${l.stats.added} added (${formatBytes(l.stats.addedBytes)})`}
      >
        <span aria-hidden="true">A</span> {l.stats.added}
        <span className="sr-only"> added</span>
      </span>
      <span
        className="lyr-chg-count lyr-chg-modified"
        title={`${l.stats.modified} modified (${formatBytes(l.stats.modifiedBytes)})`}
      >
        <span aria-hidden="true">M</span> {l.stats.modified}
        <span className="sr-only"> modified</span>
      </span>
      <span
        className="lyr-chg-count lyr-chg-removed"
        title={`${l.stats.removed} removed (${formatBytes(l.stats.removedBytes)})`}
      >
        <span aria-hidden="true">R</span> {l.stats.removed}
        <span className="sr-only"> removed</span>
      </span>
    </span>
  );
}

function LayersTable({
  layers,
  selected,
  onSelect,
}: {
  layers: readonly LayerAnalysis[];
  selected: number;
  onSelect: (i: number) => void;
}): ReactNode {
  return (
    <div className="lyr-layers-scroll">
      <table className="table lyr-layers-table" aria-label="Layers">
        <thead>
          <tr>
            <th scope="col" className="narrow">
              Layer
            </th>
            <th scope="col">Digest</th>
            <th scope="col" className="img-num">
              Size
            </th>
            <th scope="col" className="img-num">
              Compressed
            </th>
            <th scope="col">Command</th>
            <th scope="col">Changes</th>
          </tr>
        </thead>
        <tbody>
          {layers.map((l, i) => (
            <tr
              key={`${l.index}-${l.digest}`}
              className={i === selected ? 'lyr-row-selected' : undefined}
              onClick={() => onSelect(i)}
            >
              <td className="narrow">
                <button
                  type="button"
                  className="lyr-layer-pick"
                  aria-pressed={i === selected}
                  aria-label={`Layer ${i + 1}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    onSelect(i);
                  }}
                >
                  {i + 1}
                </button>
              </td>
              <td className="mono" title={l.digest}>
                {shortDigest(l.digest)}
              </td>
              <td className="img-num mono">{formatBytes(l.size)}</td>
              <td className="img-num mono" title={`${l.compression}`}>
                {formatBytes(l.compressedSize)}
              </td>
              <td className="mono lyr-layer-cmd" title={l.createdBy}>
                {l.createdBy}
              </td>
              <td>
                <Counts l={l} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LayerDetails({ l, total }: { l: LayerAnalysis; total: number }): ReactNode {
  return (
    <section className="card lyr-card" aria-labelledby="layer-details-title">
      <h2 id="layer-details-title">
        Layer {l.index + 1} of {total}
      </h2>
      <Facts
        rows={[
          ['command', <code className="lyr-cmd-full">{l.createdBy}</code>],
          ...(l.created ? [['created', <span title={l.created}>{formatRelative(l.created)}</span>] as const] : []),
          ...(l.comment ? [['comment', l.comment] as const] : []),
          ['digest', <code className="lyr-break">{l.digest}</code>],
          ['diffID', <code className="lyr-break">{l.diffId}</code>],
          ['chainID', <code className="lyr-break">{l.chainId}</code>],
          [
            'size',
            <>
              {formatBytes(l.size)} in files · {formatBytes(l.uncompressedSize)} tar · {formatBytes(l.compressedSize)}{' '}
              {l.compression === 'none' ? 'stored' : l.compression}
            </>,
          ],
          [
            'changes',
            <>
              {l.stats.added} added ({formatBytes(l.stats.addedBytes)}), {l.stats.modified} modified (
              {formatBytes(l.stats.modifiedBytes)}), {l.stats.removed} removed ({formatBytes(l.stats.removedBytes)})
              {l.stats.unmodified > 0 && (
                <span className="muted">
                  {' '}
                  · {l.stats.unmodified} {l.stats.unmodified === 1 ? 'entry changes' : 'entries change'} nothing
                </span>
              )}
            </>,
          ],
          [
            'dead bytes',
            <span data-testid="layer-dead-bytes">
              {formatBytes(l.deadBytes)}
              <span className="muted"> unreachable in the final image</span>
            </span>,
          ],
          ['blob', <code className="lyr-break">{l.blob}</code>],
        ]}
      />
    </section>
  );
}

function WastefulPaths({ a }: { a: AnalysisView }): ReactNode {
  const [all, setAll] = useState(false);
  const LIMIT = 50;
  const shown = all ? a.inefficiencies : a.inefficiencies.slice(0, LIMIT);
  return (
    <section className="card lyr-card" aria-labelledby="waste-title">
      <div className="img-card-title-row">
        <h2 id="waste-title">Wasteful paths</h2>
        <span className="muted">
          {a.inefficiencies.length} {a.inefficiencies.length === 1 ? 'path' : 'paths'} in more than one layer
        </span>
      </div>
      {a.inefficiencies.length === 0 ? (
        <p className="img-empty-note">No path appears in more than one layer: nothing is stored twice.</p>
      ) : (
        <>
          <table className="table" aria-label="Wasteful paths">
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col" className="img-num">
                  Count
                </th>
                <th scope="col" className="img-num">
                  Total size
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((w) => (
                <tr key={w.path}>
                  <td className="mono">{w.path}</td>
                  <td className="img-num mono">{w.count}</td>
                  <td className="img-num mono">{formatBytes(w.totalSize)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {a.inefficiencies.length > LIMIT && (
            <button type="button" className="button button-small" onClick={() => setAll(!all)}>
              {all ? `Show the first ${LIMIT}` : `Show all ${a.inefficiencies.length}`}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function Summary({ a, source }: { a: AnalysisView; source: ReactNode }): ReactNode {
  const score = a.efficiency;
  const grade = score >= 0.95 ? 'good' : score >= 0.8 ? 'fair' : 'poor';
  return (
    <div className="lyr-summary">
      <section className="card lyr-card" aria-labelledby="insp-image-title">
        <h2 id="insp-image-title">Image</h2>
        <Facts
          rows={[
            [
              'tags',
              a.repoTags.length ? (
                <span className="mono">{a.repoTags.join(', ')}</span>
              ) : (
                <span className="muted">untagged</span>
              ),
            ],
            ['ID', <code className="lyr-break">{a.configDigest}</code>],
            ...(a.manifestDigest ? [['manifest', <code className="lyr-break">{a.manifestDigest}</code>] as const] : []),
            ['source', source],
            [
              'platform',
              <span className="mono">
                {a.os}/{a.architecture}
              </span>,
            ],
            ['created', a.created ? <span title={a.created}>{formatRelative(a.created)}</span> : '—'],
          ]}
        />
      </section>
      <section className="card lyr-card" aria-labelledby="insp-eff-title">
        <h2 id="insp-eff-title">Efficiency</h2>
        <div className="lyr-eff">
          <div className={`lyr-eff-score lyr-eff-${grade}`} data-testid="efficiency">
            {formatPercent(score)}
          </div>
          <Facts
            rows={[
              ['wasted', <span data-testid="wasted-bytes">{formatBytes(a.wastedBytes)}</span>],
              ['of user layers', formatPercent(a.wastedUserPercent)],
              [
                'dead bytes',
                <span
                  data-testid="dead-bytes"
                  title="Stored in layers, unreachable in the final image (replaced, whited out, under an opaque directory)"
                >
                  {formatBytes(a.deadBytes)}
                </span>,
              ],
              ['total size', formatBytes(a.sizeBytes)],
              ['user layers', formatBytes(a.userSizeBytes)],
              ['compressed', formatBytes(a.compressedBytes)],
              ['layers', String(a.layers.length)],
            ]}
          />
        </div>
        <p className="muted lyr-eff-note">
          As dive scores it: the smallest size of each path over the sum of all its copies across layers. Dead bytes are
          what a squash would drop: files a later layer replaced, whited out or hid under an opaque directory (dive
          counts a removed directory's files only partly).
        </p>
      </section>
    </div>
  );
}

/** The tree card while the change lists are still on their way (summary first). */
function PendingTreeCard({ selected }: { selected: number }): ReactNode {
  return (
    <section className="card lyr-card lyr-tree-card" aria-labelledby="tree-title" aria-busy="true">
      <div className="img-card-title-row">
        <h2 id="tree-title">Files · layer {selected + 1}</h2>
      </div>
      <p className="lyr-tree-status muted" role="status" aria-live="polite" data-testid="tree-pending">
        Reading the file lists…
      </p>
    </section>
  );
}

function TreeCard({
  changes,
  selected,
  onActive,
}: {
  changes: LayerChanges;
  selected: number;
  onActive: (n: TreeNode | null) => void;
}): ReactNode {
  const [view, setView] = useState<View>('merged');
  const [changedOnly, setChangedOnly] = useState(false);
  const [kinds, setKinds] = useState<ReadonlySet<ChangeFilter>>(() => new Set(ALL_KINDS));
  const [pattern, setPattern] = useState('');
  const [expansion, setExpansion] = useState<Expansion>(ALL_OPEN);
  const patternId = useId();
  const deferredPattern = useDeferredValue(pattern);
  const match = useMemo(() => compilePattern(deferredPattern), [deferredPattern]);

  const base = useMemo(
    () =>
      view === 'layer'
        ? layerTree(changes[selected] ?? [])
        : cumulativeTree(
            changes.map((c) => ({ changes: c })),
            selected,
          ),
    [changes, selected, view],
  );
  const counts = useMemo(() => countChanges(base), [base]);
  const filtered = useMemo(() => filterTree(base, { changedOnly, kinds, match }), [base, changedOnly, kinds, match]);
  const stale = deferredPattern !== pattern;

  const flip = (k: ChangeFilter): void => {
    const next = new Set(kinds);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    setKinds(next);
  };

  return (
    <section className="card lyr-card lyr-tree-card" aria-labelledby="tree-title">
      <div className="img-card-title-row">
        <h2 id="tree-title">
          Files · layer {selected + 1}
          {view === 'merged' ? ', merged' : ', its changes only'}
        </h2>
        <div className="lyr-segmented" role="radiogroup" aria-label="Tree view">
          <button type="button" role="radio" aria-checked={view === 'merged'} onClick={() => setView('merged')}>
            Merged up to this layer
          </button>
          <button type="button" role="radio" aria-checked={view === 'layer'} onClick={() => setView('layer')}>
            This layer's changes
          </button>
        </div>
      </div>
      <div className="lyr-tree-toolbar">
        <label className="lyr-check">
          <input type="checkbox" checked={changedOnly} onChange={(e) => setChangedOnly(e.target.checked)} />
          Changed only
        </label>
        <fieldset className="lyr-kind-filter">
          <legend className="sr-only">Change types</legend>
          {ALL_KINDS.map((k) => (
            <label key={k} className={`lyr-check lyr-kind-${k}`}>
              <input type="checkbox" checked={kinds.has(k)} onChange={() => flip(k)} />
              <span className={`lyr-chg lyr-chg-${k === 'unchanged' ? 'none' : k}`} aria-hidden="true">
                {KIND_MARK[k]}
              </span>
              {KIND_LABEL[k]} <span className="muted">{counts[k]}</span>
            </label>
          ))}
        </fieldset>
        <div className="lyr-pattern">
          <label htmlFor={patternId} className="sr-only">
            Path filter
          </label>
          <input
            id={patternId}
            className="img-input mono"
            type="search"
            placeholder="filter: text, *.so, /etc/**/*.conf"
            value={pattern}
            spellCheck={false}
            onChange={(e) => setPattern(e.target.value)}
            title="Text matches anywhere in the path; * and ? make a glob (on the name, or on the whole path when it has a /); ** crosses directories. Case-insensitive unless you type a capital."
          />
          {pattern.trim() && (
            <span className="muted lyr-pattern-kind">{isGlob(pattern.trim()) ? 'glob' : 'substring'}</span>
          )}
        </div>
        <div className="lyr-tree-buttons">
          <button type="button" className="button button-small" onClick={() => setExpansion(ALL_OPEN)}>
            Expand all
          </button>
          <button type="button" className="button button-small" onClick={() => setExpansion(ALL_CLOSED)}>
            Collapse all
          </button>
        </div>
      </div>
      <p className="lyr-tree-status muted" role="status" aria-live="polite">
        {filtered.root === base
          ? `${base.descendants.toLocaleString()} entries`
          : `${filtered.matches.toLocaleString()} of ${base.descendants.toLocaleString()} entries match`}
        {view === 'merged' && ' · markers show what this layer did; removed entries stay visible, struck through'}
        {stale && ' · filtering…'}
      </p>
      <FileTree
        root={filtered.root}
        expansion={expansion}
        onExpansion={setExpansion}
        label={`Files of layer ${selected + 1}`}
        empty={<p className="img-empty-note">No entries match these filters.</p>}
        onActive={onActive}
      />
    </section>
  );
}

/**
 * `changes` null: the summary arrived first and the change lists are on
 * their way; everything but the tree is shown meanwhile.
 */
export function Inspector({
  analysis,
  changes,
  source,
  sourceId = null,
}: {
  analysis: AnalysisView;
  changes: LayerChanges | null;
  source: ReactNode;
  /** What `layers.readFile` reads the selected file from; null: no previews (e.g. tests). */
  sourceId?: string | null;
}): ReactNode {
  const [selected, setSelected] = useState(() => Math.max(0, analysis.layers.length - 1));
  const [activeNode, setActiveNode] = useState<TreeNode | null>(null);
  const sel = Math.min(selected, Math.max(0, analysis.layers.length - 1));
  const layer = analysis.layers[sel];
  return (
    <div className="lyr-inspector">
      <Summary a={analysis} source={source} />
      <section className="card lyr-card" aria-labelledby="layers-title">
        <div className="img-card-title-row">
          <h2 id="layers-title">Layers</h2>
          <span className="muted">select one to see its files</span>
        </div>
        {analysis.layers.length > 0 ? (
          <LayersTable layers={analysis.layers} selected={sel} onSelect={setSelected} />
        ) : (
          <p className="img-empty-note">This image has no layers.</p>
        )}
      </section>
      {layer && (
        <div className="lyr-main">
          <div className="lyr-tree-col">
            {changes ? (
              <TreeCard changes={changes} selected={sel} onActive={setActiveNode} />
            ) : (
              <PendingTreeCard selected={sel} />
            )}
            {changes && sourceId && activeNode && activeNode.depth >= 0 ? (
              <FilePreview sourceId={sourceId} layer={sel} node={activeNode} />
            ) : (
              changes &&
              sourceId && (
                <p className="muted lyr-preview-hint">
                  Select a file in the tree to see its contents as of this layer.
                </p>
              )
            )}
          </div>
          <div className="lyr-side">
            <LayerDetails l={layer} total={analysis.layers.length} />
            <WastefulPaths a={analysis} />
          </div>
        </div>
      )}
      {sourceId && <CompareCard sourceId={sourceId} />}
    </div>
  );
}
