/**
 * Filters and legend in one: the type checkboxes carry the node colours, the
 * edge checkboxes carry the line styles, and the badges are explained next
 * to them.
 */
import type { CSSProperties, ReactNode } from 'react';
import type { EdgeToggles } from './flow';
import type { ContainerFilter, Filters } from './model';
import { NS_TYPES, shortId, TYPE_COLORS, TYPE_TITLES, type ContainerRef, type NamespaceType } from './types';

export function TypeFilter({
  types,
  counts,
  onChange,
}: {
  types: ReadonlySet<NamespaceType>;
  counts: ReadonlyMap<NamespaceType, number>;
  onChange: (next: Set<NamespaceType>) => void;
}): ReactNode {
  return (
    <fieldset className="nsx-fieldset nsx-types">
      <legend>Types</legend>
      {NS_TYPES.map((t) => (
        <label key={t} className="nsx-type" title={TYPE_TITLES[t]}>
          <input
            type="checkbox"
            checked={types.has(t)}
            onChange={(e) => {
              const next = new Set(types);
              if (e.target.checked) next.add(t);
              else next.delete(t);
              onChange(next);
            }}
          />
          <span className="nsx-swatch" style={{ '--ns-color': TYPE_COLORS[t] } as CSSProperties} aria-hidden="true" />
          {t}
          <span className="nsx-count muted">{counts.get(t) ?? 0}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function ContainerSelect({
  id,
  label,
  value,
  containers,
  onChange,
  extra,
}: {
  id: string;
  label: string;
  value: string;
  containers: readonly ContainerRef[];
  onChange: (v: string) => void;
  extra: readonly (readonly [string, string])[];
}): ReactNode {
  return (
    <div className="nsx-select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {extra.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
        {containers.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} ({shortId(c.id)})
          </option>
        ))}
      </select>
    </div>
  );
}

export function FilterBar({
  filters,
  counts,
  containers,
  onChange,
  children,
}: {
  filters: Filters;
  counts: ReadonlyMap<NamespaceType, number>;
  containers: readonly ContainerRef[];
  onChange: (f: Filters) => void;
  children?: ReactNode;
}): ReactNode {
  const value = filters.container;
  const known = value === 'all' || value === 'host' || containers.some((c) => c.id === value);
  return (
    <div className="nsx-bar">
      <TypeFilter types={filters.types} counts={counts} onChange={(types) => onChange({ ...filters, types })} />
      <ContainerSelect
        id="nsx-container"
        label="Container"
        value={value}
        containers={containers}
        extra={[
          ['all', 'All'],
          ['host', 'Host only'],
          ...(known ? [] : [[value, `${shortId(value)} (gone)`] as const]),
        ]}
        onChange={(v) => onChange({ ...filters, container: v as ContainerFilter })}
      />
      <label className="nsx-check">
        <input
          type="checkbox"
          checked={filters.hideUnused}
          onChange={(e) => onChange({ ...filters, hideUnused: e.target.checked })}
        />
        Hide the host&rsquo;s namespaces no container uses
      </label>
      {children}
    </div>
  );
}

const EDGE_LEGEND: readonly (readonly [keyof EdgeToggles, string, string])[] = [
  ['membership', 'membership', 'container → a namespace its processes are in'],
  ['parent', 'parent', 'pid or user namespace → its parent (NS_GET_PARENT)'],
  ['owner', 'owner', 'namespace → the user namespace that owns it (NS_GET_USERNS)'],
];

export function EdgeLegend({
  toggles,
  onChange,
}: {
  toggles: EdgeToggles;
  onChange: (t: EdgeToggles) => void;
}): ReactNode {
  return (
    <fieldset className="nsx-fieldset nsx-edges">
      <legend>Edges</legend>
      {EDGE_LEGEND.map(([k, text, title]) => (
        <label key={k} className="nsx-edge" title={`${title}; a selected node always shows its own`}>
          <input
            type="checkbox"
            checked={toggles[k]}
            onChange={(e) => onChange({ ...toggles, [k]: e.target.checked })}
          />
          <svg width="30" height="10" aria-hidden="true" className={`nsx-edge-sample nsx-edge-${k}`}>
            <line x1="1" y1="5" x2="24" y2="5" />
            <path d="M 23 1.5 L 29 5 L 23 8.5 z" />
          </svg>
          {text}
        </label>
      ))}
    </fieldset>
  );
}

export function BadgeLegend(): ReactNode {
  return (
    <div className="nsx-badges" aria-label="Badges">
      <span className="nsg-badge nsg-badge-initial">host</span>
      <span className="muted">the host&rsquo;s initial namespace</span>
      <span className="nsg-badge nsg-badge-hidden">hidden</span>
      <span className="muted">held by nothing the scan saw</span>
      <span className="nsx-ctx-sample" aria-hidden="true" />
      <span className="muted">kept as owner/parent only</span>
    </div>
  );
}

/** The legend drawn over the graph: edge styles (with their toggles) and badges. */
export function GraphLegend({
  toggles,
  onChange,
}: {
  toggles: EdgeToggles;
  onChange: (t: EdgeToggles) => void;
}): ReactNode {
  return (
    <div className="nsx-legend" role="group" aria-label="Legend">
      <EdgeLegend toggles={toggles} onChange={onChange} />
      <BadgeLegend />
    </div>
  );
}
