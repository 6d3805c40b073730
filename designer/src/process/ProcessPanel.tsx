import type { ProcessDefinition, ProcessEdge, ProcessNode } from '@opsloom/spec';
import {
  Alert,
  AutoComplete,
  Button,
  Checkbox,
  Divider,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Table,
  Typography,
} from 'antd';
import type { Draft } from 'immer';
import { useRef } from 'react';
import { ExpressionInput, I18nInput, JsonInput, KeyValueRows } from '../components/inputs.tsx';
import { problemIndex } from '../components/problems.ts';
import { type MessageKey, useLocale, useT, useText } from '../i18n.ts';
import { type FieldInfo, useDefinitions, useFormInfo, useGroups, useUsers } from '../lookups.ts';
import { useEditor } from '../store/editor.ts';

const proc = (d: unknown) => d as ProcessDefinition;
type AnyNode = Record<string, unknown> & ProcessNode;

function updateNode(id: string, recipe: (n: Draft<AnyNode>) => void, coalesce?: string) {
  useEditor.getState().update((d) => {
    const n = proc(d).nodes.find((x) => x.id === id);
    if (n) recipe(n as Draft<AnyNode>);
  }, coalesce && `node:${id}:${coalesce}`);
}
function updateEdge(id: string, recipe: (e: Draft<ProcessEdge>) => void, coalesce?: string) {
  useEditor.getState().update((d) => {
    const e = proc(d).edges.find((x) => x.id === id);
    if (e) recipe(e as Draft<ProcessEdge>);
  }, coalesce && `edge:${id}:${coalesce}`);
}
/** Sets `obj[key]`, deleting it when the value is empty. */
function put<T extends object>(obj: T, key: string, value: unknown) {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    delete (obj as Record<string, unknown>)[key];
  else (obj as Record<string, unknown>)[key] = value;
}

/**
 * One editor change that `put`s `value` at `key` of the node (`'node'`) or of the node's own object
 * named after its type (a timer node's `timer`, a callback node's `callback`), the latter only while
 * the node has that type. `coalesce` merges successive changes into one undo step, as typing does.
 */
function putNodeValue(
  id: string,
  where: 'node' | 'timer' | 'callback',
  key: string,
  value: unknown,
  coalesce?: string,
) {
  updateNode(
    id,
    (n) => {
      if (where === 'node') put(n, key, value);
      else if (n.type === where) put((n as unknown as Record<typeof where, object>)[where], key, value);
    },
    coalesce,
  );
}

/** Same node but for its position (immer keeps unchanged properties the same objects). */
function movedOnly(a: ProcessNode, b: ProcessNode): boolean {
  if (a.id !== b.id) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => k === 'position' || ra[k] === rb[k]);
}

/**
 * The selected node, ignoring moves: dragging it changes its position on every pointer move,
 * and the panel (a row per form field) has nothing to show for that.
 */
function useSelectedNode(): ProcessNode | undefined {
  const last = useRef<ProcessNode | undefined>(undefined);
  return useEditor((s) => {
    const node = proc(s.def).nodes.find((n) => n.id === s.selection.nodeId);
    const prev = last.current;
    if (node && prev && node !== prev && movedOnly(node, prev)) return prev;
    last.current = node;
    return node;
  });
}

export function ProcessPanel() {
  const selection = useEditor((s) => s.selection);
  const node = useSelectedNode();
  const edge = useEditor((s) => proc(s.def).edges.find((e) => e.id === s.selection.edgeId));
  const formKey = useEditor((s) => proc(s.def).form);
  const { fields, statuses } = useFormInfo(formKey);
  return (
    <div style={{ padding: 12 }} data-testid="property-panel">
      <Problems nodeId={selection.nodeId} edgeId={selection.edgeId} />
      {node ? (
        <NodePanel key={node.id} node={node as AnyNode} fields={fields} statuses={statuses} />
      ) : edge ? (
        <EdgePanel key={edge.id} edge={edge} fields={fields} />
      ) : (
        <ProcessProps />
      )}
    </div>
  );
}

