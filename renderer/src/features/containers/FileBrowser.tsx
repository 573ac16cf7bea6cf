/**
 * The Files tab's browser: one directory of the container (running or
 * stopped; `containers.cp.list`, every path resolved inside its root),
 * entries to open or download (a file as itself, a folder as a tar), and
 * files dropped on it (or picked) uploaded into the shown directory.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { formatBytes } from '../../../../preload/units';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { downloadFromContainer, saveBlob, uploadToContainer } from './file-transfer';
import { containersKeys, containersQueries } from './queries';

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function parent(dir: string): string {
  const i = dir.lastIndexOf('/');
  return i <= 0 ? '/' : dir.slice(0, i);
}

function modeText(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

export function FileBrowser({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const qc = useQueryClient();
  const [dir, setDir] = useState('/');
  const [typed, setTyped] = useState('/');
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [over, setOver] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const q = useQuery(containersQueries.ls(client, id, dir));
  const shown = q.data?.path ?? dir;

  const go = (to: string): void => {
    setDir(to);
    setTyped(to);
  };

  const run = async (what: string, fn: () => Promise<void>): Promise<void> => {
    setBusy(what);
    setFailure(null);
    try {
      await fn();
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(null);
    }
  };

  const upload = (files: File[]): void => {
    if (files.length === 0) return;
    void run(`Uploading ${files.length === 1 ? files[0]!.name : `${files.length} files`}…`, async () => {
      for (const f of files) await uploadToContainer(client, id, shown, f);
      await qc.invalidateQueries({ queryKey: containersKeys.detail(id) });
    });
  };

  const download = (name: string, kind: 'file' | 'dir'): void => {
    void run(`Downloading ${name}…`, async () => {
      const got = await downloadFromContainer(client, id, join(shown, name), kind);
      saveBlob(got.blob, got.name);
    });
  };

  const onDrop = (e: DragEvent<HTMLElement>): void => {
    e.preventDefault();
    setOver(false);
    upload([...e.dataTransfer.files]);
  };

  return (
    <section
      className={`card ctr-browser${over ? ' ctr-browser-over' : ''}`}
      aria-label="container files"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <form
        className="ctr-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          go(typed.trim() || '/');
        }}
      >
        <button type="button" className="button" onClick={() => go(parent(shown))} disabled={shown === '/'}>
          Up
        </button>
        <input
          className="ctr-search mono"
          aria-label="Directory in the container"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit" className="button">
          Open
        </button>
        <button type="button" className="button" onClick={() => picker.current?.click()} disabled={busy !== null}>
          Upload files…
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(e) => {
            upload([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        <span className="muted ctr-count" role="status">
          {busy ?? `Drop files here to upload them into ${shown}`}
        </span>
      </form>
      {failure !== null && <ErrorView error={failure} title="The copy failed" />}
      {q.isError && <ErrorView error={q.error} title={`Could not list ${dir}`} />}
      {q.isPending ? (
        <p className="loading">Reading {dir}…</p>
      ) : q.data ? (
        <table className="table ctr-ls" aria-label={`entries of ${shown}`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Mode</th>
              <th scope="col">Owner</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {q.data.entries.map((e) => (
              <tr key={e.name}>
                <td className="mono">
                  {e.type === 'dir' ? (
                    <button type="button" className="ctr-link mono" onClick={() => go(join(shown, e.name))}>
                      {e.name}/
                    </button>
                  ) : (
                    <>
                      {e.name}
                      {e.linkTarget !== null && <span className="muted"> → {e.linkTarget}</span>}
                    </>
                  )}
                </td>
                <td>{e.type === 'file' ? formatBytes(e.size) : e.type}</td>
                <td className="mono">{modeText(e.mode)}</td>
                <td className="mono">
                  {e.uid}:{e.gid}
                </td>
                <td>
                  {(e.type === 'file' || e.type === 'dir') && (
                    <button
                      type="button"
                      className="button"
                      aria-label={`Download ${e.name}${e.type === 'dir' ? ' as tar' : ''}`}
                      disabled={busy !== null}
                      onClick={() => download(e.name, e.type === 'dir' ? 'dir' : 'file')}
                    >
                      {e.type === 'dir' ? 'Download tar' : 'Download'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {q.data?.truncated && <p className="muted">Only the first {q.data.entries.length} entries are shown.</p>}
    </section>
  );
}
