/**
 * The limits editor of one running container. Every control shows the kernel
 * file it writes and the value read back from it (`resources.limits` →
 * EffectiveLimits: file, raw, value, requested, note). Edits stay pending
 * until Apply, which sends `resources.update` with only the changed fields
 * (validated first with the contract's `Limits` schema); the answer is the new
 * read-back. The update is all-or-nothing: a refusal (CGROUP_LIMIT_REFUSED)
 * shows the engine's code and message and the read-back, refetched, still
 * shows the value in force. Undo re-applies the values in force before the
 * last Apply (a stack, one entry per Apply).
 */
import '../resources/resources.css';
import './limits.css';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { DeviceRule, Effective, EffectiveLimits, Limits } from '../../../../preload/schemas/resources';
import { parseCpuList } from '../../../../preload/schemas/resources';
import { ErrorCodes, toErrorShape } from '../../../../preload/errors';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { BYTE_UNITS, byteInputText, formatBytes, formatRate, parseByteInput, type ByteUnit } from '../../ui/units';
import { formatClock } from '../resources/format';
import { useLiveResources } from '../resources/live';
import { useUpdateLimits } from '../resources/hooks';
import { resourcesQueries } from '../resources/queries';
import { hostCpusFromRows } from '../resources/series';
import { DevicePolicyPanel } from './DevicePolicyPanel';
import { MemoryBar, type Handle } from './MemoryBar';
import {
  baselineDraft,
  buildLimits,
  describeLimits,
  formatClassid,
  pendingFields,
  pickerCpus,
  undoFor,
  weightToShares,
  type BytesField,
  type Draft,
  type FieldKey,
  type IoRowDraft,
  type RuleDraft,
} from './model';

export const IO_NOTE =
  'Block IO limits apply to direct and writeback IO at the device; writes that land in the page cache are not slowed (until writeback)';

// ── undo stacks survive tab switches (one per container) ──────────────────

const undoStacks = new Map<string, Limits[]>();
const undoListeners = new Set<() => void>();
const EMPTY_STACK: Limits[] = [];

function setUndoStack(id: string, stack: Limits[]): void {
  undoStacks.set(id, stack);
  for (const l of undoListeners) l();
}

function useUndoStack(id: string): readonly Limits[] {
  return useSyncExternalStore(
    (cb) => {
      undoListeners.add(cb);
      return () => undoListeners.delete(cb);
    },
    () => undoStacks.get(id) ?? EMPTY_STACK,
  );
}

// ── small building blocks ─────────────────────────────────────────────────

