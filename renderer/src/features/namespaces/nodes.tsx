/** The graph's node and edge components: namespaces, containers, ownership frames, routed edges. */
import { BaseEdge, getBezierPath, Handle, Position, type EdgeProps, type NodeProps } from '@xyflow/react';
import { memo, type CSSProperties, type ReactNode } from 'react';
import type { CtrNode, FrameNode, GraphEdge, NsNode } from './flow';
import { nodeSubtitle } from './format';
import { roundedPath } from './layout';
import { shortId, TYPE_COLORS } from './types';

/** Edges need a handle at each end; the routes ignore where it is, so it stays invisible. */
function Handles(): ReactNode {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="nsg-handle" />
      <Handle type="source" position={Position.Right} isConnectable={false} className="nsg-handle" />
    </>
  );
}

const MARK_TEXT = { shared: 'shared with host', separate: 'own', 'host-side': "host's" } as const;

export const NamespaceNode = memo(function NamespaceNode({ data }: NodeProps<NsNode>): ReactNode {
  const { ns, context, mark } = data;
  const style = { '--ns-color': TYPE_COLORS[ns.type] } as CSSProperties;
  return (
    <div
      className={`nsg-ns${context ? ' is-context' : ''}${mark ? ` mark-${mark}` : ''}${ns.pod ? ' in-pod' : ''}`}
      style={style}
      data-ns-type={ns.type}
      data-pod={ns.pod ?? undefined}
      data-mark={mark ?? undefined}
      title={ns.id}
    >
      <Handles />
      <div className="nsg-ns-top">
        <span className="nsg-type">{ns.type}</span>
        <span className="nsg-inode">{ns.inode}</span>
        {ns.initial && (
          <span className="nsg-badge nsg-badge-initial" title="the host's initial namespace of this type">
            host
          </span>
        )}
        {ns.pod && (
          <span className="nsg-badge nsg-badge-pod" title={`shared by the containers of pod ${ns.pod} (its holder's)`}>
            pod {ns.pod}
          </span>
        )}
        {ns.hidden && (
          <span className="nsg-badge nsg-badge-hidden" title="held by nothing the scan saw; named as a parent or owner">
            hidden
          </span>
        )}
      </div>
      <div className="nsg-sub">
        {context && ns.processCount === 0 && ns.holders.length === 0 ? 'owner/parent only' : nodeSubtitle(ns)}
      </div>
      {mark && <span className={`nsg-mark nsg-mark-${mark}`}>{MARK_TEXT[mark]}</span>}
    </div>
  );
});

export const ContainerNode = memo(function ContainerNode({ data }: NodeProps<CtrNode>): ReactNode {
  const c = data.container;
  return (
    <div className={`nsg-ctr${data.mark ? ' is-compared' : ''}`} title={c.id}>
      <Handles />
      <div className="nsg-ctr-top">
        <span className="nsg-ctr-glyph" aria-hidden="true">
          ▣
        </span>
        <span className="nsg-ctr-name">{c.name}</span>
      </div>
      <div className="nsg-sub">
        <span className="mono">{shortId(c.id)}</span>
        {c.network && <> · net {c.network}</>}
        {c.state && c.state !== 'running' && <> · {c.state}</>}
      </div>
    </div>
  );
});

export const FrameNodeView = memo(function FrameNodeView({ data }: NodeProps<FrameNode>): ReactNode {
  return (
    <div className={`nsg-frame nsg-frame-d${Math.min(data.depth, 4)}`}>
      <span className="nsg-frame-label">{data.label}</span>
    </div>
  );
});

export const RouteEdge = memo(function RouteEdge(props: EdgeProps<GraphEdge>): ReactNode {
  const { data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  const kind = data?.kind ?? 'membership';
  const path = data?.points
    ? roundedPath(data.points)
    : getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition })[0];
  return <BaseEdge path={path} markerEnd={`url(#nsg-arrow-${kind})`} interactionWidth={0} />;
});

export const nodeTypes = { ns: NamespaceNode, ctr: ContainerNode, frame: FrameNodeView };
export const edgeTypes = { route: RouteEdge };

/** Arrowheads, one per edge kind (referenced by RouteEdge). */
export function EdgeMarkers(): ReactNode {
  const kinds = [
    ['membership', 'var(--nsg-membership)'],
    ['parent', 'var(--nsg-parent)'],
    ['owner', 'var(--nsg-owner)'],
  ] as const;
  return (
    <svg className="nsg-markers" aria-hidden="true" width="0" height="0">
      <defs>
        {kinds.map(([k, color]) => (
          <marker
            key={k}
            id={`nsg-arrow-${k}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 1 L 9 5 L 0 9 z" style={{ fill: color }} />
          </marker>
        ))}
      </defs>
    </svg>
  );
}