function Problems({ nodeId, edgeId }: { nodeId?: string; edgeId?: string }) {
  const locale = useLocale((s) => s.locale);
  const problems = useEditor((s) => s.problems);
  const server = useEditor((s) => s.serverProblems);
  const mine = [...server, ...problems].filter(
    (p) => (nodeId && p.nodeId === nodeId) || (edgeId && p.edgeId === edgeId),
  );
  if (!mine.length) return null;
  return (
    <Alert
      type="error"
      style={{ marginBottom: 12 }}
      data-testid="panel-problems"
      title={
        <ul style={{ margin: 0, paddingLeft: 16 }}>
          {mine.map((p) => (
            <li key={`${p.code}${p.path}${p.message.en}`}>{p.message[locale]}</li>
          ))}
        </ul>
      }
    />
  );
}

function ProcessProps() {
  const t = useT();
  const text = useText();
  const name = useEditor((s) => s.def?.name);
  const description = useEditor((s) => s.def?.description);
  const form = useEditor((s) => proc(s.def).form);
  const forms = useDefinitions().filter((d) => d.kind === 'form');
  const count = useEditor((s) => proc(s.def).nodes.length);
  const invalid = useEditor((s) => problemIndex(s.problems).nodes.size);
  return (
    <Form layout="vertical" size="small">
      <Typography.Title level={5}>{t('process.properties')}</Typography.Title>
      <Typography.Paragraph type="secondary">
        {t('process.selectHint', { n: count, bad: invalid })}
      </Typography.Paragraph>
      <Form.Item label={t('common.name')}>
        <I18nInput
          value={name}
          onChange={(v) => useEditor.getState().update((d) => put(d, 'name', v ?? ''), 'name')}
          testId="process-name"
        />
      </Form.Item>
      <Form.Item label={t('common.description')}>
        <I18nInput
          multiline
          value={description}
          onChange={(v) => useEditor.getState().update((d) => put(d, 'description', v), 'description')}
        />
      </Form.Item>
      <Form.Item label={t('process.form')}>
        <Select
          value={form}
          showSearch
          optionFilterProp="label"
          onChange={(v) => useEditor.getState().update((d) => put(d, 'form', v))}
          options={forms.map((f) => ({ value: f.key, label: `${text(f.name)} (${f.key})` }))}
        />
      </Form.Item>
    </Form>
  );
}

