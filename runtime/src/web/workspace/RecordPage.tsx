import { DeleteOutlined } from '@ant-design/icons';
import { RELATION_NAMES, type RecordStatus } from '@opsloom/spec';
import { FieldValueContext, GroupName, Person } from '@opsloom/web-forms/field-value';
import { Form } from '@opsloom/web-forms/form';
import { formatTime } from '@opsloom/web-forms/format';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Input,
  List,
  Modal,
  Popconfirm,
  Row,
  Select,
  Skeleton,
  Space,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { RecordAttachments, RecordComments } from '../shared/activity.tsx';
import {
  api,
  get,
  HttpError,
  type OpenTask,
  type Problem,
  patch,
  post,
  type RecordView,
  type User,
} from '../shared/api.ts';
import { effectiveForm, type FormRule, problemsToErrors, stepAccess } from '../shared/form-rules.ts';
import { useT } from '../shared/i18n.ts';
import { StatusTag } from '../shared/status.tsx';
import { errorText, RecordUnavailable, TaskActions, TaskInstructions } from '../shared/TaskActions.tsx';
import { RecordTimeline, relationText } from '../shared/timeline.tsx';
import { Countdown } from './Countdown.tsx';
import { SlaPanel } from './SlaPanel.tsx';
import { UserSelect } from './UserSelect.tsx';

interface PublishedForm {
  schema: { type: 'object'; properties: Record<string, Record<string, unknown>>; required?: string[] };
  uiSchema: Record<string, unknown>;
  rules: FormRule[];
  statuses: RecordStatus[];
}

interface LinkRow {
  id: number;
  relation: string;
  direction: string;
  record: { id: number; number: string; title: string; status: string } | null;
  ci: string | null;
}

const recordHref = (other: number) => `/workspace/records/${other}`;

/** Changed values only: what the action or the save sends. */
function changes(before: Record<string, unknown>, after: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) if (JSON.stringify(v) !== JSON.stringify(before[k])) out[k] = v;
  return out;
}

/**
 * One record for an agent: its fields as the current step allows, the step's buttons, claim /
 * transfer / add approver / return / urge, timeline, public and internal comments, files, SLA
 * metrics, links and related CIs, watchers.
 */
