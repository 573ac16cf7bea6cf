/**
 * A project's actions (Up, Stop, Restart, Down), each a sequence of the
 * contract's per-object calls: `containers.start|stop|restart|remove`,
 * `networks.remove`, `volumes.remove`. Every container step runs as a mutation
 * under that container's own key (containers/hooks.ts
 * `containerMutationKeys`), so the app-wide observers see it exactly as a
 * row's button: a stop asked for here raises no "exited unexpectedly" note.
 * A sequence stops at the first refusal and says which step it was and what
 * was done before it; nothing is rolled back (compose does not either).
 */
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useBerth, type BerthClient } from '../../app/client';
import { isLive } from '../containers/format';
import { containerMutationKeys, runContainerAction, type Action } from '../containers/hooks';
import { networksKeys } from '../networks/queries';
import { volumesKeys } from '../volumes/queries';
import { restartOrder, stopOrder, upOrder, type DownPlan, type Project } from './group';

export type ProjectAction =
  | { kind: 'up' }
  | { kind: 'stop'; timeoutSec: number }
  | { kind: 'restart'; timeoutSec: number }
  | { kind: 'down'; timeoutSec: number; plan: DownPlan };

/** A sequence that failed part way: the step it failed at and the ones done before. */
export class ProjectStepError extends Error {
  constructor(
    readonly step: string,
    readonly done: readonly string[],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ProjectStepError';
  }
}

interface Step {
  label: string;
  run: () => Promise<unknown>;
}

function containerStep(qc: QueryClient, client: BerthClient, c: { id: string; name: string }, a: Action): Step {
  return {
    label: `${a.kind} ${c.name}`,
    run: () =>
      qc
        .getMutationCache()
        .build(qc, {
          mutationKey: containerMutationKeys.action(c.id),
          mutationFn: (v: Action) => runContainerAction(client, c.id, v),
        })
        .execute(a),
  };
}

/** The steps of one action, in order (pure apart from the calls they close over). */
export function projectSteps(qc: QueryClient, client: BerthClient, project: Project, a: ProjectAction): Step[] {
  switch (a.kind) {
    case 'up':
      return upOrder(project.containers).map((c) => containerStep(qc, client, c, { kind: 'start' }));
    case 'stop':
      return stopOrder(project.containers).map((c) =>
        containerStep(qc, client, c, { kind: 'stop', timeoutSec: a.timeoutSec }),
      );
    case 'restart':
      return restartOrder(project.containers).map((c) =>
        containerStep(qc, client, c, { kind: 'restart', timeoutSec: a.timeoutSec }),
      );
    case 'down': {
      const steps: Step[] = [];
      // Every live one, one-offs too: Down removes them all (plan.containers is newest first).
      for (const c of a.plan.containers) {
        if (isLive(c.state)) steps.push(containerStep(qc, client, c, { kind: 'stop', timeoutSec: a.timeoutSec }));
      }
      for (const c of a.plan.containers) {
        steps.push({
          label: `remove ${c.name}`,
          run: () =>
            qc
              .getMutationCache()
              .build(qc, {
                mutationKey: containerMutationKeys.remove(c.id),
                mutationFn: (force: boolean) => client.invoke('containers.remove', { id: c.id, force }),
              })
              .execute(false),
        });
      }
      for (const n of a.plan.networks) {
        steps.push({ label: `remove network ${n}`, run: () => client.invoke('networks.remove', { id: n }) });
      }
      for (const v of a.plan.volumes) {
        steps.push({ label: `remove volume ${v}`, run: () => client.invoke('volumes.remove', { name: v }) });
      }
      return steps;
    }
  }
}

export async function runSteps(steps: readonly Step[], onStep?: (label: string) => void): Promise<string[]> {
  const done: string[] = [];
  for (const s of steps) {
    onStep?.(s.label);
    try {
      await s.run();
    } catch (err) {
      throw new ProjectStepError(s.label, done, err);
    }
    done.push(s.label);
  }
  return done;
}

/** One project's action; `onStep` hears each step as it starts (the row's "stopping web-1…"). */
export function useProjectAction(
  project: Project,
  {
    onStep,
    onSuccess,
    onError,
  }: {
    onStep?: (label: string) => void;
    onSuccess?: (done: string[], a: ProjectAction) => void;
    onError?: (err: ProjectStepError, a: ProjectAction) => void;
  } = {},
) {
  const client = useBerth();
  const qc = useQueryClient();
  return useMutation<string[], ProjectStepError, ProjectAction>({
    mutationKey: ['projects', 'action', project.name],
    mutationFn: (a) => runSteps(projectSteps(qc, client, project, a), onStep),
    onSuccess,
    onError,
    // Containers update from their events; networks and volumes are refreshed here too.
    onSettled: (_d, _e, a) => {
      if (a.kind === 'down') {
        void qc.invalidateQueries({ queryKey: networksKeys.all });
        void qc.invalidateQueries({ queryKey: volumesKeys.all });
      }
    },
  });
}
