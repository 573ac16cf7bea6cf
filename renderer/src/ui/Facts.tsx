/**
 * Facts: label → value lists (`<dl>`), the shape every page uses to show
 * what the kernel or the engine reports. `KernelFacts` adds a third column
 * naming where the kernel keeps each value (a /proc or /sys path, a syscall),
 * so a value can be checked by hand.
 */
import type { ReactNode } from 'react';
import './facts.css';

export type FactRow = readonly [label: string, value: ReactNode];
export type KernelFactRow = readonly [label: string, value: ReactNode, source?: ReactNode];

export function Mono({ children }: { children: ReactNode }): ReactNode {
  return <code className="mono">{children}</code>;
}

/** One row of a `<dl className="facts">` written by hand (conditional rows, extra classes). */
export function Fact({ k, children }: { k: string; children: ReactNode }): ReactNode {
  return (
    <div className="fact">
      <dt>{k}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function Facts({ rows }: { rows: readonly FactRow[] }): ReactNode {
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <Fact key={k} k={k}>
          {v}
        </Fact>
      ))}
    </dl>
  );
}

/** Value and source side by side; `label` names the list for screen readers (and the e2e page objects). */
export function KernelFacts({ rows, label }: { rows: readonly KernelFactRow[]; label: string }): ReactNode {
  return (
    <dl className="ctr-kfacts" aria-label={label}>
      {rows.map(([k, v, src]) => (
        <div key={k} className="ctr-kfact">
          <dt>{k}</dt>
          <dd className="ctr-kval">{v}</dd>
          <dd className="ctr-ksrc">{src ?? ''}</dd>
        </div>
      ))}
    </dl>
  );
}