function fmtValue(v: unknown): string {
  if (v === null) return 'max';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** The kernel truth next to a control: the file it writes and what reading it back gave. */
function KernelTruth<T>({
  eff,
  testKey,
  format = fmtValue,
}: {
  eff: Effective<T> | undefined;
  testKey: string;
  format?: (v: T) => string;
}): ReactNode {
  if (!eff) return <div className="lim-truth muted">no read-back for this limit</div>;
  const shown = format(eff.value);
  return (
    <div className="lim-truth" data-testid={`truth-${testKey}`}>
      <div className="lim-truth-line">
        <span className="lim-truth-tag">kernel</span>
        <code className="lim-file" data-testid={`kernel-file-${testKey}`} title="the file this control writes">
          {eff.file}
        </code>
      </div>
      <div className="lim-truth-line">
        <span className="lim-truth-tag">read back</span>
        <code className="lim-raw" data-testid={`readback-${testKey}`}>
          {eff.raw}
        </code>
        {shown !== eff.raw && <span className="muted">= {shown}</span>}
        {eff.requested !== undefined && (
          <span className="muted" data-testid={`requested-${testKey}`}>
            · Berth asked for {format(eff.requested)}
          </span>
        )}
      </div>
      {eff.note && <div className="lim-truth-note">{eff.note}</div>}
    </div>
  );
}

function Pending({ on }: { on: boolean }): ReactNode {
  return on ? (
    <span className="lim-pending" title="edited, not applied yet">
      pending
    </span>
  ) : null;
}

function FieldError({ msg, id }: { msg: string | undefined; id: string }): ReactNode {
  return msg ? (
    <p className="lim-error" id={id} role="alert">
      {msg}
    </p>
  ) : null;
}

function Unsupported({ reason, what }: { reason: string; what: string }): ReactNode {
  return (
    <p className="lim-unsupported" data-testid={`unsupported-${what}`}>
      <b>Not supported here:</b> {reason}
    </p>
  );
}

interface RowProps {
  k: string;
  label: ReactNode;
  /** The contract name, e.g. memory.max. */
  name: string;
  pending: boolean;
  error?: string | undefined;
  children: ReactNode;
  truth: ReactNode;
}

function LimitRow({ k, label, name, pending, error, children, truth }: RowProps): ReactNode {
  return (
    <div
      className={`lim-row${pending ? ' is-pending' : ''}${error ? ' is-invalid' : ''}`}
      data-testid={`limit-${name}`}
    >
      <div className="lim-row-label">
        <label htmlFor={`lim-${k}`}>{label}</label>
        <code className="lim-name">{name}</code>
        <Pending on={pending} />
      </div>
      <div className="lim-row-control">
        {children}
        <FieldError msg={error} id={`lim-${k}-err`} />
      </div>
      <div className="lim-row-truth">{truth}</div>
    </div>
  );
}

function BytesInput({
  k,
  field,
  onChange,
  invalid,
  placeholder = 'unlimited',
  ariaLabel,
}: {
  k: string;
  field: BytesField;
  onChange: (f: BytesField) => void;
  invalid: boolean;
  placeholder?: string;
  ariaLabel: string;
}): ReactNode {
  return (
    <span className="lim-bytes">
      <input
        id={`lim-${k}`}
        type="number"
        min={0}
        step="any"
        inputMode="decimal"
        value={field.text}
        placeholder={placeholder}
        aria-label={ariaLabel}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `lim-${k}-err` : undefined}
        onChange={(e) => onChange({ ...field, text: e.target.value })}
      />
      <select
        aria-label={`${ariaLabel} unit`}
        value={field.unit}
        onChange={(e) => {
          // Keep the amount, change its unit (what a user picking "KiB" after typing "1" means).
          onChange({ text: field.text, unit: e.target.value as ByteUnit });
        }}
      >
        {BYTE_UNITS.map((u) => (
          <option key={u} value={u}>
            {u}
          </option>
        ))}
      </select>
    </span>
  );
}

function rateText(eff: Effective<number | null> | undefined): string {
  if (!eff) return 'no rule';
  return eff.value === null ? 'max' : String(eff.value);
}

// ── the editor ────────────────────────────────────────────────────────────

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
  return <Editor key={data.id} queryId={id} fullId={data.id} eff={data.effective} />;
}

