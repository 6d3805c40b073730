import type { RecordStatus, StatusCategory } from '@opsloom/spec';
import { Tag } from 'antd';
import { useT } from './i18n.ts';

/** Colours by status category, as Jira colours its status lozenges: the same for every type. */
const CATEGORY_COLORS: Record<StatusCategory, string> = {
  new: 'blue',
  active: 'processing',
  waiting: 'orange',
  done: 'green',
};

/**
 * A record's status as its type's form names it (the record API sends the name and category
 * beside the key); the key itself when the form declares no statuses.
 */
export function StatusTag(props: {
  status: string;
  statusName?: unknown;
  statusCategory?: StatusCategory | null;
  testId?: string;
}) {
  const { tx } = useT();
  const color = props.statusCategory ? CATEGORY_COLORS[props.statusCategory] : 'default';
  return (
    <Tag color={color} data-testid={props.testId} data-status={props.status}>
      {props.statusName ? tx(props.statusName) : props.status}
    </Tag>
  );
}

/** The name of status `key` among a form's statuses (GET /forms/:key), else the key. */
export function statusText(
  statuses: readonly RecordStatus[] | undefined,
  key: unknown,
  tx: (v: unknown) => string,
) {
  const found = statuses?.find((s) => s.key === key);
  return found ? tx(found.name) : key;
}
