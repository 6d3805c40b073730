import { Form, Input } from 'antd';
import { FieldSelect } from '../../components/FieldSelect.tsx';
import { ExpressionInput } from '../../components/inputs.tsx';
import { useT } from '../../i18n.ts';
import { type NodePanelProps, nodeUpdater, putNodeValue } from './edit.ts';
import { NodeFrame } from './NodeFrame.tsx';

/** A callback wait: the name an outside system posts to, per item of a list or once. */
export function CallbackPanel({ node, fields, statuses }: NodePanelProps<'callback'>) {
  const t = useT();
  const id = node.id;
  const set = nodeUpdater<'callback'>(id);
  return (
    <NodeFrame node={node} statuses={statuses}>
      <Form.Item label={t('process.callbackName')} help={t('process.callbackHelp')}>
        <Input
          value={node.callback.name}
          onChange={(e) =>
            set((n) => {
              n.callback.name = e.target.value;
            }, 'cbname')
          }
        />
      </Form.Item>
      <Form.Item label={t('process.forEach')}>
        <ExpressionInput
          fields={fields}
          placeholder="record.apps"
          value={node.callback.forEach}
          onChange={(v) => putNodeValue(id, 'callback', 'forEach', v, 'forEach')}
        />
      </Form.Item>
      <Form.Item label={t('process.resultField')}>
        <FieldSelect
          fields={fields}
          value={node.callback.resultField}
          onChange={(v) => putNodeValue(id, 'callback', 'resultField', v)}
        />
      </Form.Item>
    </NodeFrame>
  );
}
