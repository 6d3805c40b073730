import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { inverseOf, RELATION_NAMES, type RecordStatus } from '@opsloom/spec';
import {
  type FieldSchema,
  type FieldUi,
  FieldValue,
  fieldTitle,
  GroupName,
  Person,
} from '@opsloom/web-forms/field-value';
import { formatTime } from '@opsloom/web-forms/format';
import { App, Button, Checkbox, Empty, Input, List, Space, Tag, Timeline, Typography, Upload } from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import {
  type Attachment,
  type Comment,
  get,
  type HistoryEntry,
  HttpError,
  post,
  uploadAttachment,
} from './api.ts';
import { type MessageKey, useT } from './i18n.ts';
import { statusText } from './status.tsx';

/** Reloads when `version` changes: callers bump it after an action. */
function useLoad<T>(path: string, version: number): [T | null, () => void] {
  const [data, setData] = useState<T | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    get<T>(path).then((d) => live && setData(d));
    return () => {
      live = false;
    };
  }, [path, version, tick]);
  return [data, useCallback(() => setTick((x) => x + 1), [])];
}

/** Kinds named by a message of their own (`history.<kind>`); others show as they are. */
const KINDS = new Set([
  'created',
  'field',
  'transition',
  'comment',
  'attachment',
  'link',
  'watcher',
  'task',
  'process',
  'callback',
  'rating',
  'notification',
  'notification_failed',
  'notification_retry',
  'timer',
  'http',
  'rule',
  'rule_failed',
  'rule_skipped',
  'rule_limit',
  'job_failed',
  'job_retry',
  'sla_warning',
  'sla_breach',
  'ola_warning',
  'ola_breach',
  'sla_goal',
  'ci_update',
]);
const TASK_EVENTS = new Set(['created', 'claimed', 'transferred', 'approver_added', 'urged', 'vote']);
const CHANNELS = new Set(['email', 'inapp', 'webhook', 'im']);

const show = (v: unknown) =>
  v === null || v === undefined || v === '' ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** What the timeline needs of the record's form: its statuses and its fields' labels and widgets. */
export interface TimelineForm {
  statuses?: readonly RecordStatus[];
  schema?: { properties?: Record<string, FieldSchema> } | null;
  uiSchema?: FieldUi | null;
  /**
   * Only the fields `schema` has (besides the standard ones) have their changes shown: the
   * requester's page passes the fields its form shows them, so a field hidden from them stays so.
   */
  onlyShown?: boolean;
}

type Translate = ReturnType<typeof useT>;

/** A link's relation in the reader's language; one a process wrote free-form reads as it is. */
export const relationText = (relation: string, t: Translate['t']) =>
  (RELATION_NAMES as readonly string[]).includes(relation)
    ? t(`relation.${relation}` as MessageKey)
    : relation;

const channelText = (d: Record<string, unknown>, t: Translate['t']) =>
  typeof d.channel === 'string' && CHANNELS.has(d.channel)
    ? t(`history.channel.${d.channel}` as MessageKey)
    : show(d.channel ?? '');

const addedOrRemoved = (d: Record<string, unknown>, t: Translate['t']) =>
  t(d.removed !== undefined ? 'history.removed' : 'history.added');

/**
 * One line of what an entry says: steps and actions by the names the process gives them (the
 * history API sends them beside the ids), statuses by the form's names, rules by their names.
 */