function NodePanel({
  node,
  fields,
  statuses,
}: {
  node: AnyNode;
  fields: FieldInfo[];
  statuses: { key: string; name: unknown }[];
}) {
  const t = useT();
  const text = useText();
  const id = node.id;
  return (
    <Form layout="vertical" size="small" data-testid={`node-panel-${id}`}>
      <Typography.Title level={5}>
        {t(`node.${node.type}` as MessageKey)} <Typography.Text code>{id}</Typography.Text>
      </Typography.Title>
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
      {node.type === 'end' && (
        <Form.Item label={t('process.outcome')}>
          <Select
            allowClear
            value={node.outcome}
            onChange={(v) => putNodeValue(id, 'node', 'outcome', v)}
            options={['resolved', 'closed', 'cancelled', 'rejected', 'done'].map((o) => ({
              value: o,
              label: t(`outcome.${o}` as MessageKey),
            }))}
          />
        </Form.Item>
      )}
      {node.type === 'userTask' && <UserTaskProps node={node} fields={fields} />}
      {node.type === 'timer' && (
        <>
          <Form.Item label={t('process.timerDelay')} help={t('process.durationHelp')}>
            <Input
              value={node.timer.delay ?? ''}
              placeholder="PT4H"
              onChange={(e) => putNodeValue(id, 'timer', 'delay', e.target.value, 'delay')}
            />
          </Form.Item>
          <Form.Item label={t('process.timerUntil')}>
            <ExpressionInput
              fields={fields}
              placeholder="record.plannedStart"
              value={node.timer.until}
              onChange={(v) => putNodeValue(id, 'timer', 'until', v, 'until')}
            />
          </Form.Item>
        </>
      )}
      {node.type === 'callback' && (
        <>
          <Form.Item label={t('process.callbackName')} help={t('process.callbackHelp')}>
            <Input
              value={node.callback.name}
              onChange={(e) =>
                updateNode(
                  id,
                  (n) => {
                    if (n.type === 'callback') n.callback.name = e.target.value;
                  },
                  'cbname',
                )
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
        </>
      )}
      {node.type === 'serviceTask' && <ServiceTaskProps node={node} fields={fields} />}
      {node.type === 'notify' && <NotifyProps node={node} />}
      {node.type === 'subProcess' && <SubProcessProps node={node} />}
      <Divider />
      <Button
        danger
        block
        onClick={() => {
          useEditor.getState().update((d) => {
            const p = proc(d);
            p.nodes = p.nodes.filter((n) => n.id !== id);
            p.edges = p.edges.filter((e) => e.source !== id && e.target !== id);
          });
          useEditor.getState().select({});
        }}
        data-testid="delete-node"
      >
        {t('common.delete')}
      </Button>
    </Form>
  );
}

function FieldSelect({
  fields,
  value,
  onChange,
  multiple,
}: {
  fields: FieldInfo[];
  value: string | string[] | undefined;
  onChange: (v: string | string[] | undefined) => void;
  multiple?: boolean;
}) {
  const text = useText();
  return (
    <Select
      allowClear
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={onChange}
      showSearch
      optionFilterProp="label"
      options={fields.map((f) => ({ value: f.key, label: `${text(f.title)} (${f.key})` }))}
    />
  );
}

const ACCESS = ['default', 'editable', 'readonly', 'hidden'] as const;

function UserTaskProps({ node, fields }: { node: AnyNode & { type: 'userTask' }; fields: FieldInfo[] }) {
  const t = useT();
  const text = useText();
  const users = useUsers();
  const groups = useGroups();
  const id = node.id;
  const a = node.assignee;
  const set = (recipe: (n: Draft<AnyNode & { type: 'userTask' }>) => void, c?: string) =>
    updateNode(id, (n) => recipe(n as Draft<AnyNode & { type: 'userTask' }>), c);
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
    <>
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
      <Divider titlePlacement="start" plain>
        {t('process.assignee')}
      </Divider>
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
      <Form.Item label={t('process.dueIn')} help={t('process.durationHelp')}>
        <Input
          value={node.dueIn ?? ''}
          placeholder="P2D"
          onChange={(e) => set((n) => put(n, 'dueIn', e.target.value), 'dueIn')}
        />
      </Form.Item>
      <Divider titlePlacement="start" plain>
        {t('process.fieldAccess')}
      </Divider>
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
    </>
  );
}

