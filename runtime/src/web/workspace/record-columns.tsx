import { GroupName, Person } from '@opsloom/web-forms/field-value';
import { Typography } from 'antd';
import { Link } from 'wouter';
import type { RecordListItem } from '../shared/api.ts';
import type { useT } from '../shared/i18n.ts';
import { StatusTag } from '../shared/status.tsx';

type T = ReturnType<typeof useT>;

/**
 * The columns every list of records in the workspace starts with — number, title with the
 * service it came through, status, priority, assignee, group — so the queues and a drill-down
 * list read the same. A number never wraps (REQ-000001 broke at its dash in narrow columns).
 */
export function recordColumns({ t, tx }: Pick<T, 't' | 'tx'>, titleWidth = '30%') {
  return [
    {
      title: t('list.number'),
      dataIndex: 'number',
      render: (n: string, r: RecordListItem) => (
        <Link href={`/records/${r.id}`} style={{ whiteSpace: 'nowrap' }}>
          {n}
        </Link>
      ),
    },
    {
      title: t('list.title'),
      dataIndex: 'title',
      width: titleWidth,
      ellipsis: true,
      // The service a request came through, as JSM's queues show its request type.
      render: (title: string, r: RecordListItem) => (
        <>
          {title}
          {r.catalogItem?.name ? (
            <Typography.Text type="secondary"> · {tx(r.catalogItem.name)}</Typography.Text>
          ) : null}
        </>
      ),
    },
    {
      title: t('list.status'),
      dataIndex: 'status',
      render: (_: string, r: RecordListItem) => <StatusTag {...r} />,
    },
    { title: t('list.priority'), dataIndex: 'priority' },
    {
      title: t('list.assignee'),
      dataIndex: 'assignee',
      render: (a: string | null) => (a ? <Person username={a} /> : '—'),
    },
    {
      title: t('list.group'),
      dataIndex: 'group',
      render: (g: string | null) => (g ? <GroupName groupKey={g} /> : '—'),
    },
  ];
}
