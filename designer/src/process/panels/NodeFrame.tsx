import { AutoComplete, Form } from 'antd';
import type { ReactNode } from 'react';
import { I18nInput } from '../../components/inputs.tsx';
import { DeleteButton, PanelHeader } from '../../components/property-panel.tsx';
import { type MessageKey, useT, useText } from '../../i18n.ts';
import { type AnyNode, deleteNode, putNodeValue } from './edit.ts';

/**
 * What every node's panel has: its type and id, its name (a start node has none), the record
 * status while a token is there, the kind's own settings, and deleting it.
 */
export function NodeFrame({
  node,
  statuses,
  children,
}: {
  node: AnyNode;
  statuses: { key: string; name: unknown }[];
  children?: ReactNode;
}) {
  const t = useT();
  const text = useText();
  const id = node.id;
  return (
    <Form layout="vertical" size="small" data-testid={`node-panel-${id}`}>
      <PanelHeader title={t(`node.${node.type}` as MessageKey)} id={id} />
      {node.type !== 'start' && (
        <Form.Item label={t('common.name')}>
          <I18nInput
            value={node.name}
            onChange={(v) => putNodeValue(id, 'node', 'name', v, 'name')}
            testId="node-name"
          />
        </Form.Item>
      )}
      <Form.Item label={t('process.status')} tooltip={t('process.statusHelp')}>
        {/* The form's statuses to pick from; free text where the form declares none. */}
        <AutoComplete
          value={node.status ?? ''}
          options={statuses.map((s) => ({ value: s.key, label: `${text(s.name)} (${s.key})` }))}
          onChange={(v: string) => putNodeValue(id, 'node', 'status', v, 'status')}
          data-testid="node-status"
        />
      </Form.Item>
      {children}
      <DeleteButton onDelete={() => deleteNode(id)} testId="delete-node" />
    </Form>
  );
}
