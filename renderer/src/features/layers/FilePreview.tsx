/**
 * The selected tree entry's contents as of the selected layer
 * (`layers.readFile`): a text preview (≤ 64 KiB, saying how much of the
 * file that is), a hex dump of the first 4 KiB of a binary file, or what a
 * link, device, directory or removed entry is. Formatting: file-preview.ts.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import type { LayerFileContentT } from '../../../../preload/schemas/images';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { formatMode } from '../images/format';
import { asText, describeEntry, fromBase64, HEX_DUMP_BYTES, hexDump, shownNote } from './file-preview';
import { layersQueries } from './queries';
import type { TreeNode } from './tree';

function FileBody({ f, layer }: { f: Extract<LayerFileContentT, { kind: 'file' }>; layer: number }): ReactNode {
  const view = useMemo(() => {
    const bytes = fromBase64(f.data);
    const text = asText(bytes, f.truncated);
    return text === null
      ? { text: null, lines: hexDump(bytes), shown: Math.min(bytes.length, HEX_DUMP_BYTES) }
      : { text, lines: [], shown: bytes.length };
  }, [f]);
  const name = f.path.slice(f.path.lastIndexOf('/') + 1) || f.path;
  return (
    <>
      <p className="lyr-preview-note muted" data-testid="preview-note">
        {describeEntry(f, layer)} {view.text === null ? 'Binary: hex dump of the' : 'Text:'}{' '}
        {shownNote(view.shown, f.size)}.
      </p>
      <pre
        className="lyr-preview-body mono"
        tabIndex={0}
        aria-label={view.text === null ? `Hex dump of ${name}` : `Contents of ${name}`}
        data-testid={view.text === null ? 'preview-hex' : 'preview-text'}
      >
        {view.text ?? view.lines.join('\n')}
      </pre>
    </>
  );
}

export function FilePreview({ sourceId, layer, node }: { sourceId: string; layer: number; node: TreeNode }): ReactNode {
  const client = useBerth();
  const implied = node.implicit && node.type === 'dir';
  const q = useQuery({ ...layersQueries.file(client, sourceId, layer, node.path), enabled: !implied });
  const f = q.data;
  return (
    <section className="card lyr-card lyr-preview" aria-labelledby="preview-title" data-testid="file-preview">
      <div className="img-card-title-row">
        <h2 id="preview-title" className="lyr-break">
          <span className="mono">{node.path}</span>
        </h2>
        {f && f.kind !== 'removed' && (
          <span className="muted mono">
            {formatMode(f.kind === 'hardlink' ? 'file' : f.kind, f.mode)} {f.uid}:{f.gid}
          </span>
        )}
      </div>
      {implied ? (
        <p className="muted">A parent directory no layer up to this one lists: it has no entry of its own.</p>
      ) : q.isPending ? (
        <p className="muted" role="status">
          Reading {node.path} as of layer {layer + 1}…
        </p>
      ) : q.isError ? (
        <ErrorView error={q.error} title={`Could not read ${node.path}`} />
      ) : f?.kind === 'file' ? (
        <FileBody f={f} layer={layer} />
      ) : f ? (
        <p className="lyr-preview-note" data-testid="preview-note">
          {describeEntry(f, layer)}
        </p>
      ) : null}
    </section>
  );
}