function describe(e: HistoryEntry, { t, tx }: Translate, status: (key: unknown) => unknown): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const n = e.names ?? {};
  const step = (name: unknown, id: unknown) => (name ? tx(name) : id ? String(id) : '');
  const channel = () => channelText(d, t);
  switch (e.kind) {
    case 'transition': {
      const action = n.action
        ? tx(n.action)
        : d.action === 'return'
          ? t('history.action.return')
          : show(d.action ?? '');
      const to = step(n.to, d.to);
      const from = [action, step(n.node, d.node)].filter(Boolean).join(' · ');
      return to ? `${from} → ${to}` : from;
    }
    case 'task': {
      const event =
        typeof d.event === 'string' && TASK_EVENTS.has(d.event)
          ? t(`history.task.${d.event}` as MessageKey)
          : show(d.event ?? '');
      return [event, step(n.node, d.node), d.to ?? d.user ?? ''].filter(Boolean).join(' · ');
    }
    case 'process':
      return step(n.process, d.started ?? d.ended) + (d.outcome ? ` (${status(d.outcome)})` : '');
    case 'rating':
      return `${d.attitude}/${d.speed}/${d.quality}`;
    case 'link': {
      // The record a link was added on names it as stored; the other end reads it the other way.
      const relation = typeof d.relation === 'string' ? d.relation : '';
      const named = relationText(d.incoming ? inverseOf(relation) : relation, t);
      return [addedOrRemoved(d, t), named, show(d.added ?? d.removed)].join(' ');
    }
    case 'watcher':
    case 'attachment':
      return `${addedOrRemoved(d, t)} ${show(d.added ?? d.removed)}`;
    case 'comment':
      return typeof d.excerpt === 'string' ? d.excerpt.slice(0, 80) : '';
    case 'callback':
      return [d.name, d.item, d.result].filter((x) => x !== null && x !== undefined && x !== '').join(' · ');
    case 'http':
      return `${show(d.method)} ${show(d.url)} → ${show(d.status)}`;
    case 'ci_update':
      return show(d.ci);
    case 'sla_goal':
      return `${step(d.metricName, d.metric)}: ${step(d.fromName, d.from)} → ${step(d.toName, d.to)}`;
    case 'notification_failed':
      return [channel(), d.to ? `→ ${d.to}` : '', d.error ? `: ${d.error}` : ''].join(' ').trim();
    case 'notification_retry':
      return [channel(), d.to ? `→ ${d.to}` : ''].join(' ').trim();
    case 'rule':
    case 'rule_failed':
    case 'rule_skipped':
      return [step(n.rule, d.rule), d.error ? `: ${d.error}` : ''].join('');
    default:
      return step(n.node, d.node);
  }
}

/**
 * A notification entry: its channel, who got it (people by name, addresses as they are) and why
 * anyone was left out.
 */
function NotificationSummary({ detail }: { detail: Record<string, unknown> }) {
  const { t } = useT();
  const people = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const to = people(detail.recipients);
  const withoutEmail = people(detail.withoutEmail);
  const list = (names: string[], asPeople: boolean) =>
    names.map((name, i) => (
      <span key={name}>
        {i > 0 && ', '}
        {asPeople ? <Person username={name} /> : name}
      </span>
    ));
  return (
    <>
      {channelText(detail, t)}
      {to.length > 0 && <> → {list(to, detail.channel === 'inapp')}</>}
      {withoutEmail.length > 0 && (
        <>
          {' '}
          · {list(withoutEmail, true)}: {t('history.withoutEmail')}
        </>
      )}
      {detail.delivered === false && <> · {t('history.invalidUrl')}</>}
      {detail.messages === 0 && !to.length && !withoutEmail.length && <> · {t('history.nobody')}</>}
    </>
  );
}

/** Who did it: a person by name, a rule by its name, the runtime's own work as "system". */
function Actor({ entry }: { entry: HistoryEntry }) {
  const { t, tx } = useT();
  const { actor } = entry;
  if (!actor.includes(':')) return <Person username={actor} />;
  if (actor.startsWith('rule:') && entry.names?.rule)
    return <span title={actor}>{t('history.byRule', { name: tx(entry.names.rule) })}</span>;
  if (actor.startsWith('system:')) return <span title={actor}>{t('history.bySystem')}</span>;
  return <span>{actor}</span>;
}

/** Standard fields' labels; a form field is named by its form. */
const STANDARD_FIELDS: Record<string, MessageKey> = {
  status: 'list.status',
  title: 'list.title',
  priority: 'list.priority',
  assignee: 'list.assignee',
  requester: 'list.requester',
  group: 'list.group',
};

