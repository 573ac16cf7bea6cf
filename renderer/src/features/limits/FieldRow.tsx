/**
 * The field component family: one row per scalar limit, rendered from its
 * LIMIT_FIELDS entry (label, contract name, unit, bounds, kernel files and
 * read-backs), with the input its `control` names. Table-shaped limits (IO
 * throttles, device rules, net_prio) have their own components, in one
 * frame (TableField).
 */
import type { ReactNode } from 'react';
import type { EffectiveLimits, UnsupportedLimit } from '../../../../preload/schemas/resources';
import { BYTE_UNITS, type ByteUnit } from '../../ui/units';
import type { BytesField, FieldKey } from './draft';
import { filesFor, LIMIT_FIELDS } from './fields';
import { KernelTruth, LimitRow, Missing } from './KernelTruth';
import { weightToShares } from './units';
import type { LimitsDraft } from './useLimitsEditor';

/** What every field of one editor needs: the read-back, the draft, and the cores the picker offers. */
export interface FieldCtx {
  eff: EffectiveLimits;
  ed: LimitsDraft;
  reasonFor: (limit: string) => UnsupportedLimit | undefined;
  picker: { cpus: number[]; source: string };
}

type BytesKey = 'memMax' | 'memHigh' | 'memLow' | 'memSwap';
type TextKey = 'cpuWeight' | 'cpus' | 'pidsMax' | 'ioWeight' | 'netClsClassid';
export type ScalarKey = BytesKey | TextKey | 'cpuset';

/** A row for one scalar limit, or what stands in for it when the group cannot hold it. */
export function FieldRow({ k, ctx }: { k: ScalarKey; ctx: FieldCtx }): ReactNode {
  const f = LIMIT_FIELDS[k];
  const { eff, ed } = ctx;
  if (!f.supported(eff)) return <Missing missing={f.missing} name={f.name} label={f.label} reasonFor={ctx.reasonFor} />;
  return (
    <LimitRow
      k={k}
      name={f.name}
      label={f.label}
      pending={ed.pending.has(k)}
      error={ed.built.errors[k]}
      truth={<FieldTruths k={k} eff={eff} />}
    >
      <Control k={k} ctx={ctx} />
    </LimitRow>
  );
}

/** The read-backs LIMIT_FIELDS lists for a field, each with the file it came from. */
export function FieldTruths({ k, eff }: { k: FieldKey; eff: EffectiveLimits }): ReactNode {
  const f = LIMIT_FIELDS[k];
  const files = filesFor(f, eff.driver);
  return (
    <>
      {f.truths(eff).map((t) => (
        <KernelTruth
          key={t.testKey}
          eff={t.eff}
          testKey={t.testKey}
          format={t.format as ((v: unknown) => string) | undefined}
          files={files}
        />
      ))}
    </>
  );
}

