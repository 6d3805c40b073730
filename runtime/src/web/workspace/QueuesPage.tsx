import { formatTime } from '@opsloom/web-forms/format';
import {
  App,
  Badge,
  Button,
  Card,
  Col,
  Input,
  Menu,
  Modal,
  Row,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { get, type OpenTask, post, type RecordListItem, type User } from '../shared/api.ts';
import { type MessageKey, useT } from '../shared/i18n.ts';
import { errorText } from '../shared/TaskActions.tsx';
import { SlaCountdown } from './Countdown.tsx';
import {
  loadDue,
  loadMore,
  loadQueue,
  QUEUES,
  type Queue,
  type QueueFilter,
  type QueueKey,
} from './queues.ts';
import { recordColumns } from './record-columns.tsx';
import { UserSelect } from './UserSelect.tsx';

const QUEUE_LABELS: Record<QueueKey, MessageKey> = {
  mine: 'queue.mine',
  unassigned: 'queue.unassigned',
  open: 'queue.open',
  breaching: 'queue.breaching',
};

type Due = Map<number, { dueAt: number; since: number }>;

/** Saved filters with counts, the list with countdowns, and bulk assign / bulk transition. */
export function QueuesPage({ user }: { user: User }) {
  const { t, tx, locale } = useT();
  const [queue, setQueue] = useState<QueueKey>('mine');
  const [lists, setLists] = useState<Partial<Record<QueueKey, Queue>>>({});
  const [loadingMore, setLoadingMore] = useState(false);
  const [due, setDue] = useState<Due>(new Map());
  const [selected, setSelected] = useState<number[]>([]);
  const [tick, setTick] = useState(0);
  const [filter, setFilter] = useState<QueueFilter>({ q: '', priority: [] });
  const reload = useCallback(() => setTick((x) => x + 1), []);
  // The same filter again (the bar settling on what it started with) loads nothing.
  const changeFilter = useCallback(
    (next: QueueFilter) => setFilter((prev) => (JSON.stringify(prev) === JSON.stringify(next) ? prev : next)),
    [],
  );

  useEffect(() => {
    let live = true;
    (async () => {
      const [mine, unassigned, open, breaching] = await Promise.all(
        QUEUES.map((q) => loadQueue(q, user, filter)),
      );
      const loadedDue = await dueOf([...mine!.items, ...unassigned!.items, ...open!.items]);
      // A later filter's answer may already be shown: an earlier one arriving late is dropped.
      if (!live) return;
      setDue(loadedDue);
      setLists({ mine, unassigned, open, breaching });
      setSelected([]);
    })();
    return () => {
      live = false;
    };
  }, [user, tick, filter]);

  const current = lists[queue];
  const rows = current?.items;
  async function more() {
    if (!current) return;
    setLoadingMore(true);
    try {
      const next = await loadMore(current);
      const added = await dueOf(next.items.slice(current.items.length));
      setDue((d) => new Map([...d, ...added]));
      setLists((l) => ({ ...l, [queue]: next }));
    } finally {
      setLoadingMore(false);
    }
  }
  const columns = useMemo(
    () => [
      ...recordColumns({ t, tx }, '28%'),
      {
        title: t('list.due'),
        key: 'due',
        render: (_: unknown, r: RecordListItem) => (
          <SlaCountdown
            sla={r.sla}
            dueAt={due.get(r.id)?.dueAt}
            since={due.get(r.id)?.since ?? r.updatedAt}
          />
        ),
      },
      { title: t('list.updated'), dataIndex: 'updatedAt', render: (v: number) => formatTime(v, locale) },
    ],
    [t, tx, locale, due],
  );

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={6} lg={5}>
        <Card size="small" styles={{ body: { padding: 0 } }}>
          <Menu
            selectedKeys={[queue]}
            onClick={(e) => setQueue(e.key as QueueKey)}
            items={QUEUES.map((q) => ({
              key: q,
              label: (
                <Space style={{ justifyContent: 'space-between', width: '100%' }} data-testid={`queue-${q}`}>
                  <span>{t(QUEUE_LABELS[q])}</span>
                  <Badge
                    count={countOf(lists[q])}
                    overflowCount={Number.POSITIVE_INFINITY}
                    showZero
                    color={q === 'breaching' ? 'red' : 'blue'}
                  />
                </Space>
              ),
            }))}
          />
        </Card>
      </Col>
      <Col xs={24} md={18} lg={19}>
        <Card
          size="small"
          title={t(QUEUE_LABELS[queue])}
          extra={
            <Space>
              <BulkActions ids={selected} me={user.username} onDone={reload} />
              <Button size="small" onClick={reload}>
                {t('common.refresh')}
              </Button>
            </Space>
          }
        >
          <QueueFilterBar onChange={changeFilter} />
          <Table<RecordListItem>
            size="small"
            rowKey="id"
            loading={!rows}
            dataSource={rows ?? []}
            columns={columns}
            scroll={{ x: 900 }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
            data-testid="record-list"
          />
          {current?.more.length ? (
            <Button block loading={loadingMore} onClick={more} data-testid="queue-more">
              {t('list.more', { shown: current.items.length, total: countOf(current) })}
            </Button>
          ) : null}
        </Card>
      </Col>
    </Row>
  );
}

const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];

