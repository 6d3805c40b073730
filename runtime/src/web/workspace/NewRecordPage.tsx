import { Card, Form, Select, Skeleton, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { get, type User } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';
import { NewRecordForm } from '../shared/NewRecordForm.tsx';
import { UserSelect } from './UserSelect.tsx';

interface RecordType {
  key: string;
  name: unknown;
  description: unknown;
  numberPrefix: string;
  processes: { key: string; name: unknown }[];
  /** The catalog items that offer the type: picking one raises the record through it. */
  catalogItems: {
    ref: string;
    name: unknown;
    process: string;
    defaults: Record<string, unknown>;
    fixed: string[];
  }[];
}

/**
 * Staff log a record by hand: a phone call to the service desk (for the caller, who then follows
 * it in the portal), a change or a problem to raise. Any published record type, its process
 * picked when it has several, or raised through one of the catalog items that offer it, as its
 * requester would in the portal (the item's process, values and service level).
 */
export default function NewRecordPage(props: { user: User; type?: string }) {
  const { t, tx } = useT();
  const [, navigate] = useLocation();
  const [types, setTypes] = useState<RecordType[] | null>(null);
  const [requester, setRequester] = useState(props.user.username);
  const [process, setProcess] = useState<string | undefined>();
  const [itemRef, setItemRef] = useState<string | undefined>();
  useEffect(() => {
    get<{ items: RecordType[] }>('/forms').then((r) => setTypes(r.items));
  }, []);
  const type = types?.find((x) => x.key === props.type);
  const processes = type?.processes ?? [];
  const item = type?.catalogItems.find((i) => i.ref === itemRef);
  // An item's process; else one process: that one; several: the agent picks (the server would
  // refuse to guess).
  const chosen = item ? item.process : processes.length === 1 ? processes[0]!.key : process;
  const options = useMemo(
    () =>
      (types ?? [])
        .map((x) => ({ value: x.key, label: `${tx(x.name)} (${x.numberPrefix})` }))
        .sort((a, b) => a.label.localeCompare(b.label)),
    [types, tx],
  );
  if (!types) return <Skeleton active />;
  return (
    <Card data-testid="new-record">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('newRecord.title')}
      </Typography.Title>
      <Form layout="vertical">
        <Form.Item label={t('newRecord.type')} required>
          <Select
            data-testid="new-record-type"
            showSearch={{ optionFilterProp: 'label' }}
            value={props.type}
            options={options}
            placeholder={t('newRecord.typePlaceholder')}
            onChange={(key) => {
              setProcess(undefined);
              setItemRef(undefined);
              navigate(`/new/${key}`);
            }}
          />
        </Form.Item>
        {type?.description ? (
          <Typography.Paragraph type="secondary">{tx(type.description)}</Typography.Paragraph>
        ) : null}
        {type && type.catalogItems.length > 0 && (
          <Form.Item label={t('newRecord.catalogItem')} extra={t('newRecord.catalogItemHelp')}>
            <Select
              data-testid="new-record-item"
              allowClear
              value={itemRef}
              onChange={setItemRef}
              placeholder={t('newRecord.catalogItemNone')}
              options={type.catalogItems.map((i) => ({ value: i.ref, label: tx(i.name) }))}
              style={{ width: 320 }}
            />
          </Form.Item>
        )}
        {!item && processes.length > 1 && (
          <Form.Item label={t('newRecord.process')} required>
            <Select
              data-testid="new-record-process"
              value={process}
              onChange={setProcess}
              options={processes.map((p) => ({ value: p.key, label: tx(p.name) }))}
            />
          </Form.Item>
        )}
        {type && (
          <Form.Item label={t('newRecord.requester')} extra={t('newRecord.requesterHelp')}>
            <UserSelect value={requester} onChange={setRequester} style={{ width: 320 }} />
          </Form.Item>
        )}
      </Form>
      {type && (processes.length <= 1 || chosen) && (
        <NewRecordForm
          key={`${type.key}/${chosen ?? ''}/${item?.ref ?? ''}`}
          form={type.key}
          process={chosen}
          catalogItem={item?.ref}
          defaults={item?.defaults}
          fixed={item?.fixed}
          requester={requester === props.user.username ? undefined : requester}
          onCreated={(rec) => navigate(`/records/${rec.id}`)}
        />
      )}
    </Card>
  );
}