/** One value of a change as its field shows it: people and groups by name, choices by label. */
function ChangedValue({ field, value, form }: { field: string; value: unknown; form?: TimelineForm | null }) {
  const { tx } = useT();
  if (value === null || value === undefined || value === '')
    return <Typography.Text type="secondary">∅</Typography.Text>;
  if (field === 'status') return <span>{show(statusText(form?.statuses, value, tx))}</span>;
  if ((field === 'assignee' || field === 'requester') && typeof value === 'string')
    return <Person username={value} />;
  if (field === 'group' && typeof value === 'string') return <GroupName groupKey={value} />;
  const schema = form?.schema?.properties?.[field];
  if (!schema) return <span>{show(value)}</span>;
  return <InlineValue value={value} schema={schema} ui={form?.uiSchema?.[field]} />;
}

const asObject = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A value inline in a change line, by its field's (or column's) widget, cut to a few lines. */
function InlineValue({ value, schema, ui }: { value: unknown; schema: FieldSchema; ui?: unknown }) {
  if (value === null || value === undefined || value === '')
    return <Typography.Text type="secondary">∅</Typography.Text>;
  return (
    // A long text is cut to a few lines: the record itself shows it whole.
    <div style={{ display: 'inline-block', maxHeight: '4.5em', overflow: 'hidden', verticalAlign: 'top' }}>
      <FieldValue value={value} schema={schema} ui={asObject(ui) as FieldUi} />
    </div>
  );
}

/**
 * A change of a table field (a list of objects) as the rows it added or removed and the cells it
 * changed ("order-service · CI/CD status: Not released → Merge request open"), rows named by
 * their first required text column.
 */
function TableChange({
  from,
  to,
  schema,
  ui,
}: {
  from: unknown;
  to: unknown;
  schema: FieldSchema;
  ui?: unknown;
}) {
  const { t, tx } = useT();
  const items = asObject(schema.items);
  const columns = asObject(items.properties) as Record<string, FieldSchema>;
  const columnUi = asObject(asObject(ui).items);
  const required = Array.isArray(items.required) ? (items.required as string[]) : [];
  const keyColumn = required.find((k) => columns[k]?.type === 'string');
  const rowsOf = (v: unknown) => {
    const list = Array.isArray(v) ? v.map(asObject) : [];
    return new Map(
      list.map((row, i) => [
        keyColumn && typeof row[keyColumn] === 'string' ? (row[keyColumn] as string) : `#${i + 1}`,
        row,
      ]),
    );
  };
  const before = rowsOf(from);
  const after = rowsOf(to);
  const lines: ReactNode[] = [];
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const was = before.get(key);
    const now = after.get(key);
    if (!was || !now) {
      lines.push(
        <div key={key} data-row={key}>
          {key}{' '}
          <Typography.Text type="secondary">
            {t(was ? 'history.rowRemoved' : 'history.rowAdded')}
          </Typography.Text>
        </div>,
      );
      continue;
    }
    for (const [column, columnSchema] of Object.entries(columns)) {
      if (JSON.stringify(was[column] ?? null) === JSON.stringify(now[column] ?? null)) continue;
      lines.push(
        <div
          key={`${key}/${column}`}
          data-row={key}
          style={{ display: 'flex', gap: 6, alignItems: 'baseline' }}
        >
          <span style={{ flex: 'none' }}>
            {key} · {fieldTitle(columnSchema, column, tx)}:
          </span>
          <InlineValue value={was[column]} schema={columnSchema} ui={columnUi[column]} />
          <span>→</span>
          <InlineValue value={now[column]} schema={columnSchema} ui={columnUi[column]} />
        </div>,
      );
    }
  }
  return <div>{lines}</div>;
}

