import type { ProcessNode } from '@opsloom/spec';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { type MessageKey, textOf, translate, useLocale } from '../i18n.ts';
import { shortDuration, useStepFigures } from './figures.ts';
import { NODE_SIZE, NODE_STYLE } from './nodeTypes.ts';

export type FlowNodeData = { node: ProcessNode; invalid: boolean };
export type FlowNode = Node<FlowNodeData, 'opsloom'>;

const APPROVAL_BADGE: Record<string, MessageKey> = {
  all: 'approval.all.short',
  any: 'approval.any.short',
  sequential: 'approval.sequential.short',
};

/** One component draws every node type; memoized so dragging one node re-renders only that node. */
export const ProcessNodeView = memo(function ProcessNodeView({ data, selected }: NodeProps<FlowNode>) {
  const locale = useLocale((s) => s.locale);
  const { node, invalid } = data;
  const style = NODE_STYLE[node.type];
  const typeLabel = translate(locale, `node.${node.type}` as MessageKey);
  const name = textOf(node.name, locale) || (node.type === 'start' ? typeLabel : node.id);
  const approval = node.type === 'userTask' ? node.approval?.mode : undefined;
  const round = style.shape === 'round';
  const diamond = style.shape === 'diamond';
  const figures = useStepFigures((s) => (s.on && s.byStep ? (s.byStep[node.id] ?? null) : undefined));
  return (
    <div
      data-testid={`node-${node.id}`}
      data-invalid={invalid || undefined}
      style={{
        width: NODE_SIZE.width,
        minHeight: NODE_SIZE.height,
        boxSizing: 'border-box',
        background: '#fff',
        border: `2px solid ${invalid ? '#ff4d4f' : style.color}`,
        borderRadius: round ? 28 : diamond ? 4 : 8,
        borderStyle: diamond ? 'dashed' : 'solid',
        boxShadow: selected
          ? `0 0 0 3px ${invalid ? 'rgba(255,77,79,.35)' : 'rgba(22,119,255,.35)'}`
          : invalid
            ? '0 0 0 3px rgba(255,77,79,.25)'
            : '0 1px 3px rgba(0,0,0,.12)',
        padding: '6px 10px',
        fontSize: 12,
        lineHeight: 1.35,
        position: 'relative',
      }}
    >
      <Handle type="target" position={Position.Left} style={{ background: style.color }} />
      <div style={{ color: style.color, fontSize: 11, display: 'flex', justifyContent: 'space-between' }}>
        <span>{typeLabel}</span>
        {approval && APPROVAL_BADGE[approval] && <span>{translate(locale, APPROVAL_BADGE[approval]!)}</span>}
      </div>
      <div style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
        {name}
      </div>
      <Handle type="source" position={Position.Right} style={{ background: style.color }} />
      {figures !== undefined && (node.type === 'userTask' || figures) && (
        <div
          data-testid={`node-figures-${node.id}`}
          style={{
            position: 'absolute',
            left: 0,
            right: 0,
            top: '100%',
            marginTop: 4,
            padding: '2px 6px',
            borderRadius: 4,
            background: figures?.breaches ? '#fff1f0' : '#f6ffed',
            border: `1px solid ${figures?.breaches ? '#ffa39e' : '#b7eb8f'}`,
            fontSize: 10,
            lineHeight: 1.4,
            color: '#333',
          }}
        >
          {figures ? (
            <>
              <div>
                {translate(locale, 'process.figures.time')} {shortDuration(figures.avg, locale)} · P90{' '}
                {shortDuration(figures.p90, locale)}
              </div>
              <div>
                {translate(locale, 'process.figures.counts', {
                  tasks: figures.tasks,
                  breaches: figures.breaches,
                  waiting: figures.waiting,
                })}
              </div>
            </>
          ) : (
            translate(locale, 'process.figures.none')
          )}
        </div>
      )}
    </div>
  );
});

/** Defined once, outside any component, as React Flow requires for stable node types. */
export const nodeTypes = { opsloom: ProcessNodeView };