/** Search words, a record type and priorities that narrow every queue (and its count). */
function QueueFilterBar({ onChange }: { onChange(filter: QueueFilter): void }) {
  const { t, tx } = useT();
  const [types, setTypes] = useState<{ key: string; name: unknown }[]>([]);
  const [q, setQ] = useState('');
  const [type, setType] = useState<string | undefined>();
  const [priority, setPriority] = useState<string[]>([]);
  useEffect(() => {
    get<{ items: { key: string; name: unknown }[] }>('/forms').then((r) => setTypes(r.items));
  }, []);
  // Words are sent once the agent pauses typing, not on every keystroke.
  useEffect(() => {
    const timer = setTimeout(() => onChange({ q, type, priority }), 300);
    return () => clearTimeout(timer);
  }, [q, type, priority, onChange]);
  return (
    <Space wrap style={{ marginBottom: 12 }} data-testid="queue-filter">
      <Input.Search
        allowClear
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder={t('queue.search')}
        style={{ width: 260 }}
        data-testid="queue-search"
      />
      <Select
        allowClear
        value={type}
        onChange={setType}
        placeholder={t('queue.type')}
        options={types.map((x) => ({ value: x.key, label: tx(x.name) }))}
        style={{ width: 160 }}
        data-testid="queue-type"
      />
      <Select
        mode="multiple"
        allowClear
        value={priority}
        onChange={setPriority}
        placeholder={t('list.priority')}
        options={PRIORITIES.map((p) => ({ value: p, label: p }))}
        style={{ minWidth: 160 }}
        data-testid="queue-priority"
      />
    </Space>
  );
}

/** A queue's size as the server counted it: "1000+" past the count's cap. */
const countOf = (q: Queue | undefined): string | number => (q ? (q.exact ? q.total : `${q.total}+`) : 0);

/** Records without SLA clocks count down to their open tasks' due time (node dueIn) instead. */
function dueOf(records: RecordListItem[]): Promise<Due> {
  const seen = new Set<number>();
  return loadDue(records.filter((r) => !r.sla && !seen.has(r.id) && seen.add(r.id)));
}

interface Outcome {
  id: number;
  ok: boolean;
  message: string;
}

/**
 * Bulk assign and bulk transition: a loop over the per-record endpoints (claim / transfer, task
 * actions), each record succeeding or failing on its own; failures are listed afterwards.
 */
function BulkActions({ ids, me, onDone }: { ids: number[]; me: string; onDone(): void }) {
  const { t, tx, locale } = useT();
  const { modal } = App.useApp();
  const [mode, setMode] = useState<'assign' | 'action' | null>(null);
  const [assignee, setAssignee] = useState<string | undefined>();
  const [actions, setActions] = useState<{ key: string; label: unknown }[]>([]);
  const [action, setAction] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function tasksOf(id: number) {
    return (await get<{ items: OpenTask[] }>(`/records/${id}/tasks`)).items;
  }
  async function openAction() {
    setMode('action');
    const all = (await Promise.all(ids.map(tasksOf))).flat().flatMap((task) => task.actions);
    const seen = new Map(all.map((a) => [a.key, a.label]));
    setActions([...seen].map(([key, label]) => ({ key, label })));
  }
  async function run() {
    setBusy(true);
    const results: Outcome[] = [];
    for (const id of ids) {
      try {
        const tasks = await tasksOf(id);
        if (mode === 'assign') {
          const task = tasks.find((x) => x.can.claim || x.can.transfer);
          if (!task) throw new Error(t('bulk.noTask'));
          if (assignee === me && task.can.claim) await post(`/tasks/${task.id}/claim`);
          else {
            if (task.can.claim) await post(`/tasks/${task.id}/claim`);
            if (assignee !== me) await post(`/tasks/${task.id}/transfer`, { to: assignee });
          }
        } else {
          const task = tasks.find((x) => x.actions.some((a) => a.key === action));
          if (!task) throw new Error(t('bulk.noAction', { action: action ?? '' }));
          await post(`/tasks/${task.id}/actions/${action}`, {});
        }
        results.push({ id, ok: true, message: '' });
      } catch (err) {
        results.push({ id, ok: false, message: errorText(err, locale) });
      }
    }
    setBusy(false);
    setMode(null);
    const failed = results.filter((r) => !r.ok);
    modal[failed.length ? 'warning' : 'success']({
      title: t('bulk.result', { ok: results.length - failed.length, failed: failed.length }),
      content: (
        <ul data-testid="bulk-failures">
          {failed.map((f) => (
            <li key={f.id}>
              #{f.id}: {f.message}
            </li>
          ))}
        </ul>
      ),
    });
    onDone();
  }
  return (
    <>
      <Space size={8}>
        <Button
          size="small"
          disabled={!ids.length}
          onClick={() => setMode('assign')}
          data-testid="bulk-assign"
        >
          {t('bulk.assign', { n: ids.length })}
        </Button>
        <Button size="small" disabled={!ids.length} onClick={openAction} data-testid="bulk-action">
          {t('bulk.action', { n: ids.length })}
        </Button>
      </Space>
      <Modal
        open={mode !== null}
        title={mode === 'assign' ? t('bulk.assign', { n: ids.length }) : t('bulk.action', { n: ids.length })}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        okButtonProps={{ disabled: mode === 'assign' ? !assignee : !action }}
        onOk={run}
        onCancel={() => setMode(null)}
        destroyOnHidden
      >
        {mode === 'assign' ? (
          <UserSelect value={assignee} onChange={setAssignee} style={{ width: '100%' }} />
        ) : (
          <Select
            style={{ width: '100%' }}
            value={action}
            onChange={setAction}
            options={actions.map((a) => ({ value: a.key, label: tx(a.label) }))}
          />
        )}
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t('bulk.hint')}
        </Typography.Paragraph>
      </Modal>
    </>
  );
}
