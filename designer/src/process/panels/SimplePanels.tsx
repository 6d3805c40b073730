import { Form, Select } from 'antd';
import { type MessageKey, useT, useText } from '../../i18n.ts';
import { useDefinitions } from '../../lookups.ts';
import { type NodePanelProps, putNodeValue, updateNode } from './edit.ts';
import { NodeFrame } from './NodeFrame.tsx';

/** A start node: where a record's process begins; nothing but its status. */
export function StartPanel({ node, statuses }: NodePanelProps<'start'>) {
  return <NodeFrame node={node} statuses={statuses} />;
}

const OUTCOMES = ['resolved', 'closed', 'cancelled', 'rejected', 'done'] as const;

/** An end node: how the record's process ended. */
export function EndPanel({ node, statuses }: NodePanelProps<'end'>) {
  const t = useT();
  return (
    <NodeFrame node={node} statuses={statuses}>
      <Form.Item label={t('process.outcome')}>
        <Select
          allowClear
          value={node.outcome}
          data-testid="end-outcome"
          onChange={(v) => putNodeValue(node.id, 'node', 'outcome', v)}
          options={OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}` as MessageKey) }))}
        />
      </Form.Item>
    </NodeFrame>
  );
}

/** A sub-process node: the process it runs. */
export function SubProcessPanel({ node, statuses }: NodePanelProps<'subProcess'>) {
  const t = useT();
  const text = useText();
  const processes = useDefinitions().filter((d) => d.kind === 'process');
  return (
    <NodeFrame node={node} statuses={statuses}>
      <Form.Item label={t('process.subProcess')}>
        <Select
          value={node.process}
          showSearch
          optionFilterProp="label"
          onChange={(v) => updateNode(node.id, (n) => ((n as { process: string }).process = v))}
          options={processes.map((p) => ({ value: p.key, label: `${text(p.name)} (${p.key})` }))}
        />
      </Form.Item>
    </NodeFrame>
  );
}
