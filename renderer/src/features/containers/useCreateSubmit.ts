/**
 * "Create" and "Create and start": `containers.create`, then
 * `containers.start` when asked. A container whose start failed is kept, so
 * the next click retries the start only.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { Result } from '../../../../preload/contract';
import { useBerth } from '../../app/client';
import type { BuildResult, CreateRequest } from './create-form';

export type Created = Result<'containers.create'> & { started: boolean };

export function useCreateSubmit({
  built,
  onCreated,
  onClose,
}: {
  built: BuildResult;
  onCreated: (c: Created) => void;
  onClose: () => void;
}) {
  const client = useBerth();
  const [created, setCreated] = useState<Result<'containers.create'> | null>(null);
  const submit = useMutation({
    mutationFn: async ({ request, start }: { request: CreateRequest | null; start: boolean }): Promise<Created> => {
      let c = created;
      if (!c) {
        if (!request) throw new Error('nothing to create');
        c = await client.invoke('containers.create', request);
      }
      setCreated(c);
      if (start) await client.invoke('containers.start', { id: c.id });
      return { ...c, started: start };
    },
    onSuccess: (c) => {
      onCreated(c);
      onClose();
    },
  });
  /** Submit: create (and start), or after a failed start, start again or close. */
  const go = (start: boolean) => {
    if (created) {
      if (start) submit.mutate({ request: null, start: true });
      else onClose();
      return;
    }
    if (built.ok) submit.mutate({ request: built.request, start });
  };
  return { submit, created, go };
}
