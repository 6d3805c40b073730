import { CheckCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { formatTime } from '@opsloom/web-forms/format';
import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useSearch } from 'wouter';
import { get, HttpError, type RecordListItem } from '../shared/api.ts';
import { type MessageKey, useT } from '../shared/i18n.ts';
import { recordColumns } from './record-columns.tsx';

interface ListPage {
  items: RecordListItem[];
  total: number;
  totalExact: boolean;
  nextCursor: string | null;
}

/** Query keys of this page's own (the figure it came from), never sent to the API. */
const OWN = (k: string) => k.startsWith('_');
const RANGE = /^(createdAt|updatedAt|resolvedAt|closedAt)\.(gte|lte)$/;

/**
 * The records behind a dashboard figure: `/list?<the drill's list filters>` shows
 * `GET /records?…` with its total, which equals the figure clicked (`_count`, said beside it).
 * The filters are the records list's own (type, status, priority, group, dates…), or
 * `report` + `cell` when only the report engine can say which records a figure counted.
 */
export default function RecordListPage() {
  const { t, tx, locale } = useT();
  const search = useSearch();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const query = useMemo(() => {
    const q = new URLSearchParams();
    for (const [k, v] of params) if (!OWN(k)) q.append(k, v);
    return q;
  }, [params]);
  const expected = params.has('_count') ? Number(params.get('_count')) : null;
  const from = params.get('_from');
  const [page, setPage] = useState<ListPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    let live = true;
    setPage(null);
    setError(null);
    get<ListPage>(`/records?${query.toString()}&limit=100`)
      .then((p) => live && setPage(p))
      .catch((err) => live && setError(err instanceof HttpError ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [query]);

  async function more() {
    if (!page?.nextCursor) return;
    setLoadingMore(true);
    try {
      const next = await get<ListPage>(
        `/records?${query.toString()}&limit=100&cursor=${encodeURIComponent(page.nextCursor)}`,
      );
      setPage({
        ...next,
        items: [...page.items, ...next.items],
        total: page.total,
        totalExact: page.totalExact,
      });
    } finally {
      setLoadingMore(false);
    }
  }

  const tags = [...query].map(([k, v]) => {
    const range = RANGE.exec(k);
    if (range) {
      const at = formatTime(Number(v), locale);
      return `${t(`drill.field.${range[1]}` as MessageKey)} ${range[2] === 'gte' ? '≥' : '≤'} ${at}`;
    }
    if (k === 'report') return t('drill.byReport', { report: v });
    if (k === 'cell') return null;
    const name = `drill.field.${k}`;
    const field = name in FIELD_KEYS ? t(name as MessageKey) : k;
    const value =
      v === 'none' ? t('drill.none') : v === 'true' ? t('drill.yes') : v === 'false' ? t('drill.no') : v;
    return `${field}: ${value}`;
  });

  const columns = [
    ...recordColumns({ t, tx }),
    { title: t('list.created'), dataIndex: 'createdAt', render: (v: number) => formatTime(v, locale) },
  ];

  const total = page ? (page.totalExact ? page.total : null) : null;
  return (
    <Card
      size="small"
      data-testid="drill-list"
      title={
        <Space wrap>
          <span>{t('drill.title')}</span>
          {from ? (
            <Typography.Text type="secondary">{t('drill.from', { title: from })}</Typography.Text>
          ) : null}
        </Space>
      }
      extra={
        <Button size="small" onClick={() => window.history.back()}>
          {t('drill.back')}
        </Button>
      }
    >
      <Space wrap style={{ marginBottom: 12 }} data-testid="drill-filters">
        {tags.filter(Boolean).map((tag) => (
          <Tag key={tag}>{tag}</Tag>
        ))}
      </Space>
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} /> : null}
      {page ? (
        <Space style={{ marginBottom: 12 }} wrap>
          <Typography.Text strong data-testid="drill-total" data-total={page.total}>
            {page.totalExact
              ? t('drill.total', { n: page.total })
              : t('drill.totalCapped', { n: page.total })}
          </Typography.Text>
          {expected !== null ? (
            total === expected ? (
              <Typography.Text type="success" data-testid="drill-expected">
                <CheckCircleOutlined /> {t('drill.expected', { n: expected })}
              </Typography.Text>
            ) : (
              <Typography.Text type="warning" data-testid="drill-expected">
                <WarningOutlined /> {t('drill.mismatch', { n: expected })}
              </Typography.Text>
            )
          ) : null}
        </Space>
      ) : null}
      <Table<RecordListItem>
        size="small"
        rowKey="id"
        loading={!page && !error}
        dataSource={page?.items ?? []}
        columns={columns}
        scroll={{ x: 900 }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        data-testid="drill-records"
      />
      {page?.nextCursor ? (
        <Button block loading={loadingMore} onClick={more} data-testid="drill-more">
          {t('list.more', {
            shown: page.items.length,
            total: page.totalExact ? page.total : `${page.total}+`,
          })}
        </Button>
      ) : null}
    </Card>
  );
}

/** The list filters this page names in words (the others show as they are). */
const FIELD_KEYS = {
  'drill.field.type': 1,
  'drill.field.status': 1,
  'drill.field.priority': 1,
  'drill.field.group': 1,
  'drill.field.assignee': 1,
  'drill.field.requester': 1,
  'drill.field.catalogItem': 1,
  'drill.field.resolved': 1,
  'drill.field.closed': 1,
  'drill.field.sla': 1,
};
