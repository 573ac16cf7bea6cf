/**
 * A compose project's controls, on its group row in the Containers table,
 * on the Projects list and on the project's page: Up, Stop, Restart, Down…
 * (a dialog listing exactly what goes) and Logs (the merged view). See
 * hooks.ts for what each runs.
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { Dialog } from '../../app/Dialog';
import { ErrorView } from '../../app/ErrorView';
import { networksQueries } from '../networks/queries';
import { volumesQueries } from '../volumes/queries';
import { downPlan, projectVolumes, stopOrder, upOrder, type Project } from './group';
import { useProjectAction, type ProjectAction, type ProjectStepError } from './hooks';
import { projectHref } from './route';

const VERB: Record<ProjectAction['kind'], string> = { up: 'Up', stop: 'Stop', restart: 'Restart', down: 'Down' };

export interface ProjectFailure {
  title: string;
  error: unknown;
}

/** The failure of a project action, as the page's banner shows it. */
export function projectFailure(project: string, a: ProjectAction, err: ProjectStepError): ProjectFailure {
  const done = err.done.length ? ` (done before it: ${err.done.join(', ')})` : '';
  return { title: `${VERB[a.kind]} of ${project} stopped at "${err.step}"${done}`, error: err.cause };
}

export function DownDialog({
  project,
  timeoutSec,
  onClose,
  onDone,
  onFailure,
}: {
  project: Project;
  timeoutSec: number;
  onClose: () => void;
  onDone?: () => void;
  /**
   * The page's banner too: once the containers are removed their group row, and this
   * dialog in it, are gone, so a refusal further on (a network in use) is told there.
   * (A useMutation callback, so it runs even after this dialog has unmounted.)
   */
  onFailure?: (f: ProjectFailure) => void;
}): ReactNode {
  const client = useBerth();
  const networks = useQuery(networksQueries.list(client));
  const volumes = useQuery(volumesQueries.list(client));
  const [withVolumes, setWithVolumes] = useState(false);
  const [step, setStep] = useState<string | null>(null);
  const m = useProjectAction(project, {
    onStep: setStep,
    onSuccess: () => {
      onClose();
      onDone?.();
    },
    onError: (err, a) => onFailure?.(projectFailure(project.name, a, err)),
  });
  const ready = networks.data !== undefined && volumes.data !== undefined;
  const plan = downPlan(project, networks.data ?? [], volumes.data ?? [], withVolumes);
  const labelledVolumes = projectVolumes(project.name, volumes.data ?? []);
  return (
    <Dialog title={`Down ${project.name}`} onClose={onClose} look="ctr" className="ctr-dialog-narrow">
      <form
        className="ctr-dialog-body prj-down"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate({ kind: 'down', timeoutSec, plan });
        }}
      >
        <p>
          Stops the running containers (SIGTERM, SIGKILL after {timeoutSec} s), then removes these, with their writable
          layers and logs:
        </p>
        <ul aria-label="To be removed" className="prj-down-list">
          {plan.containers.map((c) => (
            <li key={c.id}>
              container <span className="mono">{c.name}</span>
            </li>
          ))}
          {plan.networks.map((n) => (
            <li key={n}>
              network <span className="mono">{n}</span>
            </li>
          ))}
          {plan.volumes.map((v) => (
            <li key={v}>
              volume <span className="mono">{v}</span> and its data
            </li>
          ))}
        </ul>
        {networks.isError && <ErrorView error={networks.error} title="Could not list the networks" />}
        {volumes.isError && <ErrorView error={volumes.error} title="Could not list the volumes" />}
        <label className="ctr-check">
          <input
            type="checkbox"
            checked={withVolumes}
            disabled={labelledVolumes.length === 0}
            onChange={(e) => setWithVolumes(e.target.checked)}
          />
          Also remove its volumes ({labelledVolumes.length === 0 ? 'none labelled' : labelledVolumes.length})
        </label>
        {m.isPending && step && (
          <p role="status" className="muted">
            {step}…
          </p>
        )}
        {m.isError && (
          <ErrorView
            error={m.error.cause}
            title={`Stopped at "${m.error.step}"${m.error.done.length ? ` after: ${m.error.done.join(', ')}` : ''}`}
          />
        )}
        <footer className="ctr-dialog-footer">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button ctr-danger" disabled={m.isPending || !ready}>
            {m.isPending ? 'Removing…' : 'Down'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

export function ProjectActions({
  project,
  timeoutSec,
  onFailure,
  onDown,
  showLogs = true,
}: {
  project: Project;
  timeoutSec: number;
  onFailure: (f: ProjectFailure | null) => void;
  /** After a successful Down (the project's page goes back to the list). */
  onDown?: () => void;
  showLogs?: boolean;
}): ReactNode {
  const [step, setStep] = useState<string | null>(null);
  const [downing, setDowning] = useState(false);
  const m = useProjectAction(project, {
    onStep: setStep,
    onError: (err, a) => onFailure(projectFailure(project.name, a, err)),
  });
  const busy = m.isPending;
  const canUp = upOrder(project.containers).length > 0;
  const canStop = stopOrder(project.containers).length > 0;
  const run = (a: ProjectAction) => {
    onFailure(null);
    m.mutate(a);
  };
  return (
    <div className="ctr-actions prj-actions" role="group" aria-label={`Actions for project ${project.name}`}>
      {busy && step && (
        <span className="ctr-pending" role="status">
          {step}…
        </span>
      )}
      <button
        type="button"
        className="ctr-btn"
        disabled={busy || !canUp}
        title="start the stopped containers, oldest first"
        onClick={() => run({ kind: 'up' })}
      >
        Up
      </button>
      <button
        type="button"
        className="ctr-btn"
        disabled={busy || !canStop}
        title={`stop the running containers, newest first (SIGKILL after ${timeoutSec} s)`}
        onClick={() => run({ kind: 'stop', timeoutSec })}
      >
        Stop
      </button>
      <button
        type="button"
        className="ctr-btn"
        disabled={busy}
        title="restart every container, oldest first"
        onClick={() => run({ kind: 'restart', timeoutSec })}
      >
        Restart
      </button>
      {showLogs && (
        <a className="ctr-btn prj-link-btn" href={projectHref(project.name, 'logs')}>
          Logs
        </a>
      )}
      <button type="button" className="ctr-btn ctr-danger" disabled={busy} onClick={() => setDowning(true)}>
        Down…
      </button>
      {downing && (
        <DownDialog
          project={project}
          timeoutSec={timeoutSec}
          onClose={() => setDowning(false)}
          onDone={onDown}
          onFailure={onFailure}
        />
      )}
    </div>
  );
}
