import type { NodeType } from '@opsloom/spec';
import { Button, Form, List, Tag, Typography } from 'antd';
import { ConditionSummary } from '../../components/condition.tsx';
import { useT, useText } from '../../i18n.ts';
import { useEditor } from '../../store/editor.ts';
import { type NodePanelProps, proc } from './edit.ts';
import { NodeFrame } from './NodeFrame.tsx';

type GatewayType = Extract<NodeType, 'exclusiveGateway' | 'parallelSplit' | 'parallelJoin'>;

/**
 * A gateway: an exclusive one takes the first outgoing edge whose condition holds, else its
 * default; a parallel split takes all, a join waits for all. The panel lists the outgoing edges
 * as they read, each opening its own panel.
 */
export function GatewayPanel({ node, statuses, form }: NodePanelProps<GatewayType>) {
  const t = useT();
  const text = useText();
  const edges = useEditor((s) => proc(s.def).edges);
  const nodes = useEditor((s) => proc(s.def).nodes);
  const outgoing = edges.filter((e) => e.source === node.id);
  const nameOf = (id: string) => {
    const n = nodes.find((x) => x.id === id);
    return (n && text(n.name)) || id;
  };
  return (
    <NodeFrame node={node} statuses={statuses}>
      <Typography.Paragraph type="secondary">{t(`gateway.help.${node.type}`)}</Typography.Paragraph>
      {node.type !== 'parallelJoin' && (
        <Form.Item label={t('gateway.outgoing')}>
          <List
            size="small"
            bordered
            dataSource={outgoing}
            locale={{ emptyText: t('gateway.none') }}
            data-testid="gateway-edges"
            renderItem={(e) => (
              <List.Item
                actions={[
                  <Button
                    key="open"
                    size="small"
                    type="link"
                    onClick={() => useEditor.getState().select({ edgeId: e.id })}
                  >
                    {t('gateway.open')}
                  </Button>,
                ]}
              >
                <div style={{ minWidth: 0 }}>
                  <div>→ {nameOf(e.target)}</div>
                  {node.type === 'exclusiveGateway' &&
                    (e.condition ? (
                      <ConditionSummary expression={e.condition} form={form} maxLength={120} />
                    ) : e.default ? (
                      <Tag>{t('edge.otherwise')}</Tag>
                    ) : (
                      <Typography.Text type="warning">{t('gateway.noCondition')}</Typography.Text>
                    ))}
                </div>
              </List.Item>
            )}
          />
        </Form.Item>
      )}
    </NodeFrame>
  );
}
