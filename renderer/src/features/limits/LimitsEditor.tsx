/**
 * The editor shell for one running container's read-back: its own draft,
 * undo history and Apply (useLimitsEditor.ts), the toolbar, and one section
 * per controller rendered from LIMIT_FIELDS.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { parseCpuList, type EffectiveLimits } from '../../../../preload/schemas/resources';
import { useBerth } from '../../app/client';
import { useLiveResources } from '../resources/live';
import { resourcesQueries } from '../resources/queries';
import { hostCpusFromRows } from '../resources/series';
import { EditorNotices, EditorToolbar } from './EditorToolbar';
import type { FieldCtx } from './FieldRow';
import { pickerCpus } from './model';
import { CpuSection, DevicesSection, IoSection, MemorySection, NetSection, PidsSection } from './sections';
import { useApplyLimits, useLimitsDraft, useUndoHistory } from './useLimitsEditor';

export function LimitsEditor({
  queryId,
  fullId,
  eff,
}: {
  queryId: string;
  fullId: string;
  eff: EffectiveLimits;
}): ReactNode {
  const client = useBerth();
  const live = useLiveResources();
  const statsQ = useQuery(resourcesQueries.stats(client, fullId));
  const ed = useLimitsDraft(eff);
  const history = useUndoHistory();
  const { mutation, apply, undo, discard, applied, showErrors } = useApplyLimits({
    queryId,
    fullId,
    eff,
    draft: ed,
    history,
  });

  const allowed = eff.cpu?.cpusetCpusAllowed;
  const ctx: FieldCtx = {
    eff,
    ed,
    reasonFor: (prefix) => eff.unsupported.find((u) => u.limit === prefix || u.limit.startsWith(`${prefix}.`)),
    picker: pickerCpus({
      allowed: allowed ? { list: parseCpuList(allowed.value) ?? [], file: allowed.file } : null,
      seen: parseCpuList(eff.cpu?.cpusetCpus?.raw ?? '') ?? [],
      hostCpus: hostCpusFromRows(live.store.rows()),
      hardwareConcurrency: typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined,
    }),
  };
  const ioSeen = (statsQ.data?.stats.io.devices ?? []).map((d) => `${d.major}:${d.minor}`);

  return (
    <div className="lim-tab" data-testid="limits-editor">
      <EditorToolbar
        ed={ed}
        stack={history.stack}
        busy={mutation.isPending}
        applied={applied}
        driver={eff.driver}
        onApply={apply}
        onUndo={undo}
        onDiscard={discard}
      />
      <EditorNotices ed={ed} showErrors={showErrors} error={mutation.error} eff={eff} />
      <MemorySection ctx={ctx} live={live} id={fullId} />
      <CpuSection ctx={ctx} />
      <PidsSection ctx={ctx} />
      <IoSection ctx={ctx} seen={ioSeen} />
      <DevicesSection ctx={ctx} id={fullId} />
      <NetSection ctx={ctx} />
      <p className="muted lim-footer">
        cgroup directories:{' '}
        {Object.entries(eff.groups).map(([ctrl, dir]) => (
          <span key={ctrl} className="lim-group">
            <b>{ctrl}</b> <code>{dir}</code>
          </span>
        ))}
      </p>
    </div>
  );
}
