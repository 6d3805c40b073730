import type { Locale, ProcessNode } from '@opsloom/spec';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { type MessageKey, textOf, translate, useLocale } from '../i18n.ts';
import { shortDuration, useStepFigures } from './figures.ts';
import { FONT, FONT_FAMILY, NODE_BOX, nodeBox, type TextBox } from './measure.ts';
import { NODE_STYLE } from './nodeTypes.ts';

export type FlowNodeData = { node: ProcessNode; invalid: boolean; box: NodeBox };
type NodeBox = TextBox & { typeWidth: number };
export type FlowNode = Node<FlowNodeData, 'opsloom'>;

const APPROVAL_BADGE: Record<string, MessageKey> = {
  all: 'approval.all.short',
  any: 'approval.any.short',
  sequential: 'approval.sequential.short',
};

/** The texts a node shows: its type (and approval mode) over its name. */
export function nodeTexts(
  node: ProcessNode,
  locale: Locale,
): { typeLabel: string; badge?: string; title: string } {
  const typeLabel = translate(locale, `node.${node.type}` as MessageKey);
  const approval = node.type === 'userTask' ? node.approval?.mode : undefined;
  const badge =
    approval && APPROVAL_BADGE[approval] ? translate(locale, APPROVAL_BADGE[approval]!) : undefined;
  const title = textOf(node.name, locale) || (node.type === 'start' ? typeLabel : node.id);
  return { typeLabel, badge, title };
}

/** A node's box as the canvas draws it (and the layout places it), from its texts. */
export function boxOfNode(node: ProcessNode, locale: Locale): NodeBox {
  const { typeLabel, badge, title } = nodeTexts(node, locale);
  return nodeBox(title, badge ? `${typeLabel}  ${badge}` : typeLabel);
}

/**
 * One component draws every node type; memoized so dragging one node re-renders only that node.
 * Its box is the one computed from its texts (`boxOfNode`): the title's lines are drawn as
 * computed, never wrapped by the browser, so the layout's boxes are the drawn ones.
 */
export const ProcessNodeView = memo(function ProcessNodeView({ data, selected }: NodeProps<FlowNode>) {
  const locale = useLocale((s) => s.locale);
  const { node, invalid, box } = data;
  const style = NODE_STYLE[node.type];
  const { typeLabel, badge, title } = nodeTexts(node, locale);
  const round = style.shape === 'round';
  const diamond = style.shape === 'diamond';
  const figures = useStepFigures((s) => (s.on && s.byStep ? (s.byStep[node.id] ?? null) : undefined));
  return (
    <div
      data-testid={`node-${node.id}`}
      data-invalid={invalid || undefined}
      title={box.lines.join('') !== title ? title : undefined}
      style={{
        width: box.width,
        height: box.height,
        boxSizing: 'border-box',
        background: diamond ? '#fffbe6' : '#fff',
        border: `${NODE_BOX.border}px solid ${invalid ? '#ff4d4f' : style.color}`,
        borderRadius: round ? box.height / 2 : diamond ? 4 : 8,
        borderStyle: diamond ? 'dashed' : 'solid',
        boxShadow: selected
          ? `0 0 0 3px ${invalid ? 'rgba(255,77,79,.35)' : 'rgba(22,119,255,.35)'}`
          : invalid
            ? '0 0 0 3px rgba(255,77,79,.25)'
            : '0 1px 3px rgba(0,0,0,.12)',
        padding: `${NODE_BOX.padY}px ${NODE_BOX.padX}px`,
        position: 'relative',
        overflow: 'visible',
        fontFamily: FONT_FAMILY,
      }}
    >
      <Handle type="target" position={Position.Left} style={{ background: style.color }} />
      <div
        style={{
          color: style.color,
          fontSize: FONT.type.size,
          lineHeight: `${FONT.type.lineHeight}px`,
          display: 'flex',
          justifyContent: 'space-between',
          gap: 6,
          whiteSpace: 'nowrap',
        }}
      >
        <span>{typeLabel}</span>
        {badge && <span>{badge}</span>}
      </div>
      <div
        data-testid={`node-title-${node.id}`}
        style={{
          fontSize: FONT.title.size,
          fontWeight: FONT.title.weight,
          lineHeight: `${FONT.title.lineHeight}px`,
          color: '#1f1f1f',
          whiteSpace: 'nowrap',
        }}
      >
        {box.lines.map((line, i) => (
          <div key={i}>{line}</div>
        ))}
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
