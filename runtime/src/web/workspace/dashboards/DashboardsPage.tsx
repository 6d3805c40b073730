import { DesktopOutlined } from '@ant-design/icons';
import { Card, Col, Empty, Row, Space, Spin, Tag, Typography } from 'antd';
import { Link } from 'wouter';
import type { DashboardSummary } from '../../shared/dashboard-types.ts';
import { useT } from '../../shared/i18n.ts';
import { useLoad } from '../../shared/use-load.ts';

/** The dashboards the person may open (GET /dashboards), their landing one marked. */
export default function DashboardsPage() {
  const { t, tx } = useT();
  const [data] = useLoad<{ items: DashboardSummary[] }>('/dashboards', 0);
  if (!data) return <Spin style={{ margin: 64, display: 'block' }} />;
  return (
    <div data-testid="dashboards-list">
      <Typography.Title level={4}>{t('dash.title')}</Typography.Title>
      {data.items.length === 0 ? (
        <Empty description={t('dash.empty')} />
      ) : (
        <Row gutter={[16, 16]}>
          {data.items.map((d) => (
            <Col key={d.key} xs={24} md={12} lg={8}>
              <Link href={`/dashboards/${encodeURIComponent(d.key)}`} data-testid={`dashboard-card-${d.key}`}>
                <Card hoverable size="small" title={tx(d.name)}>
                  <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ minHeight: 44 }}>
                    {d.description ? tx(d.description) : ''}
                  </Typography.Paragraph>
                  <Space size={4} wrap>
                    <Tag>{t('dash.widgets', { n: d.widgets })}</Tag>
                    {d.landing ? <Tag color="blue">{t('dash.landing')}</Tag> : null}
                    {d.bigScreen ? (
                      <Tag icon={<DesktopOutlined />} color="purple">
                        {t('dash.bigScreen')}
                      </Tag>
                    ) : null}
                  </Space>
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
      )}
    </div>
  );
}
