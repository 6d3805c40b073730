import { formatBusinessMinutes } from '@opsloom/web-forms/format';
import { Alert, Card, Skeleton, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { get } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';
import { NewRecordForm } from '../shared/NewRecordForm.tsx';
import type { Catalog, CatalogItem } from './catalog-search.ts';

/** A catalog item's request form: its form, process and default values, then the request's page. */
export default function RequestFormPage(props: { catalog: string; item: string }) {
  const { t, tx, locale } = useT();
  const [, navigate] = useLocation();
  const [item, setItem] = useState<CatalogItem | null | undefined>(undefined);

  useEffect(() => {
    get<Catalog>('/catalog').then((c) =>
      setItem(c.items.find((i) => i.catalog === props.catalog && i.id === props.item) ?? null),
    );
  }, [props.catalog, props.item]);

  if (item === null) return <Alert type="warning" title={t('request.notFound')} />;
  if (!item) return <Skeleton active />;
  return (
    <Card data-testid="request-form">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {tx(item.name)}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{tx(item.description)}</Typography.Paragraph>
      {item.serviceLevel && (
        <Typography.Paragraph data-testid="service-level">
          <Typography.Text strong>{t('request.serviceLevel')}</Typography.Text> {tx(item.serviceLevel.name)}
          {item.serviceLevel.targets.length ? (
            // What this item is promised, rather than the SLA's description of every item.
            <Typography.Text type="secondary" data-testid="service-targets">
              {' — '}
              {item.serviceLevel.targets
                .map((x) =>
                  t('request.slaTarget', {
                    metric: tx(x.metric),
                    time: formatBusinessMinutes(x.minutes),
                    calendar: tx(x.calendar),
                  }),
                )
                .join(locale === 'zh-CN' ? '；' : '; ')}
            </Typography.Text>
          ) : item.serviceLevel.description ? (
            <Typography.Text type="secondary"> — {tx(item.serviceLevel.description)}</Typography.Text>
          ) : null}
        </Typography.Paragraph>
      )}
      <NewRecordForm
        form={item.form}
        process={item.process}
        catalogItem={item.ref}
        defaults={item.defaults}
        fixed={item.fixed}
        onCreated={(rec) => navigate(`/requests/${rec.id}`)}
      />
    </Card>
  );
}
