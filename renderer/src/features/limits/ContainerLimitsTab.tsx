/**
 * The limits editor of one running container. Every control shows the kernel
 * file it writes and the value read back from it (`resources.limits` →
 * EffectiveLimits: file, raw, value, requested, note). Edits stay pending
 * until Apply, which sends `resources.update` with only the changed fields
 * (validated first with the contract's `Limits` schema); the answer is the new
 * read-back. The update is all-or-nothing: a refusal (CGROUP_LIMIT_REFUSED)
 * shows the engine's code and message and the read-back, refetched, still
 * shows the value in force. Undo re-applies the values in force before the
 * last Apply (a stack, one entry per Apply, kept by the editor instance).
 *
 * The parts: LIMIT_FIELDS (fields.ts) describes each limit once; model.ts
 * builds and validates requests from it; LimitsEditor.tsx is the shell,
 * FieldRow.tsx and the table components render the fields, KernelTruth.tsx
 * the kernel-file facts.
 */
import '../resources/resources.css';
import './limits.css';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { resourcesQueries } from '../resources/queries';
import { LimitsEditor } from './LimitsEditor';

export function ContainerLimitsTab({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const q = useQuery(resourcesQueries.limits(client, id));
  if (q.isPending) return <p className="loading">Reading the limits the kernel holds…</p>;
  if (q.isError && !q.data) {
    return <ErrorView error={q.error} title="Could not read the limits" onRetry={() => void q.refetch()} />;
  }
  const data = q.data!;
  if (!data.effective) {
    return (
      <div className="lim-tab" data-testid="limits-editor">
        <p className="res-note">
          The container is not running: there is no cgroup to read back. The limits it asked for (applied when it
          starts):
        </p>
        <pre className="lim-requested mono">{JSON.stringify(data.requested, null, 2)}</pre>
      </div>
    );
  }
  return <LimitsEditor key={data.id} queryId={id} fullId={data.id} eff={data.effective} />;
}