/** "Label: from → to" for each field one person changed at one moment. */
function FieldChanges({ changes, form }: { changes: HistoryEntry[]; form?: TimelineForm | null }) {
  const { t, tx } = useT();
  const label = (field: string) => {
    const schema = form?.schema?.properties?.[field];
    if (schema) return fieldTitle(schema, field, tx);
    const std = STANDARD_FIELDS[field];
    return std ? t(std) : field;
  };
  return (
    <div data-testid="history-changes" style={{ fontSize: 13 }}>
      {changes.map((c) => {
        const field = c.field ?? '';
        const schema = form?.schema?.properties?.[field];
        const table = schema?.type === 'array' && asObject(schema.items).type === 'object';
        return (
          <div
            key={c.id}
            data-field={field}
            style={{ display: 'flex', gap: 6, alignItems: 'baseline', flexWrap: table ? 'wrap' : undefined }}
          >
            <Typography.Text type="secondary" style={{ flex: 'none' }}>
              {label(field)}:
            </Typography.Text>
            {table && schema ? (
              <TableChange from={c.from} to={c.to} schema={schema} ui={form?.uiSchema?.[field]} />
            ) : (
              <>
                <ChangedValue field={field} value={c.from} form={form} />
                <span>→</span>
                <ChangedValue field={field} value={c.to} form={form} />
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** An entry of the timeline and the field changes that came with it. */
interface Row {
  entry: HistoryEntry;
  changes: HistoryEntry[];
}

/** Kinds whose moment a field change of the same person may belong to. */
const CHANGE_HOSTS = new Set(['created', 'field', 'transition']);

/**
 * Field changes one person made at one moment (a save, an action, a step the process reached)
 * read as one event: a status change joins the action that made it; other fields join the
 * action, status change, save or creation just before them, or open a "changed" entry of their
 * own. A requester's timeline leaves out the tasks each step opens: the step says it already.
 */
function rows(items: HistoryEntry[], form?: TimelineForm | null): Row[] {
  const out: Row[] = [];
  const requester = form?.onlyShown === true;
  const hidden = (field: string) =>
    requester && !(field in STANDARD_FIELDS) && !form?.schema?.properties?.[field];
  for (const e of items) {
    const last = out.at(-1);
    const sameMoment = last !== undefined && last.entry.actor === e.actor && e.at - last.entry.at < 1000;
    if (e.kind === 'field' && e.field === 'status') {
      if (sameMoment && last.entry.kind === 'transition') last.changes.push(e);
      else out.push({ entry: e, changes: [] });
      continue;
    }
    if (e.kind === 'field') {
      if (hidden(e.field ?? '')) continue;
      if (sameMoment && CHANGE_HOSTS.has(last.entry.kind)) last.changes.push(e);
      else out.push({ entry: e, changes: [e] });
      continue;
    }
    if (requester && e.kind === 'task' && (e.detail as { event?: string } | null)?.event === 'created')
      continue;
    out.push({ entry: e, changes: [] });
  }
  return out;
}

/** What happened to a record, newest last: created, field changes, transitions, votes, comments… */
export function RecordTimeline({
  recordId,
  version,
  form,
}: {
  recordId: number;
  version: number;
  /** The record type's form (GET /forms/:key), to name statuses and fields and show their values. */
  form?: TimelineForm | null;
}) {
  const i18n = useT();
  const { t, tx, locale } = i18n;
  const [data] = useLoad<{ items: HistoryEntry[] }>(`/records/${recordId}/history`, version);
  if (!data) return null;
  const kindText = (e: HistoryEntry) =>
    e.kind === 'field' && e.field === 'status'
      ? t('history.status')
      : KINDS.has(e.kind)
        ? t(`history.${e.kind}` as MessageKey)
        : e.kind;
  return (
    <Timeline
      data-testid="timeline"
      items={rows(data.items, form).map(({ entry: e, changes }) => ({
        key: e.id,
        color: e.kind === 'transition' ? 'green' : e.kind === 'task' ? 'blue' : 'gray',
        children: (
          <div data-kind={e.kind}>
            <Typography.Text strong>{kindText(e)}</Typography.Text>{' '}
            {!(e.kind === 'field' && e.field !== 'status') && (
              <Typography.Text type="secondary">
                {e.kind === 'field' ? (
                  `${show(statusText(form?.statuses, e.from, tx))} → ${show(statusText(form?.statuses, e.to, tx))}`
                ) : e.kind === 'notification' ? (
                  <NotificationSummary detail={(e.detail ?? {}) as Record<string, unknown>} />
                ) : (
                  describe(e, i18n, (key) => statusText(form?.statuses, key, tx))
                )}
              </Typography.Text>
            )}
            {changes.length > 0 && <FieldChanges changes={changes} form={form} />}
            <div style={{ fontSize: 12, color: '#999' }}>
              <Actor entry={e} /> · {formatTime(e.at, locale)}
            </div>
          </div>
        ),
      }))}
    />
  );
}

/** Comments both ways; staff may write internal notes that requesters never see. */
export function RecordComments(props: {
  recordId: number;
  version: number;
  staff: boolean;
  onChange?(): void;
}) {
  const { t, locale } = useT();
  const { message } = App.useApp();
  const [data, reload] = useLoad<{ items: Comment[] }>(`/records/${props.recordId}/comments`, props.version);
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  async function send() {
    if (!body.trim()) return;
    setBusy(true);
    try {
      await post(`/records/${props.recordId}/comments`, {
        body,
        visibility: internal ? 'internal' : 'public',
      });
      setBody('');
      reload();
      props.onChange?.();
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div data-testid="comments">
      <List
        locale={{
          emptyText: <Empty description={t('comments.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} />,
        }}
        dataSource={data?.items ?? []}
        renderItem={(c) => (
          <List.Item>
            <List.Item.Meta
              title={
                <Space>
                  <Person username={c.author} />
                  {c.visibility === 'internal' && <Tag color="orange">{t('comments.internal')}</Tag>}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatTime(c.createdAt, locale)}
                  </Typography.Text>
                </Space>
              }
              description={<span style={{ whiteSpace: 'pre-wrap', color: 'inherit' }}>{c.body}</span>}
            />
          </List.Item>
        )}
      />
      <Input.TextArea
        rows={2}
        value={body}
        placeholder={t('comments.placeholder')}
        onChange={(e) => setBody(e.target.value)}
        data-testid="comment-input"
      />
      <Space style={{ marginTop: 8 }}>
        <Button
          type="primary"
          loading={busy}
          onClick={send}
          disabled={!body.trim()}
          data-testid="comment-send"
        >
          {t('comments.send')}
        </Button>
        {props.staff && (
          <Checkbox checked={internal} onChange={(e) => setInternal(e.target.checked)}>
            {t('comments.internalToggle')}
          </Checkbox>
        )}
      </Space>
    </div>
  );
}

/** Lists a record's files and uploads more (size and type limits are the server's). */
export function RecordAttachments(props: { recordId: number; version: number; canUpload: boolean }) {
  const { t, locale } = useT();
  const { message } = App.useApp();
  const [data, reload] = useLoad<{ items: Attachment[] }>(
    `/records/${props.recordId}/attachments`,
    props.version,
  );
  return (
    <div data-testid="attachments">
      <List
        size="small"
        locale={{ emptyText: t('attachments.none') }}
        dataSource={data?.items ?? []}
        renderItem={(a) => (
          <List.Item>
            <Space>
              <PaperClipOutlined />
              <a href={a.url} target="_blank" rel="noreferrer">
                {a.filename}
              </a>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {Math.ceil(a.size / 1024)} KB · {a.uploadedBy} · {formatTime(a.createdAt, locale)}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      {props.canUpload && (
        <Upload
          showUploadList={false}
          customRequest={async ({ file, onSuccess, onError }) => {
            try {
              const res = await uploadAttachment(props.recordId, file as File);
              onSuccess?.(res);
              message.success(t('attachments.uploaded'));
              reload();
            } catch (err) {
              message.error(err instanceof HttpError ? err.message : String(err));
              onError?.(err as Error);
            }
          }}
        >
          <Button icon={<UploadOutlined />} size="small">
            {t('attachments.upload')}
          </Button>
        </Upload>
      )}
    </div>
  );
}