function Editor({ queryId, fullId, eff }: { queryId: string; fullId: string; eff: EffectiveLimits }): ReactNode {
  const client = useBerth();
  const live = useLiveResources();
  const statsQ = useQuery(resourcesQueries.stats(client, fullId));
  const base = useMemo(() => baselineDraft(eff), [eff]);
  const [edits, setEdits] = useState<Partial<Draft>>({});
  const draft: Draft = useMemo(() => ({ ...base, ...edits }), [base, edits]);
  const pending = useMemo(() => new Set(pendingFields(draft, base)), [draft, base]);
  const built = useMemo(() => buildLimits(draft, base), [draft, base]);
  const [showErrors, setShowErrors] = useState(false);
  const [applied, setApplied] = useState<{ text: string; at: number; undo: boolean } | null>(null);
  const undoStack = useUndoStack(fullId);
  const unsupported = eff.unsupported;
  const reasonFor = (prefix: string) => unsupported.find((u) => u.limit === prefix || u.limit.startsWith(`${prefix}.`));

  const set = <K extends FieldKey>(k: K, v: Draft[K]) => setEdits((e) => ({ ...e, [k]: v }));

  const mutation = useUpdateLimits<{ limits: Limits; undo: Limits | null; fields: FieldKey[] }>(fullId, queryId, {
    onSuccess: (_res, v) => {
      if (v.undo) setUndoStack(fullId, [...(undoStacks.get(fullId) ?? []), v.undo]);
      else setUndoStack(fullId, (undoStacks.get(fullId) ?? []).slice(0, -1));
      setEdits((e) => {
        const next = { ...e };
        for (const f of v.fields) delete next[f];
        return next;
      });
      setShowErrors(false);
      setApplied({ text: describeLimits(v.limits, formatBytes), at: Date.now(), undo: v.undo === null });
    },
    onError: () => {
      // All-or-nothing: the hook re-reads so the read-back shows exactly what is in force now.
      setApplied(null);
    },
  });

  // Inline validation as you type (only pending fields are validated); the summary line waits for Apply.
  const errorsShown = built.errors;
  const hasErrors = Object.keys(built.errors).length > 0;
  const apply = () => {
    setShowErrors(true);
    if (hasErrors || built.fields.length === 0) return;
    mutation.mutate({ limits: built.limits, undo: undoFor(built.limits, eff), fields: built.fields });
  };
  const undo = () => {
    const top = undoStack[undoStack.length - 1];
    if (top) mutation.mutate({ limits: top, undo: null, fields: [] });
  };
  const discard = () => {
    setEdits({});
    setShowErrors(false);
  };

  const err = mutation.error ? toErrorShape(mutation.error) : null;
  const memSupported = eff.memory !== undefined;
  const cpuHasShares = eff.cpu?.weight?.file.endsWith('cpu.shares') ?? false;
  const weightNum = Number(draft.cpuWeight);
  const hostCpus = hostCpusFromRows(live.store.rows());
  const allowed = eff.cpu?.cpusetCpusAllowed;
  const picker = pickerCpus({
    allowed: allowed ? { list: parseCpuList(allowed.value) ?? [], file: allowed.file } : null,
    seen: parseCpuList(eff.cpu?.cpusetCpus?.raw ?? '') ?? [],
    hostCpus,
    hardwareConcurrency: typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined,
  });
  const bytesOf = (f: BytesField) => {
    const v = parseByteInput(f.text, f.unit);
    return v === null || Number.isFinite(v) ? v : null;
  };
  const onHandle = (h: Handle, bytes: number | null) => {
    const key = h === 'hard' ? 'memMax' : 'memHigh';
    const unit = draft[key].unit;
    set(key, { text: byteInputText(bytes, unit), unit });
  };
  const ioDevicesFromStats = statsQ.data?.stats.io.devices ?? [];

  return (
    <div className="lim-tab" data-testid="limits-editor">
      <div className="lim-actions" role="toolbar" aria-label="Limits actions">
        <button
          type="button"
          className="button button-primary"
          onClick={apply}
          disabled={mutation.isPending || pending.size === 0}
        >
          {mutation.isPending ? 'Applying…' : pending.size > 0 ? `Apply (${pending.size})` : 'Apply'}
        </button>
        <button
          type="button"
          className="button"
          onClick={undo}
          disabled={mutation.isPending || undoStack.length === 0}
          title={
            undoStack.length
              ? `re-apply: ${describeLimits(undoStack[undoStack.length - 1]!, formatBytes)}`
              : 'nothing applied yet'
          }
        >
          Undo{undoStack.length > 0 ? ` (${undoStack.length})` : ''}
        </button>
        <button type="button" className="button" onClick={discard} disabled={pending.size === 0}>
          Discard edits
        </button>
        <span className="lim-actions-status" role="status" aria-live="polite">
          {pending.size > 0
            ? `${pending.size} pending change${pending.size === 1 ? '' : 's'} (${built.sections.join(', ')}): not applied yet`
            : applied
              ? `${applied.undo ? 'Undone' : 'Applied'} at ${formatClock(applied.at)}: ${applied.text} — read back below`
              : `driver ${eff.driver}: nothing pending`}
        </span>
      </div>
      {showErrors && hasErrors && (
        <p className="lim-error" role="alert">
          Not sent: {Object.keys(built.errors).length} field(s) fail validation (the contract&apos;s Limits schema).
        </p>
      )}
      {err && (
        <div className="lim-refusal" data-testid="apply-error">
          <ErrorView
            error={mutation.error}
            title={
              err.code === ErrorCodes.CGROUP_LIMIT_REFUSED
                ? 'The kernel refused the change; nothing was changed (all-or-nothing), the read-back shows the values in force'
                : 'Could not apply the change'
            }
          />
        </div>
      )}
      {unsupported.length > 0 && (
        <div className="lim-unsupported-box" aria-label="Unsupported limits">
          <b>Not expressible on this host ({eff.driver}):</b>
          <ul>
            {unsupported.map((u) => (
              <li key={u.limit}>
                <code>{u.limit}</code> — {u.reason}
              </li>
            ))}
          </ul>
        </div>
      )}

      {/* ── memory ── */}
      <section className="lim-section" aria-labelledby="lim-h-memory">
        <h3 id="lim-h-memory">Memory</h3>
        {memSupported ? (
          <>
            <MemoryBar
              live={live}
              id={fullId}
              hard={bytesOf(draft.memMax)}
              soft={bytesOf(draft.memHigh)}
              appliedHard={eff.memory?.max?.value ?? null}
              appliedSoft={eff.memory?.high?.value ?? null}
              softSupported={eff.memory?.high !== undefined}
              hardPending={pending.has('memMax')}
              softPending={pending.has('memHigh')}
              onChange={onHandle}
            />
            <LimitRow
              k="memMax"
              name="memory.max"
              label="Hard limit"
              pending={pending.has('memMax')}
              error={errorsShown.memMax}
              truth={<KernelTruth eff={eff.memory?.max} testKey="memory.max" format={formatBytes} />}
            >
              <BytesInput
                k="memMax"
                field={draft.memMax}
                ariaLabel="memory.max hard limit"
                invalid={!!errorsShown.memMax}
                onChange={(f) => set('memMax', f)}
              />
            </LimitRow>
            {eff.memory?.high && (
              <LimitRow
                k="memHigh"
                name="memory.high"
                label="Soft limit"
                pending={pending.has('memHigh')}
                error={errorsShown.memHigh}
                truth={<KernelTruth eff={eff.memory.high} testKey="memory.high" format={formatBytes} />}
              >
                <BytesInput
                  k="memHigh"
                  field={draft.memHigh}
                  ariaLabel="memory.high soft limit"
                  invalid={!!errorsShown.memHigh}
                  onChange={(f) => set('memHigh', f)}
                />
              </LimitRow>
            )}
            {eff.memory?.swapMax ? (
              <LimitRow
                k="memSwap"
                name="memory.swapMax"
                label="Swap"
                pending={pending.has('memSwap')}
                error={errorsShown.memSwap}
                truth={<KernelTruth eff={eff.memory.swapMax} testKey="memory.swapMax" format={formatBytes} />}
              >
                <BytesInput
                  k="memSwap"
                  field={draft.memSwap}
                  ariaLabel="memory.swapMax swap limit"
                  invalid={!!errorsShown.memSwap}
                  onChange={(f) => set('memSwap', f)}
                />
              </LimitRow>
            ) : (
              reasonFor('memory.swapMax') && (
                <Unsupported what="memory.swapMax" reason={reasonFor('memory.swapMax')!.reason} />
              )
            )}
            {eff.memory?.low ? (
              <LimitRow
                k="memLow"
                name="memory.low"
                label="Reservation"
                pending={pending.has('memLow')}
                error={errorsShown.memLow}
                truth={<KernelTruth eff={eff.memory.low} testKey="memory.low" format={formatBytes} />}
              >
                <BytesInput
                  k="memLow"
                  field={draft.memLow}
                  placeholder="0"
                  ariaLabel="memory.low reservation"
                  invalid={!!errorsShown.memLow}
                  onChange={(f) => set('memLow', f)}
                />
              </LimitRow>
            ) : (
              reasonFor('memory.low') && (
                <div className="lim-row lim-row-unsupported" data-testid="limit-memory.low">
                  <div className="lim-row-label">
                    <span>Reservation</span>
                    <code className="lim-name">memory.low</code>
                  </div>
                  <div className="lim-row-wide">
                    <Unsupported what="memory.low" reason={reasonFor('memory.low')!.reason} />
                  </div>
                </div>
              )
            )}
          </>
        ) : (
          <Unsupported what="memory" reason={reasonFor('memory')?.reason ?? 'no memory controller for this group'} />
        )}
      </section>

      {/* ── cpu ── */}
      <section className="lim-section" aria-labelledby="lim-h-cpu">
        <h3 id="lim-h-cpu">CPU</h3>
        {eff.cpu?.weight ? (
          <LimitRow
            k="cpuWeight"
            name="cpu.weight"
            label="Weight"
            pending={pending.has('cpuWeight')}
            error={errorsShown.cpuWeight}
            truth={<KernelTruth eff={eff.cpu.weight} testKey="cpu.weight" />}
          >
            <span className="lim-weight">
              <input
                type="range"
                min={1}
                max={10000}
                step={1}
                value={Number.isFinite(weightNum) && weightNum >= 1 ? weightNum : 1}
                aria-label="cpu.weight slider"
                aria-valuetext={`weight ${draft.cpuWeight}`}
                onChange={(e) => set('cpuWeight', e.target.value)}
              />
              <input
                id="lim-cpuWeight"
                type="number"
                min={1}
                max={10000}
                step={1}
                value={draft.cpuWeight}
                aria-label="cpu.weight"
                onChange={(e) => set('cpuWeight', e.target.value)}
              />
            </span>
            {cpuHasShares && Number.isInteger(weightNum) && weightNum >= 1 && weightNum <= 10000 && (
              <span className="lim-hint">
                → writes <code>cpu.shares {weightToShares(weightNum)}</code> (v1: shares = 2 + ⌈(weight−1)×262142/9999⌉)
              </span>
            )}
          </LimitRow>
        ) : (
          reasonFor('cpu.weight') && <Unsupported what="cpu.weight" reason={reasonFor('cpu.weight')!.reason} />
        )}
        {eff.cpu?.quotaUs && (
          <LimitRow
            k="cpus"
            name="cpu.cpus"
            label="Quota"
            pending={pending.has('cpus')}
            error={errorsShown.cpus}
            truth={
              <>
                <KernelTruth eff={eff.cpu.quotaUs} testKey="cpu.quotaUs" />
                <KernelTruth eff={eff.cpu.periodUs} testKey="cpu.periodUs" />
              </>
            }
          >
            <span className="lim-cpus">
              <input
                id="lim-cpus"
                type="number"
                min={0.01}
                step={0.01}
                value={draft.cpus}
                placeholder="unlimited"
                aria-label="CPU quota in CPUs"
                onChange={(e) => set('cpus', e.target.value)}
              />
              <span>CPUs</span>
            </span>
            <span className="lim-hint">
              quota = N × period ({eff.cpu.periodUs?.value ?? 100000} µs); empty = no quota
            </span>
          </LimitRow>
        )}
        {eff.cpu?.cpusetCpus ? (
          <LimitRow
            k="cpuset"
            name="cpu.cpusetCpus"
            label="CPUs allowed"
            pending={pending.has('cpuset')}
            error={errorsShown.cpuset}
            truth={<KernelTruth eff={eff.cpu.cpusetCpus} testKey="cpu.cpusetCpus" />}
          >
            <div className="lim-cpuset" role="group" aria-label="cpuset.cpus" id="lim-cpuset">
              {picker.cpus.map((c) => {
                const on = draft.cpuset.includes(c);
                return (
                  <button
                    key={c}
                    type="button"
                    className={`lim-core${on ? ' on' : ''}`}
                    aria-pressed={on}
                    aria-label={`CPU ${c}`}
                    onClick={() =>
                      set(
                        'cpuset',
                        on ? draft.cpuset.filter((x) => x !== c) : [...draft.cpuset, c].sort((a, b) => a - b),
                      )
                    }
                  >
                    {c}
                  </button>
                );
              })}
            </div>
            <span className="lim-hint">cores offered: {picker.source}</span>
          </LimitRow>
        ) : (
          reasonFor('cpu.cpusetCpus') && (
            <Unsupported what="cpu.cpusetCpus" reason={reasonFor('cpu.cpusetCpus')!.reason} />
          )
        )}
      </section>

      {/* ── pids ── */}
      <section className="lim-section" aria-labelledby="lim-h-pids">
        <h3 id="lim-h-pids">PIDs</h3>
        {eff.pids?.max ? (
          <LimitRow
            k="pidsMax"
            name="pids.max"
            label="Max processes"
            pending={pending.has('pidsMax')}
            error={errorsShown.pidsMax}
            truth={<KernelTruth eff={eff.pids.max} testKey="pids.max" />}
          >
            <input
              id="lim-pidsMax"
              type="number"
              min={0}
              step={1}
              value={draft.pidsMax}
              placeholder="unlimited"
              aria-label="pids.max"
              onChange={(e) => set('pidsMax', e.target.value)}
            />
          </LimitRow>
        ) : (
          <Unsupported what="pids" reason={reasonFor('pids')?.reason ?? 'no pids controller for this group'} />
        )}
      </section>

      {/* ── io ── */}
      <section className="lim-section" aria-labelledby="lim-h-io">
        <h3 id="lim-h-io">Block IO</h3>
        <p className="lim-io-note" data-testid="io-note">
          {IO_NOTE}
        </p>
        {eff.io?.weight ? (
          <LimitRow
            k="ioWeight"
            name="io.weight"
            label="Weight"
            pending={pending.has('ioWeight')}
            error={errorsShown.ioWeight}
            truth={<KernelTruth eff={eff.io.weight} testKey="io.weight" />}
          >
            <input
              id="lim-ioWeight"
              type="number"
              min={1}
              max={10000}
              step={1}
              value={draft.ioWeight}
              aria-label="io.weight"
              onChange={(e) => set('ioWeight', e.target.value)}
            />
          </LimitRow>
        ) : (
          reasonFor('io.weight') && (
            <div className="lim-row lim-row-unsupported" data-testid="limit-io.weight">
              <div className="lim-row-label">
                <span>Weight</span>
                <code className="lim-name">io.weight</code>
              </div>
              <div className="lim-row-wide">
                <Unsupported what="io.weight" reason={reasonFor('io.weight')!.reason} />
              </div>
            </div>
          )
        )}
        {eff.io ? (
          <IoDevices
            rows={draft.ioDevices}
            base={base.ioDevices}
            eff={eff.io.devices}
            pending={pending.has('ioDevices')}
            error={errorsShown.ioDevices}
            seen={ioDevicesFromStats.map((d) => `${d.major}:${d.minor}`)}
            onChange={(rows) => set('ioDevices', rows)}
          />
        ) : (
          reasonFor('io') && <Unsupported what="io" reason={reasonFor('io')!.reason} />
        )}
      </section>

      {/* ── devices: the policy in force (v1 read-back, v2 program), then the v1 rule editor ── */}
      <section className="lim-section" aria-labelledby="lim-h-devices">
        <h3 id="lim-h-devices">Device access</h3>
        <DevicePolicyPanel id={fullId} />
        {eff.devices ? (
          <DeviceRules
            eff={eff.devices}
            rules={draft.deviceRules}
            pending={pending.has('deviceRules')}
            error={errorsShown.deviceRules}
            onChange={(r) => set('deviceRules', r)}
          />
        ) : (
          <Unsupported
            what="devices"
            reason={reasonFor('devices')?.reason ?? 'no devices controller here (cgroup v2 needs an eBPF program)'}
          />
        )}
      </section>

      {/* ── network classes ── */}
      <section className="lim-section" aria-labelledby="lim-h-net">
        <h3 id="lim-h-net">Network classification</h3>
        {eff.netCls?.classid ? (
          <LimitRow
            k="netClsClassid"
            name="netCls.classid"
            label="net_cls class"
            pending={pending.has('netClsClassid')}
            error={errorsShown.netClsClassid}
            truth={
              <KernelTruth
                eff={eff.netCls.classid}
                testKey="netCls.classid"
                format={(v) => `tc class ${formatClassid(v)}`}
              />
            }
          >
            <input
              id="lim-netClsClassid"
              type="text"
              value={draft.netClsClassid}
              placeholder="10:1"
              aria-label="net_cls.classid as a tc handle"
              onChange={(e) => set('netClsClassid', e.target.value)}
            />
            <span className="lim-hint">a tc class handle MAJ:MIN (hex), 0x… or decimal</span>
          </LimitRow>
        ) : (
          <Unsupported
            what="netCls"
            reason={reasonFor('netCls')?.reason ?? 'net_cls is not available for this group'}
          />
        )}
        {eff.netPrio?.ifPriorities ? (
          <NetPrio
            rows={draft.netPrio}
            base={base.netPrio}
            eff={eff.netPrio.ifPriorities}
            pending={pending.has('netPrio')}
            error={errorsShown.netPrio}
            onChange={(r) => set('netPrio', r)}
          />
        ) : (
          <Unsupported
            what="netPrio"
            reason={reasonFor('netPrio')?.reason ?? 'net_prio is not available for this group'}
          />
        )}
      </section>
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

// ── IO devices ───────────────────────────────────────────────────────────

function IoDevices({
  rows,
  base,
  eff,
  pending,
  error,
  seen,
  onChange,
}: {
  rows: readonly IoRowDraft[];
  base: readonly IoRowDraft[];
  eff: NonNullable<EffectiveLimits['io']>['devices'];
  pending: boolean;
  error: string | undefined;
  seen: string[];
  onChange: (rows: IoRowDraft[]) => void;
}): ReactNode {
  const [newDev, setNewDev] = useState(seen[0] ?? '');
  const update = (i: number, patch: Partial<IoRowDraft>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const isNew = (r: IoRowDraft) => !base.some((b) => b.major === r.major && b.minor === r.minor);
  const rateCols = [
    ['readBps', 'read B/s'],
    ['writeBps', 'write B/s'],
    ['readIops', 'read IO/s'],
    ['writeIops', 'write IO/s'],
  ] as const;
  return (
    <div className={`lim-row lim-row-block${pending ? ' is-pending' : ''}`} data-testid="limit-io.devices">
      <div className="lim-row-label">
        <span>Per-device throttles</span>
        <code className="lim-name">io.devices</code>
        <Pending on={pending} />
      </div>
      <table className="table lim-table" aria-label="IO throttles per device">
        <thead>
          <tr>
            <th scope="col">Device</th>
            {rateCols.map(([, l]) => (
              <th scope="col" key={l}>
                {l}
              </th>
            ))}
            <th scope="col">
              <span className="res-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No throttles. Add a block device by major:minor.
              </td>
            </tr>
          )}
          {rows.map((r, i) => {
            const e = eff.find((d) => String(d.major) === r.major && String(d.minor) === r.minor);
            return (
              <tr key={`${r.major}:${r.minor}:${i}`}>
                <th scope="row" className="mono">
                  {r.major}:{r.minor}
                  {isNew(r) && <span className="lim-pending">new</span>}
                </th>
                {rateCols.map(([k, l]) => (
                  <td key={k}>
                    <input
                      type="number"
                      min={0}
                      step={1}
                      value={r[k]}
                      placeholder="max"
                      aria-label={`${r.major}:${r.minor} ${l}`}
                      onChange={(ev) => update(i, { [k]: ev.target.value })}
                    />
                    <div className="lim-cell-truth" title={e?.[k]?.file}>
                      {e?.[k] ? (
                        <>
                          <code>{e[k]!.file.split('/').pop()}</code> = <code>{rateText(e[k])}</code>
                          {e[k]!.value !== null && <span className="muted"> ({formatRate(e[k]!.value)})</span>}
                        </>
                      ) : (
                        <span className="muted">no rule</span>
                      )}
                    </div>
                  </td>
                ))}
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => onChange(rows.filter((_, j) => j !== i))}
                    aria-label={`Remove throttles of ${r.major}:${r.minor}`}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="lim-add">
        <input
          type="text"
          value={newDev}
          placeholder="8:0"
          aria-label="new device major:minor"
          list="lim-io-seen"
          onChange={(e) => setNewDev(e.target.value)}
        />
        <datalist id="lim-io-seen">
          {seen.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <button
          type="button"
          className="button button-small"
          onClick={() => {
            const [major = '', minor = ''] = newDev.split(':');
            if (rows.some((r) => r.major === major.trim() && r.minor === minor.trim())) return;
            onChange([
              ...rows,
              { major: major.trim(), minor: minor.trim(), readBps: '', writeBps: '', readIops: '', writeIops: '' },
            ]);
          }}
        >
          Add device
        </button>
        <span className="lim-hint">
          major:minor from <code>/proc/partitions</code>
          {seen.length > 0 ? `; this container did IO on ${seen.join(', ')}` : ''}
        </span>
      </div>
      <FieldError msg={error} id="lim-ioDevices-err" />
    </div>
  );
}

// ── device rules ─────────────────────────────────────────────────────────

function ruleText(r: DeviceRule): string {
  const what = r.type === 'a' ? `a *:* ${r.access}` : `${r.type} ${r.major}:${r.minor} ${r.access}`;
  return `${r.allow ? 'allow' : 'deny'} ${what}`;
}

function DeviceRules({
  eff,
  rules,
  pending,
  error,
  onChange,
}: {
  eff: Effective<DeviceRule[]>;
  rules: readonly RuleDraft[];
  pending: boolean;
  error: string | undefined;
  onChange: (r: RuleDraft[]) => void;
}): ReactNode {
  const update = (i: number, patch: Partial<RuleDraft>) =>
    onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className={`lim-row lim-row-block${pending ? ' is-pending' : ''}`} data-testid="limit-devices">
      <div className="lim-row-label">
        <span>Rules to apply, in order</span>
        <code className="lim-name">devices.rules</code>
        <Pending on={pending} />
      </div>
      <table className="table lim-table" aria-label="Device rules to apply">
        <thead>
          <tr>
            <th scope="col">Allow / deny</th>
            <th scope="col">Type</th>
            <th scope="col">Major</th>
            <th scope="col">Minor</th>
            <th scope="col">Access</th>
            <th scope="col">
              <span className="res-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No rule pending. Each rule is one write to devices.allow or devices.deny.
              </td>
            </tr>
          )}
          {rules.map((r, i) => (
            <tr key={i}>
              <td>
                <select
                  value={r.allow ? 'allow' : 'deny'}
                  aria-label={`rule ${i + 1} allow or deny`}
                  onChange={(e) => update(i, { allow: e.target.value === 'allow' })}
                >
                  <option value="allow">allow</option>
                  <option value="deny">deny</option>
                </select>
              </td>
              <td>
                <select
                  value={r.type}
                  aria-label={`rule ${i + 1} type`}
                  onChange={(e) => update(i, { type: e.target.value as RuleDraft['type'] })}
                >
                  <option value="a">a (all)</option>
                  <option value="c">c (char)</option>
                  <option value="b">b (block)</option>
                </select>
              </td>
              <td>
                <input
                  type="text"
                  value={r.type === 'a' ? '*' : r.major}
                  disabled={r.type === 'a'}
                  aria-label={`rule ${i + 1} major`}
                  onChange={(e) => update(i, { major: e.target.value })}
                />
              </td>
              <td>
                <input
                  type="text"
                  value={r.type === 'a' ? '*' : r.minor}
                  disabled={r.type === 'a'}
                  aria-label={`rule ${i + 1} minor`}
                  onChange={(e) => update(i, { minor: e.target.value })}
                />
              </td>
              <td className="lim-access">
                {(['r', 'w', 'm'] as const).map((c) => (
                  <label key={c}>
                    <input
                      type="checkbox"
                      checked={r.access.includes(c)}
                      onChange={(e) =>
                        update(i, {
                          access: ['r', 'w', 'm']
                            .filter((x) => (x === c ? e.target.checked : r.access.includes(x)))
                            .join(''),
                        })
                      }
                    />
                    {c}
                  </label>
                ))}
              </td>
              <td>
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => onChange(rules.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="lim-add">
        <button
          type="button"
          className="button button-small"
          onClick={() => onChange([...rules, { allow: false, type: 'c', major: '', minor: '', access: 'rwm' }])}
        >
          Add rule
        </button>
        <span className="lim-hint">e.g. deny c 1:3 rwm (/dev/null); a = every device</span>
      </div>
      <FieldError msg={error} id="lim-deviceRules-err" />
      <div className="lim-row-truth">
        <KernelTruth eff={eff} testKey="devices" format={(v) => v.map(ruleText).join('; ')} />
      </div>
    </div>
  );
}

// ── net_prio ─────────────────────────────────────────────────────────────

function NetPrio({
  rows,
  base,
  eff,
  pending,
  error,
  onChange,
}: {
  rows: readonly { iface: string; priority: string }[];
  base: readonly { iface: string; priority: string }[];
  eff: Effective<{ iface: string; priority: number }[]>;
  pending: boolean;
  error: string | undefined;
  onChange: (r: { iface: string; priority: string }[]) => void;
}): ReactNode {
  return (
    <div className={`lim-row lim-row-block${pending ? ' is-pending' : ''}`} data-testid="limit-netPrio">
      <div className="lim-row-label">
        <span>net_prio priorities</span>
        <code className="lim-name">netPrio.ifPriorities</code>
        <Pending on={pending} />
      </div>
      <table className="table lim-table lim-netprio" aria-label="net_prio priority per interface">
        <thead>
          <tr>
            <th scope="col">Interface</th>
            <th scope="col">Priority</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.iface}>
              <th scope="row" className="mono">
                {r.iface}
                {r.priority.trim() !== (base[i]?.priority ?? '').trim() && <span className="lim-pending">pending</span>}
              </th>
              <td>
                <input
                  type="number"
                  min={0}
                  step={1}
                  value={r.priority}
                  aria-label={`${r.iface} priority`}
                  onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, priority: e.target.value } : x)))}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FieldError msg={error} id="lim-netPrio-err" />
      <div className="lim-row-truth">
        <KernelTruth eff={eff} testKey="netPrio" format={(v) => v.map((e) => `${e.iface} ${e.priority}`).join(', ')} />
      </div>
    </div>
  );
}
