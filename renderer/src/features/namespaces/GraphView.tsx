/**
 * The React Flow canvas: laid-out nodes (fixed: the layout places them, the
 * view pans and zooms), routed edges, minimap and zoom controls. Fits the
 * first view to `focus` (the host row and the containers near it, not the
 * whole of a big host) and again whenever `fitKey` changes.
 */
import { usePreferences } from '../../app/preferences/preferences';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  getViewportForBounds,
  useReactFlow,
  type NodeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { selectionOf, type FlowElements, type GraphNode, type Selection } from './flow';
import { EdgeMarkers, edgeTypes, nodeTypes } from './nodes';
import { TYPE_COLORS } from './types';

export interface GraphViewProps {
  elements: FlowElements;
  /** Node ids to fit the view to; all nodes when empty. */
  focus: readonly string[];
  /** A new value re-fits the view (filters changed, a comparison started); data refreshes keep it. */
  fitKey: string;
  onSelect: (sel: Selection | null) => void;
  /** Pan to this node id when it changes (the panel's owner/parent links). */
  centerOn: { id: string; seq: number } | null;
  label: string;
  /** Drawn under the canvas: the legend. */
  legend?: ReactNode;
}

/** A small graph fits the screen: the overview only helps past this many nodes. */
const MINIMAP_FROM = 40;

function minimapColor(n: GraphNode): string {
  if (n.type === 'ns') return TYPE_COLORS[n.data.ns.type];
  if (n.type === 'ctr') return '#1d2127';
  return 'transparent';
}

function Canvas({
  elements,
  focus,
  fitKey,
  onSelect,
  centerOn,
  label,
  boxRef,
}: GraphViewProps & { boxRef: RefObject<HTMLDivElement | null> }): ReactNode {
  const rf = useReactFlow<GraphNode>();
  const theme = usePreferences().theme; // 'system' | 'light' | 'dark', as xyflow's colorMode
  const fitted = useRef<string | null>(null);
  const hasNodes = elements.nodes.length > 0;

  useEffect(() => {
    if (!hasNodes || fitted.current === fitKey) return;
    const box = boxRef.current;
    if (!box) return;
    fitted.current = fitKey;
    // The layout knows every size: fit by it (React Flow's own fitView waits for
    // nodes to be measured, and nodes off screen are never rendered).
    const want = focus.length ? new Set(focus) : null;
    const rects = elements.nodes
      .filter((n) => (want ? want.has(n.id) : n.type !== 'frame'))
      .map((n) => ({ x: n.position.x, y: n.position.y, width: n.width ?? 0, height: n.height ?? 0 }));
    if (rects.length === 0) return;
    const x0 = Math.min(...rects.map((r) => r.x));
    const y0 = Math.min(...rects.map((r) => r.y));
    const x1 = Math.max(...rects.map((r) => r.x + r.width));
    const y1 = Math.max(...rects.map((r) => r.y + r.height));
    const vp = getViewportForBounds(
      { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
      box.clientWidth,
      box.clientHeight,
      0.05,
      1,
      0.06,
    );
    // Top-aligned: a tall graph starts at its first row, not in the middle of the screen.
    // (30: the frame's label line above the first header)
    void rf.setViewport({ ...vp, y: Math.min(vp.y, 10 - (y0 - 30) * vp.zoom) });
  }, [fitKey, focus, hasNodes, rf, elements.nodes, boxRef]);

  useEffect(() => {
    if (!centerOn) return;
    const n = rf.getNode(centerOn.id);
    if (!n) return;
    const w = n.width ?? 0;
    const h = n.height ?? 0;
    void rf.setCenter(n.position.x + w / 2, n.position.y + h / 2, {
      zoom: Math.max(rf.getZoom(), 0.8),
      duration: 300,
    });
  }, [centerOn, rf]);

  const onNodesChange = useCallback(
    (changes: NodeChange<GraphNode>[]) => {
      // Keyboard selection (Enter on a focused node) arrives as a select change.
      for (const c of changes) if (c.type === 'select' && c.selected) onSelect(selectionOf(c.id));
    },
    [onSelect],
  );

  return (
    <ReactFlow<GraphNode>
      nodes={elements.nodes}
      edges={elements.edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onNodesChange}
      onNodeClick={(_, n) => onSelect(selectionOf(n.id))}
      onPaneClick={() => onSelect(null)}
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      elementsSelectable
      onlyRenderVisibleElements
      minZoom={0.05}
      maxZoom={2}
      proOptions={{ hideAttribution: true }}
      colorMode={theme}
      aria-label={label}
      deleteKeyCode={null}
      selectionKeyCode={null}
      multiSelectionKeyCode={null}
    >
      {/* Dot and mask colours come from xyflow's light/dark variables (colorMode). */}
      <Background variant={BackgroundVariant.Dots} gap={24} size={1} />
      <Controls showInteractive={false} position="bottom-left" />
      {elements.nodes.length > MINIMAP_FROM && (
        <MiniMap<GraphNode>
          pannable
          zoomable
          nodeColor={minimapColor}
          nodeStrokeWidth={0}
          ariaLabel="Overview of the namespace graph"
          position="bottom-right"
        />
      )}
    </ReactFlow>
  );
}

export function GraphView(props: GraphViewProps): ReactNode {
  const boxRef = useRef<HTMLDivElement>(null);
  return (
    <div className="nsg-wrap">
      <div className="nsg-canvas" data-testid="namespace-graph" ref={boxRef}>
        <EdgeMarkers />
        <ReactFlowProvider>
          <Canvas {...props} boxRef={boxRef} />
        </ReactFlowProvider>
      </div>
      {props.legend}
    </div>
  );
}
