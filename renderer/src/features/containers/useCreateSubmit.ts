/**
 * "Create" and "Create and start" of the dialog over the feature's
 * `useCreateContainer` (`containers.create`, then `containers.start` when
 * asked). A container whose start failed is kept, so the next click retries
 * the start only.
 */
import { useState } from 'react';
import type { Result } from '../../../../preload/contract';
import type { BuildResult } from './create-form';
import { useCreateContainer, type Created } from './hooks';

export function useCreateSubmit({
  built,
  onCreated,
  onClose,
}: {
  built: BuildResult;
  onCreated: (c: Created) => void;
  onClose: () => void;
}) {
  // A container created by a "Create and start" whose start failed: retry the start only.
  const [created, setCreated] = useState<Result<'containers.create'> | null>(null);
  const submit = useCreateContainer(setCreated, {
    onSuccess: (c) => {
      onCreated(c);
      onClose();
    },
  });
  /** Submit: create (and start), or after a failed start, start again or close. */
  const go = (start: boolean) => {
    if (created) {
      if (start) submit.mutate({ request: null, start: true, created });
      else onClose();
      return;
    }
    if (built.ok) submit.mutate({ request: built.request, start, created });
  };
  return { submit, created, go };
}