function Control({ k, ctx }: { k: ScalarKey; ctx: FieldCtx }): ReactNode {
  const f = LIMIT_FIELDS[k];
  const { draft, set, built } = ctx.ed;
  switch (f.control) {
    case 'bytes': {
      const key = k as BytesKey;
      return (
        <BytesInput
          k={key}
          field={draft[key]}
          placeholder={f.placeholder}
          ariaLabel={f.ariaLabel}
          invalid={!!built.errors[key]}
          onChange={(v) => set(key, v)}
        />
      );
    }
    case 'weight':
      return <WeightInput k={k as TextKey} ctx={ctx} />;
    case 'cpus':
      return <CpusInput k={k as TextKey} ctx={ctx} />;
    case 'cpuset':
      return <CpusetPicker ctx={ctx} />;
    case 'classid':
      return <ClassidInput k={k as TextKey} ctx={ctx} />;
    default: {
      const key = k as TextKey;
      return (
        <input
          id={`lim-${k}`}
          type="number"
          min={f.bounds?.min}
          max={f.bounds?.max}
          step={1}
          value={draft[key]}
          placeholder={f.placeholder}
          aria-label={f.ariaLabel}
          onChange={(e) => set(key, e.target.value)}
        />
      );
    }
  }
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
  placeholder?: string | undefined;
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

/** N CPUs of time per period (cpu.max / cfs_quota_us); empty = no quota. */
function CpusInput({ k, ctx }: { k: TextKey; ctx: FieldCtx }): ReactNode {
  const f = LIMIT_FIELDS[k];
  const { draft, set } = ctx.ed;
  return (
    <>
      <span className="lim-cpus">
        <input
          id={`lim-${k}`}
          type="number"
          min={f.bounds?.min}
          step={0.01}
          value={draft[k]}
          placeholder={f.placeholder}
          aria-label={f.ariaLabel}
          onChange={(e) => set(k, e.target.value)}
        />
        <span>{f.unit}</span>
      </span>
      <span className="lim-hint">
        quota = N × period ({ctx.eff.cpu?.periodUs?.value ?? 100000} µs); empty = no quota
      </span>
    </>
  );
}

/** A tc class handle as text (hex MAJ:MIN, 0x… or decimal). */
function ClassidInput({ k, ctx }: { k: TextKey; ctx: FieldCtx }): ReactNode {
  const f = LIMIT_FIELDS[k];
  const { draft, set } = ctx.ed;
  return (
    <>
      <input
        id={`lim-${k}`}
        type="text"
        value={draft[k]}
        placeholder={f.placeholder}
        aria-label={f.ariaLabel}
        onChange={(e) => set(k, e.target.value)}
      />
      <span className="lim-hint">a {f.unit} MAJ:MIN (hex), 0x… or decimal</span>
    </>
  );
}

/** A slider and a number for a weight; on v1 (cpu.shares) the shares it becomes. */
function WeightInput({ k, ctx }: { k: TextKey; ctx: FieldCtx }): ReactNode {
  const f = LIMIT_FIELDS[k];
  const { draft, set } = ctx.ed;
  const value = draft[k];
  const n = Number(value);
  const { min, max } = f.bounds ?? { min: 1, max: 10_000 };
  const hasShares = ctx.eff.cpu?.weight?.file.endsWith('cpu.shares') ?? false;
  return (
    <>
      <span className="lim-weight">
        <input
          type="range"
          min={min}
          max={max}
          step={1}
          value={Number.isFinite(n) && n >= min ? n : min}
          aria-label={`${f.ariaLabel} slider`}
          aria-valuetext={`weight ${value}`}
          onChange={(e) => set(k, e.target.value)}
        />
        <input
          id={`lim-${k}`}
          type="number"
          min={min}
          max={max}
          step={1}
          value={value}
          aria-label={f.ariaLabel}
          onChange={(e) => set(k, e.target.value)}
        />
      </span>
      {hasShares && Number.isInteger(n) && n >= min && n <= max && (
        <span className="lim-hint">
          → writes <code>cpu.shares {weightToShares(n)}</code> (v1: shares = 2 + ⌈(weight−1)×262142/9999⌉)
        </span>
      )}
    </>
  );
}

/** One toggle per core the group may be given. */
function CpusetPicker({ ctx }: { ctx: FieldCtx }): ReactNode {
  const { draft, set } = ctx.ed;
  const f = LIMIT_FIELDS.cpuset;
  return (
    <>
      <div className="lim-cpuset" role="group" aria-label={f.ariaLabel} id="lim-cpuset">
        {ctx.picker.cpus.map((c) => {
          const on = draft.cpuset.includes(c);
          return (
            <button
              key={c}
              type="button"
              className={`lim-core${on ? ' on' : ''}`}
              aria-pressed={on}
              aria-label={`CPU ${c}`}
              onClick={() =>
                set('cpuset', on ? draft.cpuset.filter((x) => x !== c) : [...draft.cpuset, c].sort((a, b) => a - b))
              }
            >
              {c}
            </button>
          );
        })}
      </div>
      <span className="lim-hint">cores offered: {ctx.picker.source}</span>
    </>
  );
}
