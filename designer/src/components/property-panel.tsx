import { Button, Divider, Popconfirm, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n.ts';

/** A property panel's title: what is edited and its id. */
export function PanelHeader({ title, id, extra }: { title: ReactNode; id?: string; extra?: ReactNode }) {
  return (
    <Typography.Title level={5} style={{ marginTop: 0 }}>
      {title} {id && <Typography.Text code>{id}</Typography.Text>}
      {extra}
    </Typography.Title>
  );
}

/** A titled group of settings in a panel. */
export function PanelSection({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <>
      <Divider titlePlacement="start" plain>
        {title}
      </Divider>
      {children}
    </>
  );
}

/** The panel's last control: deletes what it edits (asking first when `confirm` says what goes with it). */
export function DeleteButton({
  onDelete,
  confirm,
  testId,
}: {
  onDelete: () => void;
  confirm?: string;
  testId?: string;
}) {
  const t = useT();
  const button = (
    <Button danger block onClick={confirm ? undefined : onDelete} data-testid={testId}>
      {t('common.delete')}
    </Button>
  );
  return (
    <>
      <Divider />
      {confirm ? (
        <Popconfirm title={confirm} onConfirm={onDelete}>
          {button}
        </Popconfirm>
      ) : (
        button
      )}
    </>
  );
}