export default function RecordPage({ id, user }: { id: number; user: User }) {
  const { t, tx, locale } = useT();
  const { message } = App.useApp();
  const [rec, setRec] = useState<RecordView | null>(null);
  // Why the record could not be read (shown in the reader's language when rendered).
  const [failure, setFailure] = useState<unknown>(null);
  const [tasks, setTasks] = useState<OpenTask[]>([]);
  const [form, setForm] = useState<PublishedForm | null>(null);
  const [data, setData] = useState<Record<string, unknown>>({});
  const [version, setVersion] = useState(0);
  // What the server refused of the last save or action, shown at the fields until they change.
  const [problems, setProblems] = useState<Problem[]>([]);
  const reload = useCallback(() => {
    setProblems([]);
    setVersion((v) => v + 1);
  }, []);
  const refused = useCallback((err: unknown) => {
    if (err instanceof HttpError && err.details?.problems?.length) setProblems(err.details.problems);
  }, []);
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    get<RecordView>(`/records/${id}`).then(
      (r) => {
        setFailure(null);
        setRec(r);
        setData(r.data);
        get<PublishedForm>(`/forms/${r.type}`).then(setForm, () => setForm(null));
      },
      (err) => setFailure(err ?? 'error'),
    );
    // Asked beside the record; a record that cannot be read has none to show.
    get<{ items: OpenTask[] }>(`/records/${id}/tasks`).then(
      (x) => setTasks(x.items),
      () => setTasks([]),
    );
  }, [id, version]);

  const acting = tasks.find((x) => x.can.act);
  const rendered = useMemo(
    () =>
      form && rec
        ? effectiveForm(form.schema, form.uiSchema, form.rules, data, locale, {
            status: rec.status,
            // Acting, the task's own step decides; otherwise what the step lets an edit change,
            // as the server checks it.
            access: acting?.fieldAccess ?? (rec.closedAt !== null ? { editable: [] } : stepAccess(tasks)),
          })
        : null,
    [form, rec, data, locale, acting, tasks],
  );
  const fieldErrors = useMemo(() => {
    const fields = new Set(Object.keys(rendered?.schema.properties ?? {}));
    const shown = problems.filter((p) => fields.has(p.path.split('/')[1] ?? ''));
    return shown.length ? problemsToErrors(shown, locale) : undefined;
  }, [problems, rendered, locale]);

  if (failure) return <RecordUnavailable error={failure} />;
  if (!rec) return <Skeleton active />;

  async function save() {
    if (!rec) return;
    try {
      await patch(`/records/${id}`, { version: rec.version, data: changes(rec.data, dataRef.current) });
      message.success(t('record.saved'));
      reload();
    } catch (err) {
      refused(err);
      message.error(errorText(err, locale));
    }
  }

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="record-page">
      <Card>
        <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {rec.number} · {rec.title}
          </Typography.Title>
          <Space>
            <StatusTag {...rec} testId="record-status" />
            {rec.priority && <Tag color="volcano">{rec.priority}</Tag>}
          </Space>
        </Space>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }} style={{ marginTop: 12 }}>
          <Descriptions.Item label={t('list.requester')}>
            {rec.requester ? <Person username={rec.requester} /> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('list.assignee')}>
            {rec.assignee ? <Person username={rec.assignee} /> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('list.group')}>
            {rec.group ? <GroupName groupKey={rec.group} /> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('list.created')}>{formatTime(rec.createdAt, locale)}</Descriptions.Item>
          {rec.catalogItem && (
            <Descriptions.Item label={t('list.catalogItem')}>
              <span data-testid="record-item">
                {rec.catalogItem.name ? tx(rec.catalogItem.name) : rec.catalogItem.ref}
              </span>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Failures recordId={id} version={version} admin={user.roles.includes('admin')} onRetried={reload} />
      {tasks.map((task) => (
        <TaskCard
          key={task.id}
          task={task}
          user={user}
          recordVersion={rec.version}
          record={rec}
          since={rec.updatedAt}
          data={() => changes(rec.data, dataRef.current)}
          onDone={reload}
          onRefused={refused}
        />
      ))}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card
            title={t('request.details')}
            extra={
              rec.closedAt === null && (
                <Button size="small" onClick={save} disabled={!Object.keys(changes(rec.data, data)).length}>
                  {t('record.save')}
                </Button>
              )
            }
          >
            {rendered && (
              // Read-only fields show their values as the portal does, with links to this app's records.
              <FieldValueContext.Provider value={{ recordId: id, version, recordHref }}>
                <Form
                  schema={rendered.schema as never}
                  uiSchema={{ ...rendered.uiSchema, 'ui:submitButtonOptions': { norender: true } }}
                  formData={data}
                  extraErrors={fieldErrors as never}
                  onChange={(e) => {
                    setData(e.formData ?? {});
                    if (problems.length) setProblems([]);
                  }}
                />
              </FieldValueContext.Provider>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card>
            <Tabs
              items={[
                {
                  key: 'timeline',
                  label: t('request.timeline'),
                  children: <RecordTimeline recordId={id} version={version} form={form} />,
                },
                {
                  key: 'comments',
                  label: t('request.comments'),
                  children: <RecordComments recordId={id} version={version} staff onChange={reload} />,
                },
                {
                  key: 'files',
                  label: t('request.attachments'),
                  children: <RecordAttachments recordId={id} version={version} canUpload />,
                },
                {
                  key: 'sla',
                  label: t('record.sla'),
                  children: <SlaPanel recordId={id} version={version} />,
                },
                {
                  key: 'links',
                  label: t('record.links'),
                  children: <Links recordId={id} version={version} />,
                },
                {
                  key: 'watchers',
                  label: t('record.watchers'),
                  children: <Watchers recordId={id} version={version} me={user.username} />,
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

/** A step waiting on someone: who, until when, its buttons and the work-routing operations. */
function TaskCard(props: {
  task: OpenTask;
  user: User;
  recordVersion: number;
  record: { data: Record<string, unknown>; status: string };
  /** When the step began, approximated by the record's last change (the task view has no start time). */
  since: number;
  data(): Record<string, unknown>;
  onDone(): void;
  /** An action or operation the server refused, for its field problems. */
  onRefused(err: unknown): void;
}) {
  const { t, tx, locale } = useT();
  const { message } = App.useApp();
  const { task } = props;
  const [dialog, setDialog] = useState<'transfer' | 'approver' | 'return' | 'urge' | null>(null);
  const [who, setWho] = useState<string | undefined>();
  const [node, setNode] = useState<string | undefined>();
  const [text, setText] = useState('');
  async function call(path: string, body: unknown = {}) {
    try {
      await post(`/tasks/${task.id}/${path}`, body);
      message.success(t('task.ok'));
      setDialog(null);
      setText('');
      props.onDone();
    } catch (err) {
      message.error(errorText(err, locale));
    }
  }
  function ok() {
    if (dialog === 'transfer') return call('transfer', { to: who });
    if (dialog === 'approver') return call('approvers', { username: who });
    if (dialog === 'return') return call('return', { node, ...(text ? { comment: text } : {}) });
    return call('urge', text ? { message: text } : {});
  }
  return (
    <Card
      size="small"
      title={
        <Space wrap>
          <span>{tx(task.name)}</span>
          {task.assignee ? (
            <Tag>
              <Person username={task.assignee} />
            </Tag>
          ) : (
            <Tag color="orange">{t('task.unassigned')}</Tag>
          )}
          {task.group && (
            <Tag color="blue">
              <GroupName groupKey={task.group} />
            </Tag>
          )}
          {task.dueAt && <Countdown dueAt={task.dueAt} since={props.since} />}
        </Space>
      }
      data-testid={`task-${task.node}`}
    >
      {task.approvers.length > 0 && (
        <Space wrap style={{ marginBottom: 8 }}>
          {task.approvers.map((a) => (
            <Tag
              key={a.username}
              color={a.decision ? (a.decision === 'reject' ? 'red' : 'green') : 'default'}
            >
              {a.username}: {a.decision ?? t('task.pending')}
            </Tag>
          ))}
        </Space>
      )}
      <TaskInstructions task={task} />
      <Space wrap>
        {task.can.claim && (
          <Button type="primary" onClick={() => call('claim')} data-testid="claim">
            {t('task.claim')}
          </Button>
        )}
        <TaskActions
          task={task}
          recordVersion={props.recordVersion}
          record={props.record}
          data={props.data}
          onDone={props.onDone}
          onRefused={props.onRefused}
        />
        {task.can.transfer && <Button onClick={() => setDialog('transfer')}>{t('task.transfer')}</Button>}
        {task.can.addApprover && (
          <Button onClick={() => setDialog('approver')}>{t('task.addApprover')}</Button>
        )}
        {task.can.return && <Button onClick={() => setDialog('return')}>{t('task.return')}</Button>}
        {task.can.urge && <Button onClick={() => setDialog('urge')}>{t('task.urge')}</Button>}
      </Space>
      <Modal
        open={dialog !== null}
        title={dialog ? t(`task.${dialog === 'approver' ? 'addApprover' : dialog}`) : ''}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        onOk={ok}
        onCancel={() => setDialog(null)}
        destroyOnHidden
      >
        {(dialog === 'transfer' || dialog === 'approver') && (
          <UserSelect value={who} onChange={setWho} style={{ width: '100%' }} />
        )}
        {dialog === 'return' && (
          <Select
            style={{ width: '100%', marginBottom: 8 }}
            value={node}
            onChange={setNode}
            options={task.returnTargets.map((n) => ({ value: n, label: n }))}
          />
        )}
        {(dialog === 'return' || dialog === 'urge') && (
          <Input.TextArea
            rows={3}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t('task.commentOptional')}
          />
        )}
      </Modal>
    </Card>
  );
}

interface Failure {
  job: number;
  type: string;
  node: string | null;
  nodeName: Record<string, string> | string | null;
  error: Record<string, string>;
  attempts: number;
  failedAt: number | null;
  waiting: boolean;
  errorEdge: string | null;
}

/**
 * Calls of the record's flow that failed for good (GET /records/:id/failures, staff only): which
 * step, why, in the reader's language, and for admins a retry of those the flow still waits for.
 */
function Failures(props: { recordId: number; version: number; admin: boolean; onRetried(): void }) {
  const { t, tx, locale } = useT();
  const { message } = App.useApp();
  const [items, setItems] = useState<Failure[]>([]);
  useEffect(() => {
    get<{ items: Failure[] }>(`/records/${props.recordId}/failures`).then(
      (r) => setItems(r.items),
      () => setItems([]),
    );
  }, [props.recordId, props.version]);
  if (!items.length) return null;
  async function retry(job: number) {
    try {
      await post(`/jobs/${job}/retry`, undefined);
      message.success(t('record.retried'));
      props.onRetried();
    } catch (err) {
      message.error(errorText(err, locale));
    }
  }
  return (
    <Alert
      type="error"
      showIcon
      data-testid="record-failures"
      message={t('record.failures')}
      description={
        <List
          size="small"
          dataSource={items}
          renderItem={(f) => (
            <List.Item
              data-job={f.job}
              actions={
                props.admin && f.waiting
                  ? [
                      <Button key="retry" size="small" onClick={() => retry(f.job)} data-testid="retry-job">
                        {t('record.retry')}
                      </Button>,
                    ]
                  : []
              }
            >
              <Space direction="vertical" size={0}>
                <Typography.Text strong>
                  {f.nodeName ? tx(f.nodeName as never) : (f.node ?? f.type)}
                </Typography.Text>
                <Typography.Text data-testid="failure-reason">{tx(f.error as never)}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('record.failureAttempts', { n: f.attempts })}
                  {f.failedAt ? ` · ${formatTime(f.failedAt, locale)}` : ''} ·{' '}
                  {t(f.waiting ? 'record.failureWaiting' : 'record.failureHandled')}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      }
    />
  );
}

function Links({ recordId, version }: { recordId: number; version: number }) {
  const { t } = useT();
  const { message } = App.useApp();
  const [items, setItems] = useState<LinkRow[]>([]);
  const [to, setTo] = useState('');
  const [relation, setRelation] = useState('related-to');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ items: LinkRow[] }>(`/records/${recordId}/links`).then((r) => setItems(r.items));
  }, [recordId, version, tick]);
  async function add() {
    const target = to.trim();
    const isCi = target.startsWith('ci:');
    try {
      await post(
        `/records/${recordId}/links`,
        isCi ? { ci: target.slice(3), relation } : { to: target, relation },
      );
      setTo('');
      setTick((x) => x + 1);
    } catch (err) {
      message.error((err as Error).message);
    }
  }
  async function remove(link: LinkRow) {
    try {
      await api('DELETE', `/records/${recordId}/links/${link.id}`);
      setTick((x) => x + 1);
    } catch (err) {
      message.error((err as Error).message);
    }
  }
  const removeButton = (l: LinkRow) => (
    <Popconfirm key="remove" title={t('record.removeLink')} onConfirm={() => remove(l)}>
      <Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t('record.removeLink')} />
    </Popconfirm>
  );
  const cis = items.filter((l) => l.ci);
  const records = items.filter((l) => l.record);
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="links">
      <List
        size="small"
        header={t('record.linkedRecords')}
        dataSource={records}
        locale={{ emptyText: '—' }}
        renderItem={(l) => (
          <List.Item actions={[removeButton(l)]} data-link={l.record!.number}>
            <Space wrap>
              <Typography.Text type="secondary">{relationText(l.relation, t)}</Typography.Text>
              <a href={`/workspace/records/${l.record!.id}`}>{l.record!.number}</a>
              {l.record!.title} <StatusTag {...l.record!} />
            </Space>
          </List.Item>
        )}
      />
      <List
        size="small"
        header={t('record.relatedCis')}
        dataSource={cis}
        locale={{ emptyText: '—' }}
        renderItem={(l) => (
          <List.Item actions={[removeButton(l)]} data-link={`ci:${l.ci}`}>
            <Space>
              <Typography.Text type="secondary">{relationText(l.relation, t)}</Typography.Text>
              <Tag color="purple">{l.ci}</Tag>
            </Space>
          </List.Item>
        )}
      />
      <Space.Compact style={{ width: '100%' }}>
        <Select
          value={relation}
          onChange={setRelation}
          options={RELATION_NAMES.map((r) => ({ value: r, label: relationText(r, t) }))}
          style={{ width: 150 }}
          data-testid="link-relation"
        />
        <Input value={to} onChange={(e) => setTo(e.target.value)} placeholder={t('record.linkPlaceholder')} />
        <Button onClick={add} disabled={!to.trim()}>
          {t('record.addLink')}
        </Button>
      </Space.Compact>
    </Space>
  );
}

function Watchers({ recordId, version, me }: { recordId: number; version: number; me: string }) {
  const { t, locale } = useT();
  const [items, setItems] = useState<{ username: string; displayName: string; since: number }[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    get<{ items: typeof items }>(`/records/${recordId}/watchers`).then((r) => setItems(r.items));
  }, [recordId, version, tick]);
  const watching = items.some((w) => w.username === me);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <List
        size="small"
        dataSource={items}
        locale={{ emptyText: '—' }}
        renderItem={(w) => (
          <List.Item>
            {w.displayName} ({w.username}) · {formatTime(w.since, locale)}
          </List.Item>
        )}
      />
      <Button
        size="small"
        onClick={async () => {
          if (watching) await api('DELETE', `/records/${recordId}/watchers/${me}`);
          else await post(`/records/${recordId}/watchers`, {});
          setTick((x) => x + 1);
        }}
      >
        {watching ? t('record.unwatch') : t('record.watch')}
      </Button>
    </Space>
  );
}
