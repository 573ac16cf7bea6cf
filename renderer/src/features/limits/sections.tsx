/**
 * The editor's sections, one per controller, each listing its LIMIT_FIELDS
 * rows in table order. What a section adds beyond its rows: the memory bar,
 * the block IO caveat, the device policy in force.
 */
import type { ReactNode } from 'react';
import type { LiveResources } from '../resources/live';
import { DevicePolicyPanel } from './DevicePolicyPanel';
import { DeviceRules } from './DeviceRules';
import { FieldRow, FieldTruths, type FieldCtx } from './FieldRow';
import { LIMIT_FIELDS } from './fields';
import { IoDevices } from './IoDevices';
import { Missing } from './KernelTruth';
import { MemoryBar, type Handle } from './MemoryBar';
import { NetPrio } from './NetPrio';
import { byteInputText } from '../../ui/units';
import { bytesOf } from './units';

export const IO_NOTE =
  'Block IO limits apply to direct and writeback IO at the device; writes that land in the page cache are not slowed (until writeback)';

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }): ReactNode {
  return (
    <section className="lim-section" aria-labelledby={`lim-h-${id}`}>
      <h3 id={`lim-h-${id}`}>{title}</h3>
      {children}
    </section>
  );
}

/** What an unsupported table-shaped field shows (its WhenMissing). */
function MissingField({ k, ctx }: { k: 'ioDevices' | 'deviceRules' | 'netPrio'; ctx: FieldCtx }): ReactNode {
  const f = LIMIT_FIELDS[k];
  return <Missing missing={f.missing} name={f.name} label={f.label} reasonFor={ctx.reasonFor} />;
}

const finiteBytes = (v: number | null): number | null => (v === null || Number.isFinite(v) ? v : null);

export function MemorySection({ ctx, live, id }: { ctx: FieldCtx; live: LiveResources; id: string }): ReactNode {
  const { eff, ed } = ctx;
  const onHandle = (h: Handle, bytes: number | null) => {
    const key = h === 'hard' ? 'memMax' : 'memHigh';
    const unit = ed.draft[key].unit;
    ed.set(key, { text: byteInputText(bytes, unit), unit });
  };
  // The memory controller gates the whole section (memMax's `supported`).
  if (!LIMIT_FIELDS.memMax.supported(eff)) {
    return (
      <Section id="memory" title="Memory">
        <FieldRow k="memMax" ctx={ctx} />
      </Section>
    );
  }
  return (
    <Section id="memory" title="Memory">
      <MemoryBar
        live={live}
        id={id}
        hard={finiteBytes(bytesOf(ed.draft.memMax))}
        soft={finiteBytes(bytesOf(ed.draft.memHigh))}
        appliedHard={eff.memory?.max?.value ?? null}
        appliedSoft={eff.memory?.high?.value ?? null}
        softSupported={eff.memory?.high !== undefined}
        hardPending={ed.pending.has('memMax')}
        softPending={ed.pending.has('memHigh')}
        onChange={onHandle}
      />
      <FieldRow k="memMax" ctx={ctx} />
      <FieldRow k="memHigh" ctx={ctx} />
      <FieldRow k="memSwap" ctx={ctx} />
      <FieldRow k="memLow" ctx={ctx} />
    </Section>
  );
}

export function CpuSection({ ctx }: { ctx: FieldCtx }): ReactNode {
  return (
    <Section id="cpu" title="CPU">
      <FieldRow k="cpuWeight" ctx={ctx} />
      <FieldRow k="cpus" ctx={ctx} />
      <FieldRow k="cpuset" ctx={ctx} />
    </Section>
  );
}

export function PidsSection({ ctx }: { ctx: FieldCtx }): ReactNode {
  return (
    <Section id="pids" title="PIDs">
      <FieldRow k="pidsMax" ctx={ctx} />
    </Section>
  );
}

export function IoSection({ ctx, seen }: { ctx: FieldCtx; seen: string[] }): ReactNode {
  const { eff, ed } = ctx;
  return (
    <Section id="io" title="Block IO">
      <p className="lim-io-note" data-testid="io-note">
        {IO_NOTE}
      </p>
      <FieldRow k="ioWeight" ctx={ctx} />
      {eff.io ? (
        <IoDevices
          rows={ed.draft.ioDevices}
          base={ed.base.ioDevices}
          eff={eff.io.devices}
          pending={ed.pending.has('ioDevices')}
          error={ed.built.errors.ioDevices}
          seen={seen}
          onChange={(rows) => ed.set('ioDevices', rows)}
        />
      ) : (
        <MissingField k="ioDevices" ctx={ctx} />
      )}
    </Section>
  );
}

/** The policy in force (v1 read-back, v2 program), then the v1 rule editor. */
export function DevicesSection({ ctx, id }: { ctx: FieldCtx; id: string }): ReactNode {
  const { eff, ed } = ctx;
  return (
    <Section id="devices" title="Device access">
      <DevicePolicyPanel id={id} />
      {LIMIT_FIELDS.deviceRules.supported(eff) ? (
        <DeviceRules
          truth={<FieldTruths k="deviceRules" eff={eff} />}
          rules={ed.draft.deviceRules}
          pending={ed.pending.has('deviceRules')}
          error={ed.built.errors.deviceRules}
          onChange={(r) => ed.set('deviceRules', r)}
        />
      ) : (
        <MissingField k="deviceRules" ctx={ctx} />
      )}
    </Section>
  );
}

export function NetSection({ ctx }: { ctx: FieldCtx }): ReactNode {
  const { eff, ed } = ctx;
  return (
    <Section id="net" title="Network classification">
      <FieldRow k="netClsClassid" ctx={ctx} />
      {LIMIT_FIELDS.netPrio.supported(eff) ? (
        <NetPrio
          rows={ed.draft.netPrio}
          base={ed.base.netPrio}
          truth={<FieldTruths k="netPrio" eff={eff} />}
          pending={ed.pending.has('netPrio')}
          error={ed.built.errors.netPrio}
          onChange={(r) => ed.set('netPrio', r)}
        />
      ) : (
        <MissingField k="netPrio" ctx={ctx} />
      )}
    </Section>
  );
}