function ServiceTaskProps({
  node,
  fields,
}: {
  node: AnyNode & { type: 'serviceTask' };
  fields: FieldInfo[];
}) {
  const t = useT();
  const text = useText();
  const forms = useDefinitions().filter((d) => d.kind === 'form');
  const id = node.id;
  const action = node.action as Record<string, unknown> & { type: string };
  const setAction = (recipe: (a: Record<string, unknown>) => void, c?: string) =>
    updateNode(
      id,
      (n) => recipe((n as Draft<AnyNode & { type: 'serviceTask' }>).action as Record<string, unknown>),
      c,
    );
  const fieldOptions = fields.map((f) => ({ value: f.key, label: `${text(f.title)} (${f.key})` }));
  return (
    <>
      <Form.Item label={t('process.actionType')}>
        <Select
          value={action.type}
          onChange={(v) =>
            updateNode(id, (n) => {
              const s = n as Draft<AnyNode & { type: 'serviceTask' }>;
              s.action =
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
    </>
  );
}

function NotifyProps({ node }: { node: AnyNode & { type: 'notify' } }) {
  const t = useT();
  const id = node.id;
  const nf = node.notify;
  const set = (recipe: (n: Draft<typeof nf>) => void, c?: string) =>
    updateNode(id, (n) => recipe((n as Draft<AnyNode & { type: 'notify' }>).notify), c);
  return (
    <>
      <Form.Item label={t('notify.channel')}>
        <Select
          value={nf.channel}
          onChange={(v) => set((n) => (n.channel = v))}
          options={['email', 'webhook', 'inapp', 'im'].map((c) => ({
            value: c,
            label: t(`channel.${c}` as MessageKey),
          }))}
        />
      </Form.Item>
      {(nf.channel === 'webhook' || nf.channel === 'im') && (
        <Form.Item label="URL">
          <Input value={nf.url ?? ''} onChange={(e) => set((n) => put(n, 'url', e.target.value), 'url')} />
        </Form.Item>
      )}
      {(nf.channel === 'email' || nf.channel === 'inapp') && (
        <Form.Item label={t('notify.recipients')}>
          <Select
            mode="tags"
            value={(nf.recipients ?? []).map((r) => (r.value ? `${r.type}:${r.value}` : r.type))}
            onChange={(v: string[]) =>
              set((n) =>
                put(
                  n,
                  'recipients',
                  v.map((s) => {
                    const [type, ...rest] = s.split(':');
                    return rest.length ? { type, value: rest.join(':') } : { type };
                  }),
                ),
              )
            }
            options={[
              'requester',
              'assignee',
              'watchers',
              'group:',
              'role:',
              'user:',
              'field:',
              'address:',
            ].map((r) => ({
              value: r.replace(/:$/, ''),
              label: r,
            }))}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('notify.recipientsHelp')}
          </Typography.Text>
        </Form.Item>
      )}
      <Form.Item label={t('notify.subject')}>
        <I18nInput
          value={nf.template.subject}
          onChange={(v) => set((n) => put(n.template, 'subject', v), 'subject')}
        />
      </Form.Item>
      <Form.Item label={t('notify.body')}>
        <I18nInput
          multiline
          value={nf.template.body}
          onChange={(v) => set((n) => (n.template.body = v ?? ''), 'body')}
        />
      </Form.Item>
    </>
  );
}

function SubProcessProps({ node }: { node: AnyNode & { type: 'subProcess' } }) {
  const t = useT();
  const text = useText();
  const processes = useDefinitions().filter((d) => d.kind === 'process');
  return (
    <Form.Item label={t('process.subProcess')}>
      <Select
        value={node.process}
        showSearch
        optionFilterProp="label"
        onChange={(v) => updateNode(node.id, (n) => ((n as { process: string }).process = v))}
        options={processes.map((p) => ({ value: p.key, label: `${text(p.name)} (${p.key})` }))}
      />
    </Form.Item>
  );
}

function EdgePanel({ edge, fields }: { edge: ProcessEdge; fields: FieldInfo[] }) {
  const t = useT();
  const id = edge.id;
  const sourceType = useEditor((s) => proc(s.def).nodes.find((n) => n.id === edge.source)?.type);
  const action = edge.action;
  return (
    <Form layout="vertical" size="small" data-testid={`edge-panel-${id}`}>
      <Typography.Title level={5}>
        {t('process.edge')} <Typography.Text code>{id}</Typography.Text>
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {edge.source} → {edge.target}
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
        <ExpressionInput
          fields={fields}
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
      <Form.Item label={t('edge.set')} help={t('service.valuesHelp')}>
        <KeyValueRows
          keyOptions={fields.map((f) => ({ value: f.key, label: f.key }))}
          value={edge.set}
          valuePlaceholder="true"
          onChange={(v) => updateEdge(id, (ed) => put(ed, 'set', v), 'set')}
        />
      </Form.Item>
      <Divider />
      <Button
        danger
        block
        onClick={() => {
          useEditor.getState().update((d) => {
            proc(d).edges = proc(d).edges.filter((e) => e.id !== id);
          });
          useEditor.getState().select({});
        }}
      >
        {t('common.delete')}
      </Button>
    </Form>
  );
}
