import { inverseOf, RELATION_NAMES } from '@opsloom/spec';
import { Person } from '@opsloom/web-forms/field-value';
import { formatTime } from '@opsloom/web-forms/format';
import { Timeline, Typography } from 'antd';
import type { HistoryEntry } from './api.ts';
import { type MessageKey, useT } from './i18n.ts';
import { statusText } from './status.tsx';
import { FieldChanges, STANDARD_FIELDS, show, type TimelineForm } from './timeline-changes.tsx';
import { useLoad } from './use-load.ts';

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
    case 'job_failed': {
      // Staff only (the requester's history leaves these out): which call, and why.
      const why =
        d.errorText && typeof d.errorText === 'object' ? tx(d.errorText as never) : show(d.error ?? '');
      const edge = d.errorEdge ? ` · ${t('history.errorEdge')}` : '';
      return [step(n.node, d.node), why].filter(Boolean).join(': ') + edge;
    }
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
