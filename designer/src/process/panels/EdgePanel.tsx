import type { ConditionForm, ProcessEdge } from '@opsloom/spec';
import { Checkbox, Form, Input, Radio, Typography } from 'antd';
import { ConditionInput } from '../../components/condition.tsx';
import { I18nInput, KeyValueRows } from '../../components/inputs.tsx';
import { DeleteButton, PanelHeader } from '../../components/property-panel.tsx';
import { type MessageKey, useT, useText } from '../../i18n.ts';
import type { FieldInfo } from '../../lookups.ts';
import { useEditor } from '../../store/editor.ts';
import { deleteEdge, proc, put, updateEdge } from './edit.ts';

/**
 * An edge: a button of a person's step (its action), or a gateway's branch (its condition, or
 * the default one), and the fields it sets when taken.
 */
export function EdgePanel({
  edge,
  fields,
  form,
}: {
  edge: ProcessEdge;
  fields: FieldInfo[];
  form: ConditionForm | undefined;
}) {
  const t = useT();
  const text = useText();
  const id = edge.id;
  const from = useEditor((s) => proc(s.def).nodes.find((n) => n.id === edge.source));
  const to = useEditor((s) => proc(s.def).nodes.find((n) => n.id === edge.target));
  const ends = [from, to] as const;
  const sourceType = ends[0]?.type;
  // Only an HTTP call fails after the task has run: its task may have an error edge.
  const callsOut = from?.type === 'serviceTask' && from.action.type === 'http';
  const action = edge.action;
  const nameOf = (n: (typeof ends)[number], fallback: string) => (n && text(n.name)) || fallback;
  return (
    <Form layout="vertical" size="small" data-testid={`edge-panel-${id}`}>
      <PanelHeader title={t('process.edge')} id={id} />
      <Typography.Paragraph type="secondary">
        {nameOf(ends[0], edge.source)} → {nameOf(ends[1], edge.target)}
      </Typography.Paragraph>
      <Form.Item label={t('edge.hasAction')} tooltip={t('edge.actionHelp')}>
        <Checkbox
          checked={Boolean(action)}
          onChange={(e) =>
            updateEdge(id, (ed) => {
              if (e.target.checked) ed.action = { key: 'submit', label: { 'zh-CN': '提交', en: 'Submit' } };
              else delete ed.action;
            })
          }
        />
        {sourceType === 'userTask' && !action && (
          <Typography.Text type="warning" style={{ marginLeft: 8 }}>
            {t('edge.userTaskNeedsAction')}
          </Typography.Text>
        )}
      </Form.Item>
      {action && (
        <>
          <Form.Item label={t('edge.actionKey')}>
            <Input
              value={action.key}
              data-testid="edge-action-key"
              onChange={(e) =>
                updateEdge(
                  id,
                  (ed) => {
                    if (ed.action) ed.action.key = e.target.value;
                  },
                  'key',
                )
              }
            />
          </Form.Item>
          <Form.Item label={t('edge.actionLabel')}>
            <I18nInput
              value={action.label}
              testId="edge-label"
              onChange={(v) =>
                updateEdge(
                  id,
                  (ed) => {
                    if (ed.action) ed.action.label = v ?? '';
                  },
                  'label',
                )
              }
            />
          </Form.Item>
          <Form.Item label={t('edge.style')}>
            <Radio.Group
              optionType="button"
              value={action.style ?? 'default'}
              onChange={(e) =>
                updateEdge(id, (ed) => {
                  if (ed.action)
                    put(ed.action, 'style', e.target.value === 'default' ? undefined : e.target.value);
                })
              }
              options={['primary', 'default', 'danger'].map((s) => ({
                value: s,
                label: t(`edge.style.${s}` as MessageKey),
              }))}
            />
          </Form.Item>
        </>
      )}
      <Form.Item label={t('edge.condition')} help={t('edge.conditionHelp')}>
        <ConditionInput
          fields={fields}
          form={form}
          value={edge.condition}
          testId="edge-condition"
          onChange={(v) => updateEdge(id, (ed) => put(ed, 'condition', v), 'condition')}
        />
      </Form.Item>
      <Form.Item>
        <Checkbox
          checked={edge.default ?? false}
          onChange={(e) => updateEdge(id, (ed) => put(ed, 'default', e.target.checked || undefined))}
        >
          {t('edge.default')}
        </Checkbox>
      </Form.Item>
      {callsOut && (
        <Form.Item tooltip={t('edge.errorHelp')}>
          <Checkbox
            checked={(edge as { error?: boolean }).error ?? false}
            data-testid="edge-error"
            onChange={(e) => updateEdge(id, (ed) => put(ed, 'error', e.target.checked || undefined))}
          >
            {t('edge.error')}
          </Checkbox>
        </Form.Item>
      )}
      <Form.Item label={t('edge.set')} help={t('service.valuesHelp')}>
        <KeyValueRows
          keyOptions={fields.map((f) => ({ value: f.key, label: f.key }))}
          value={edge.set}
          valuePlaceholder="true"
          onChange={(v) => updateEdge(id, (ed) => put(ed, 'set', v), 'set')}
        />
      </Form.Item>
      <DeleteButton onDelete={() => deleteEdge(id)} testId="delete-edge" />
    </Form>
  );
}
