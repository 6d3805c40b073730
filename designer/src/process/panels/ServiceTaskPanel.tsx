import { Form, Input, InputNumber, Select } from 'antd';
import { FieldSelect } from '../../components/FieldSelect.tsx';
import { ExpressionInput, JsonInput, KeyValueRows } from '../../components/inputs.tsx';
import { type MessageKey, useT, useText } from '../../i18n.ts';
import { useDefinitions } from '../../lookups.ts';
import { type NodePanelProps, nodeUpdater, put, putNodeValue } from './edit.ts';
import { NodeFrame } from './NodeFrame.tsx';

/** A service task: an HTTP call, field values set, a record raised, a CI updated. */
export function ServiceTaskPanel({ node, fields, statuses }: NodePanelProps<'serviceTask'>) {
  const t = useT();
  const text = useText();
  const forms = useDefinitions().filter((d) => d.kind === 'form');
  const id = node.id;
  const update = nodeUpdater<'serviceTask'>(id);
  const action = node.action as Record<string, unknown> & { type: string };
  const setAction = (recipe: (a: Record<string, unknown>) => void, c?: string) =>
    update((n) => recipe(n.action as Record<string, unknown>), c);
  const fieldOptions = fields.map((f) => ({ value: f.key, label: `${text(f.title)} (${f.key})` }));
  return (
    <NodeFrame node={node} statuses={statuses}>
      <Form.Item label={t('process.actionType')}>
        <Select
          value={action.type}
          data-testid="service-action-type"
          onChange={(v) =>
            update((n) => {
              n.action =
                v === 'http'
                  ? { type: 'http', method: 'POST', url: 'https://example.com/hook' }
                  : v === 'setFields'
                    ? { type: 'setFields', values: {} }
                    : v === 'createRecord'
                      ? { type: 'createRecord', form: forms[0]?.key ?? 'incident', values: {} }
                      : { type: 'updateCI', ci: 'record.ci', values: {} };
            })
          }
          options={['http', 'setFields', 'createRecord', 'updateCI'].map((v) => ({
            value: v,
            label: t(`service.${v}` as MessageKey),
          }))}
        />
      </Form.Item>
      {action.type === 'http' && (
        <>
          <Form.Item label={t('http.method')}>
            <Select
              value={action.method as string}
              onChange={(v) => setAction((a) => (a.method = v))}
              options={['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => ({ value: m, label: m }))}
            />
          </Form.Item>
          <Form.Item label="URL" help={t('http.urlHelp')}>
            <Input
              value={action.url as string}
              onChange={(e) => setAction((a) => (a.url = e.target.value), 'url')}
              data-testid="http-url"
            />
          </Form.Item>
          <Form.Item label={t('http.headers')}>
            <KeyValueRows
              value={action.headers as Record<string, string> | undefined}
              onChange={(v) => setAction((a) => put(a, 'headers', v))}
            />
          </Form.Item>
          <Form.Item label={t('http.body')}>
            <JsonInput value={action.body} onChange={(v) => setAction((a) => put(a, 'body', v), 'body')} />
          </Form.Item>
          <Form.Item label={t('http.timeout')}>
            <InputNumber
              min={1}
              max={300000}
              value={action.timeoutMs as number | undefined}
              onChange={(v) => setAction((a) => put(a, 'timeoutMs', v ?? undefined))}
            />
          </Form.Item>
          <Form.Item label={t('http.retries')}>
            <InputNumber
              min={0}
              max={10}
              value={action.retries as number | undefined}
              onChange={(v) => setAction((a) => put(a, 'retries', v ?? undefined))}
            />
          </Form.Item>
          <Form.Item label={t('process.resultField')}>
            <FieldSelect
              fields={fields}
              value={action.resultField as string | undefined}
              onChange={(v) => setAction((a) => put(a, 'resultField', v))}
            />
          </Form.Item>
        </>
      )}
      {action.type === 'createRecord' && (
        <>
          <Form.Item label={t('process.form')}>
            <Select
              value={action.form as string}
              onChange={(v) => setAction((a) => (a.form = v))}
              options={forms.map((f) => ({ value: f.key, label: `${text(f.name)} (${f.key})` }))}
            />
          </Form.Item>
          <Form.Item label={t('service.link')}>
            <Input
              value={(action.link as string) ?? ''}
              placeholder="caused-by"
              onChange={(e) => setAction((a) => put(a, 'link', e.target.value), 'link')}
            />
          </Form.Item>
          <Form.Item label={t('service.numberField')}>
            <FieldSelect
              fields={fields}
              value={action.resultField as string | undefined}
              onChange={(v) => setAction((a) => put(a, 'resultField', v))}
            />
          </Form.Item>
        </>
      )}
      {action.type === 'updateCI' && (
        <Form.Item label={t('service.ci')}>
          <ExpressionInput
            fields={fields}
            value={action.ci as string}
            onChange={(v) => setAction((a) => (a.ci = v ?? ''), 'ci')}
          />
        </Form.Item>
      )}
      {action.type !== 'http' && (
        <Form.Item label={t('service.values')} help={t('service.valuesHelp')}>
          <KeyValueRows
            keyOptions={action.type === 'setFields' ? fieldOptions : undefined}
            valuePlaceholder='"text" / record.x'
            value={action.values as Record<string, string>}
            onChange={(v) => setAction((a) => (a.values = v ?? {}), 'values')}
          />
        </Form.Item>
      )}
      <Form.Item label={t('process.forEach')}>
        <ExpressionInput
          fields={fields}
          value={node.forEach}
          onChange={(v) => putNodeValue(id, 'node', 'forEach', v, 'forEach')}
        />
      </Form.Item>
    </NodeFrame>
  );
}
