/**
 * A compose project's row in the Containers table: a toggle that shows or
 * hides its containers (aria-expanded), the project's name linking to its
 * page, its services, running/total and working dir, and its actions.
 */
import './projects.css';
import type { ReactNode } from 'react';
import type { Project } from './group';
import { ProjectActions, type ProjectFailure } from './ProjectActions';
import { projectHref } from './route';

export function projectSummary(p: Project): string {
  const s = p.services.length;
  return `${s} service${s === 1 ? '' : 's'} · ${p.running}/${p.total} running`;
}

export function ProjectGroupRow({
  project,
  actionable = true,
  open,
  onToggle,
  timeoutSec,
  onFailure,
}: {
  /** The whole project (every container, whatever the page's filter shows). */
  project: Project;
  /** False until the whole project is known: no action on part of it. */
  actionable?: boolean;
  open: boolean;
  onToggle: () => void;
  timeoutSec: number;
  onFailure: (f: ProjectFailure | null) => void;
}): ReactNode {
  return (
    <tr className="prj-group-row">
      <th scope="rowgroup" colSpan={6}>
        <div className="prj-group-head">
          <button
            type="button"
            className="prj-toggle"
            aria-expanded={open}
            aria-label={`Containers of project ${project.name}`}
            onClick={onToggle}
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
          <a className="prj-name" href={projectHref(project.name)}>
            {project.name}
          </a>
          <span className="prj-kind">compose</span>
          <span className="prj-meta">{projectSummary(project)}</span>
          {project.workingDir && (
            <span className="prj-dir mono" title="com.docker.compose.project.working_dir">
              {project.workingDir}
            </span>
          )}
        </div>
      </th>
      <td className="ctr-actions-col">
        {actionable ? (
          <ProjectActions project={project} timeoutSec={timeoutSec} onFailure={onFailure} />
        ) : (
          <span className="muted">…</span>
        )}
      </td>
    </tr>
  );
}
