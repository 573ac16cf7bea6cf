/**
 * The limits editor's state, owned by one editor instance: the draft over
 * the kernel's read-back, the undo history of its Applies, and the Apply /
 * Undo mutation. Two editors (the Containers tab and the standalone
 * resources page, or two windows) never share a draft or a history.
 */
import { useCallback, useMemo, useState } from 'react';
import type { EffectiveLimits, Limits } from '../../../../preload/schemas/resources';
import { formatBytes } from '../../ui/units';
import { useUpdateLimits } from '../resources/hooks';
import { baselineDraft, buildLimits, describeLimits, pendingFields, undoFor, type BuildResult } from './model';
import type { Draft, FieldKey } from './draft';

export interface LimitsDraft {
  base: Draft;
  draft: Draft;
  pending: ReadonlySet<FieldKey>;
  /** The request for what is pending, and what is wrong with it (validated as you type). */
  built: BuildResult;
  set<K extends FieldKey>(k: K, v: Draft[K]): void;
  /** Forget the edits of these fields (applied), or of all. */
  clear(fields?: readonly FieldKey[]): void;
}

/** Edits over the read-back; a field is pending while it differs from it by meaning. */
export function useLimitsDraft(eff: EffectiveLimits): LimitsDraft {
  const base = useMemo(() => baselineDraft(eff), [eff]);
  const [edits, setEdits] = useState<Partial<Draft>>({});
  const draft: Draft = useMemo(() => ({ ...base, ...edits }), [base, edits]);
  const pending = useMemo(() => new Set(pendingFields(draft, base)), [draft, base]);
  const built = useMemo(() => buildLimits(draft, base), [draft, base]);
  const set = useCallback(<K extends FieldKey>(k: K, v: Draft[K]) => setEdits((e) => ({ ...e, [k]: v })), []);
  const clear = useCallback((fields?: readonly FieldKey[]) => {
    if (!fields) return setEdits({});
    setEdits((e) => {
      const next = { ...e };
      for (const f of fields) delete next[f];
      return next;
    });
  }, []);
  return { base, draft, pending, built, set, clear };
}

export interface UndoHistory {
  /** The requests that put back what each Apply changed, oldest first. */
  stack: readonly Limits[];
  push(undo: Limits): void;
  pop(): void;
}

/** One entry per Apply, in this editor's state (not module state: it ends with the editor). */
export function useUndoHistory(): UndoHistory {
  const [stack, setStack] = useState<readonly Limits[]>([]);
  const push = useCallback((undo: Limits) => setStack((s) => [...s, undo]), []);
  const pop = useCallback(() => setStack((s) => s.slice(0, -1)), []);
  return { stack, push, pop };
}

export interface Applied {
  text: string;
  at: number;
  undo: boolean;
}

/**
 * Apply and Undo over the resources feature's `useUpdateLimits` (which puts
 * the answer, the new read-back, in the limits query, and refetches it after
 * a refusal): this editor's history, draft and status line follow the result.
 */
export function useApplyLimits({
  queryId,
  fullId,
  eff,
  draft,
  history,
}: {
  queryId: string;
  fullId: string;
  eff: EffectiveLimits;
  draft: LimitsDraft;
  history: UndoHistory;
}) {
  const [showErrors, setShowErrors] = useState(false);
  const [applied, setApplied] = useState<Applied | null>(null);
  const mutation = useUpdateLimits<{ limits: Limits; undo: Limits | null; fields: FieldKey[] }>(fullId, queryId, {
    onSuccess: (_res, v) => {
      if (v.undo) history.push(v.undo);
      else history.pop();
      draft.clear(v.fields);
      setShowErrors(false);
      setApplied({ text: describeLimits(v.limits, formatBytes), at: Date.now(), undo: v.undo === null });
    },
    onError: () => {
      // All-or-nothing: the hook re-reads so the read-back shows exactly what is in force now.
      setApplied(null);
    },
  });
  const { built } = draft;
  const hasErrors = Object.keys(built.errors).length > 0;
  const apply = () => {
    setShowErrors(true);
    if (hasErrors || built.fields.length === 0) return;
    mutation.mutate({ limits: built.limits, undo: undoFor(built.limits, eff), fields: built.fields });
  };
  const undo = () => {
    const top = history.stack[history.stack.length - 1];
    if (top) mutation.mutate({ limits: top, undo: null, fields: [] });
  };
  const discard = () => {
    draft.clear();
    setShowErrors(false);
  };
  return { mutation, apply, undo, discard, applied, showErrors: showErrors && hasErrors };
}
