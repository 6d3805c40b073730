import { Alert, Checkbox, Form, Radio, Select, Table } from 'antd';
import { DurationInput } from '../../components/DurationInput.tsx';
import { FieldSelect } from '../../components/FieldSelect.tsx';
import { ExpressionInput, I18nInput } from '../../components/inputs.tsx';
import { PanelSection } from '../../components/property-panel.tsx';
import { type MessageKey, useT, useText } from '../../i18n.ts';
import { useGroups, useUsers } from '../../lookups.ts';
import { type NodePanelProps, nodeUpdater, put } from './edit.ts';
import { NodeFrame } from './NodeFrame.tsx';

const ACCESS = ['default', 'editable', 'readonly', 'hidden'] as const;

/** A person's step: who takes it, how they decide, by when, and which fields they see and change. */
export function UserTaskPanel({ node, fields, statuses }: NodePanelProps<'userTask'>) {
  const t = useT();
  const text = useText();
  const users = useUsers();
  const groups = useGroups();
  const id = node.id;
  const a = node.assignee;
  const set = nodeUpdater<'userTask'>(id);
  const access = node.fieldAccess ?? {};
  // A requester's step without an editable list lets its taker change nothing (fails closed).
  const lockedByDefault = a.type === 'requester' && !access.editable;
  const accessOf = (f: string) =>
    access.editable?.includes(f)
      ? 'editable'
      : access.readonly?.includes(f)
        ? 'readonly'
        : access.hidden?.includes(f)
          ? 'hidden'
          : 'default';
  const setAccess = (f: string, mode: (typeof ACCESS)[number]) =>
    set((n) => {
      if (!n.fieldAccess) n.fieldAccess = {};
      const fa = n.fieldAccess;
      for (const k of ['editable', 'readonly', 'hidden'] as const) {
        put(
          fa,
          k,
          (fa[k] ?? []).filter((x) => x !== f),
        );
      }
      if (mode !== 'default') fa[mode] = [...(fa[mode] ?? []), f];
      if (!Object.keys(fa).length) delete n.fieldAccess;
    });
  const setRequired = (f: string, on: boolean) =>
    set((n) => {
      if (!n.fieldAccess) n.fieldAccess = {};
      const fa = n.fieldAccess;
      const list = (fa.required ?? []).filter((x) => x !== f);
      put(fa, 'required', on ? [...list, f] : list);
      if (!Object.keys(fa).length) delete n.fieldAccess;
    });

  return (
    <NodeFrame node={node} statuses={statuses}>
      <Form.Item label={t('process.instructions')} tooltip={t('process.instructionsHelp')}>
        <I18nInput
          multiline
          value={node.instructions}
          onChange={(v) =>
            set((n) => {
              if (v) n.instructions = v;
              else delete n.instructions;
            }, 'instructions')
          }
          testId="node-instructions"
        />
      </Form.Item>
      <PanelSection title={t('process.assignee')}>
        <Form.Item label={t('process.assigneeType')}>
          <Select
            value={a.type}
            showSearch
            optionFilterProp="label"
            data-testid="assignee-type"
            onChange={(v) =>
              set((n) => {
                n.assignee = v === 'requester' ? { type: v } : { type: v, value: '' };
                if (v === 'requester') delete n.assignee.value;
              })
            }
            options={['user', 'group', 'role', 'field', 'expression', 'requester'].map((v) => ({
              value: v,
              label: t(`assignee.${v}` as MessageKey),
            }))}
          />
        </Form.Item>
        {a.type === 'user' && (
          <Form.Item label={t('assignee.user')}>
            <Select
              mode="multiple"
              data-testid="assignee-users"
              value={(a.value ?? '').split(',').filter(Boolean)}
              onChange={(v: string[]) => set((n) => put(n.assignee, 'value', v.join(',')))}
              optionFilterProp="label"
              options={users.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }))}
            />
          </Form.Item>
        )}
        {a.type === 'group' && (
          <Form.Item label={t('assignee.group')}>
            <Select
              data-testid="assignee-group"
              value={a.value || undefined}
              showSearch
              optionFilterProp="label"
              onChange={(v) => set((n) => put(n.assignee, 'value', v))}
              options={groups.map((g) => ({ value: g.key, label: `${text(g.name)} (${g.key})` }))}
            />
          </Form.Item>
        )}
        {a.type === 'role' && (
          <Form.Item label={t('assignee.role')}>
            <Select
              value={a.value || undefined}
              onChange={(v) => set((n) => put(n.assignee, 'value', v))}
              options={['admin', 'agent', 'manager', 'user'].map((r) => ({
                value: r,
                label: t(`role.${r}` as MessageKey),
              }))}
            />
          </Form.Item>
        )}
        {a.type === 'field' && (
          <Form.Item label={t('assignee.field')}>
            <FieldSelect
              fields={fields}
              value={a.value}
              onChange={(v) => set((n) => put(n.assignee, 'value', v))}
            />
          </Form.Item>
        )}
        {a.type === 'expression' && (
          <Form.Item label={t('assignee.expression')}>
            <ExpressionInput
              fields={fields}
              value={a.value}
              onChange={(v) => set((n) => put(n.assignee, 'value', v), 'assignee-expr')}
            />
          </Form.Item>
        )}
        <Form.Item label={t('process.distribution')}>
          <Select
            allowClear
            value={node.distribution}
            onChange={(v) => set((n) => put(n, 'distribution', v))}
            options={['direct', 'claim', 'roundRobin'].map((v) => ({
              value: v,
              label: t(`distribution.${v}` as MessageKey),
            }))}
          />
        </Form.Item>
        <Form.Item label={t('process.approval')}>
          <Radio.Group
            data-testid="approval-mode"
            value={node.approval?.mode ?? 'single'}
            onChange={(e) => set((n) => (n.approval = { ...n.approval, mode: e.target.value }))}
            optionType="button"
            options={['single', 'all', 'any', 'sequential'].map((m) => ({
              value: m,
              label: t(`approval.${m}` as MessageKey),
            }))}
          />
          {node.approval && node.approval.mode !== 'single' && (
            <Checkbox
              style={{ marginTop: 8 }}
              data-testid="approval-exclude-requester"
              checked={node.approval.excludeRequester === true}
              onChange={(e) =>
                set((n) => {
                  if (n.approval) put(n.approval, 'excludeRequester', e.target.checked || undefined);
                })
              }
            >
              {t('approval.excludeRequester')}
            </Checkbox>
          )}
        </Form.Item>
      </PanelSection>
      <Form.Item label={t('process.dueIn')} help={t('process.durationHelp')}>
        <DurationInput
          value={node.dueIn}
          placeholder="2"
          onChange={(v) => set((n) => put(n, 'dueIn', v), 'dueIn')}
          testId="node-due-in"
        />
      </Form.Item>
      <PanelSection title={t('process.fieldAccess')}>
        {/* What "default" means here, as the engine reads it (runtime engine/field-access.ts). */}
        <Alert
          type={lockedByDefault ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 8 }}
          data-testid="field-access-default"
          title={t(lockedByDefault ? 'process.accessDefaultLocked' : 'process.accessDefaultOpen')}
        />
        <Table
          size="small"
          pagination={false}
          rowKey="key"
          dataSource={fields}
          // Forms of hundreds of fields: render only the rows in view.
          virtual={fields.length > 40}
          scroll={fields.length > 40 ? { y: 480 } : undefined}
          data-testid="field-access"
          columns={[
            { title: t('form.field'), render: (_, f) => text(f.title) },
            {
              title: t('process.access'),
              render: (_, f) => (
                <Select
                  size="small"
                  style={{ width: 96 }}
                  value={accessOf(f.key)}
                  onChange={(v) => setAccess(f.key, v as (typeof ACCESS)[number])}
                  options={ACCESS.map((m) => ({
                    value: m,
                    label: t(
                      m !== 'default'
                        ? (`access.${m}` as MessageKey)
                        : access.editable || lockedByDefault
                          ? 'access.defaultLocked'
                          : 'access.defaultEditable',
                    ),
                  }))}
                />
              ),
            },
            {
              title: t('form.required'),
              render: (_, f) => (
                <Checkbox
                  checked={access.required?.includes(f.key) ?? false}
                  onChange={(e) => setRequired(f.key, e.target.checked)}
                />
              ),
            },
          ]}
        />
      </PanelSection>
    </NodeFrame>
  );
}
