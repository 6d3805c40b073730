import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getSmoothStepPath } from '@xyflow/react';
import { memo } from 'react';
import { useEditor } from '../store/editor.ts';
import type { EdgeRoute, Point } from './layout.ts';
import { FONT, FONT_FAMILY, LABEL_BOX, type TextBox } from './measure.ts';

export type EdgeKind = 'action' | 'danger' | 'condition' | 'default' | 'error' | 'plain';

export type FlowEdgeData = {
  /** The label's lines and box (`labelBox`), when the edge has one. */
  label?: TextBox;
  /** What the label stands for in full (the condition as written). */
  tooltip?: string;
  kind: EdgeKind;
  color: string;
  invalid: boolean;
  /** ELK's route, given only while both nodes are where the layout put them. */
  route?: EdgeRoute;
};
export type FlowEdge = Edge<FlowEdgeData, 'process'>;

const LABEL_LOOK: Record<EdgeKind, { color: string; background: string; border: string }> = {
  action: { color: '#1f1f1f', background: '#fff', border: '#d9d9d9' },
  danger: { color: '#a8071a', background: '#fff1f0', border: '#ffa39e' },
  condition: { color: '#614700', background: '#fffbe6', border: '#ffe58f' },
  default: { color: '#595959', background: '#fafafa', border: '#d9d9d9' },
  error: { color: '#a8071a', background: '#fff1f0', border: '#ffa39e' },
  plain: { color: '#1f1f1f', background: '#fff', border: '#d9d9d9' },
};

/** An orthogonal polyline with its corners rounded. */
export function roundedPath(points: Point[], radius = 8): string {
  if (points.length < 2) return '';
  const [first] = points;
  let d = `M ${first!.x} ${first!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!;
    const a = points[i - 1]!;
    const b = points[i + 1]!;
    const r = Math.min(radius, Math.hypot(p.x - a.x, p.y - a.y) / 2, Math.hypot(b.x - p.x, b.y - p.y) / 2);
    const towards = (q: Point, len: number) => {
      const l = Math.hypot(q.x - p.x, q.y - p.y) || 1;
      return { x: p.x + ((q.x - p.x) / l) * len, y: p.y + ((q.y - p.y) / l) * len };
    };
    const s = towards(a, r);
    const e = towards(b, r);
    d += ` L ${s.x} ${s.y} Q ${p.x} ${p.y} ${e.x} ${e.y}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x} ${last.y}`;
}

/**
 * An edge of the process: along ELK's route with its label where ELK left room for it, after an
 * auto-layout; else (a node moved since) a smooth-step line with the label at its middle. The
 * label is HTML, its lines drawn as computed (never wrapped by the browser), so its box is the one
 * the layout placed.
 */
export const ProcessEdgeView = memo(function ProcessEdgeView({
  id,
  data,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  markerEnd,
  style,
  selected,
}: EdgeProps<FlowEdge>) {
  let path: string;
  let labelAt: Point | undefined;
  const box = data?.label;
  if (data?.route) {
    path = roundedPath(data.route.points);
    labelAt = data.route.label;
  } else {
    const [smooth, x, y] = getSmoothStepPath({
      sourceX,
      sourceY,
      targetX,
      targetY,
      sourcePosition,
      targetPosition,
      borderRadius: 8,
      offset: 24,
    });
    path = smooth;
    if (box) labelAt = { x: x - box.width / 2, y: y - box.height / 2 };
  }
  const look = LABEL_LOOK[data?.kind ?? 'plain'];
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={16} />
      {box && labelAt && (
        <EdgeLabelRenderer>
          {/* biome-ignore lint/a11y/noStaticElementInteractions: a click on the label selects its edge, as a click on the line does */}
          {/* biome-ignore lint/a11y/useKeyWithClickEvents: the edge is reached by keyboard through the problems list and the panel */}
          <div
            className="nodrag nopan process-edge-label"
            data-testid={`edge-label-${id}`}
            title={data.tooltip}
            onClick={(e) => {
              // Not on to the pane, whose click clears the selection.
              e.stopPropagation();
              useEditor.getState().select({ edgeId: id });
            }}
            style={{
              position: 'absolute',
              transform: `translate(${labelAt.x}px, ${labelAt.y}px)`,
              width: box.width,
              height: box.height,
              boxSizing: 'border-box',
              padding: `${LABEL_BOX.padY}px ${LABEL_BOX.padX}px`,
              border: `${LABEL_BOX.border}px solid ${data.invalid ? '#ff4d4f' : selected ? '#1677ff' : look.border}`,
              borderRadius: 4,
              background: look.background,
              color: data.invalid ? '#cf1322' : look.color,
              fontFamily: FONT_FAMILY,
              fontSize: FONT.label.size,
              lineHeight: `${FONT.label.lineHeight}px`,
              fontStyle: data.kind === 'default' ? 'italic' : undefined,
              textAlign: 'center',
              whiteSpace: 'nowrap',
              overflow: 'hidden',
              pointerEvents: 'all',
              cursor: 'pointer',
            }}
          >
            {box.lines.map((line) => (
              <div key={line}>{line}</div>
            ))}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

/** Defined once, outside any component, as React Flow requires for stable edge types. */
export const edgeTypes = { process: ProcessEdgeView };
