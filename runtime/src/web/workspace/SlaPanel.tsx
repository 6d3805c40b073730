import { formatBusinessMinutes } from '@opsloom/web-forms/format';
import { Empty, List, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { get, type MetricView } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';
import { SlaCountdown } from './Countdown.tsx';

/**
 * A record's SLA metrics (GET /records/:id/sla), one line per cycle as Jira shows completed and
 * ongoing cycles: the time left on a running one, paused, or whether a finished one was met.
 */
export function SlaPanel({ recordId, version }: { recordId: number; version: number }) {
  const { t, tx } = useT();
  const [metrics, setMetrics] = useState<MetricView[] | null>(null);
  useEffect(() => {
    get<{ items: MetricView[] }>(`/records/${recordId}/sla`).then((r) => setMetrics(r.items));
  }, [recordId, version]);
  if (!metrics) return null;
  if (!metrics.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sla.none')} />;
  const key = (m: MetricView) => `${m.sla}/${m.metric}`;
  const cycles = new Map<string, number>();
  for (const m of metrics) cycles.set(key(m), (cycles.get(key(m)) ?? 0) + 1);
  return (
    <List
      size="small"
      data-testid="sla-metrics"
      dataSource={metrics}
      renderItem={(m) => (
        <List.Item data-testid={`sla-${m.metric}-${m.cycle}`}>
          <Space direction="vertical" size={0}>
            <Space>
              <Typography.Text strong>{tx(m.name)}</Typography.Text>
              {cycles.get(key(m))! > 1 && <Tag>{t('sla.cycle', { n: m.cycle })}</Tag>}
            </Space>
            <Typography.Text type="secondary">
              {t('sla.target', { time: formatBusinessMinutes(m.targetMinutes) })} ·{' '}
              {t('sla.elapsed', { time: formatBusinessMinutes(m.elapsedMinutes) })}
            </Typography.Text>
          </Space>
          <span data-testid="sla-state">
            {m.state === 'stopped' ? (
              m.met ? (
                <Tag color="green">{t('sla.met')}</Tag>
              ) : (
                <Tag color="red">{t('sla.missed')}</Tag>
              )
            ) : (
              <SlaCountdown
                sla={{
                  dueAt: m.state === 'running' ? m.dueAt : null,
                  paused: m.state === 'paused',
                  warned: m.warned.length > 0,
                  breached: m.breached,
                }}
              />
            )}
          </span>
        </List.Item>
      )}
    />
  );
}
