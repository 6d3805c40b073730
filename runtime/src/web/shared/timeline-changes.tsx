import type { RecordStatus } from '@opsloom/spec';
import {
  type FieldSchema,
  type FieldUi,
  FieldValue,
  fieldTitle,
  GroupName,
  Person,
} from '@opsloom/web-forms/field-value';
import { Typography } from 'antd';
import type { ReactNode } from 'react';
import type { HistoryEntry } from './api.ts';
import { type MessageKey, useT } from './i18n.ts';
import { statusText } from './status.tsx';

// How the timeline shows field changes: "label: from → to" by the form's labels and value
// renderers, a table field's change row by row and cell by cell.

/** What the timeline needs of the record's form: its statuses and its fields' labels and widgets. */
export interface TimelineForm {
  statuses?: readonly RecordStatus[];
  schema?: { properties?: Record<string, FieldSchema> } | null;
  uiSchema?: FieldUi | null;
  /**
   * Only the fields `schema` has (besides the standard ones) have their changes shown: the
   * requester's page passes the fields its form shows them, so a field hidden from them stays so.
   */
  onlyShown?: boolean;
}

export const show = (v: unknown) =>
  v === null || v === undefined || v === '' ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Standard fields' labels; a form field is named by its form. */
export const STANDARD_FIELDS: Record<string, MessageKey> = {
  status: 'list.status',
  title: 'list.title',
  priority: 'list.priority',
  assignee: 'list.assignee',
  requester: 'list.requester',
  group: 'list.group',
};

/** One value of a change as its field shows it: people and groups by name, choices by label. */
function ChangedValue({ field, value, form }: { field: string; value: unknown; form?: TimelineForm | null }) {
  const { tx } = useT();
  if (value === null || value === undefined || value === '')
    return <Typography.Text type="secondary">∅</Typography.Text>;
  if (field === 'status') return <span>{show(statusText(form?.statuses, value, tx))}</span>;
  if ((field === 'assignee' || field === 'requester') && typeof value === 'string')
    return <Person username={value} />;
  if (field === 'group' && typeof value === 'string') return <GroupName groupKey={value} />;
  const schema = form?.schema?.properties?.[field];
  if (!schema) return <span>{show(value)}</span>;
  return <InlineValue value={value} schema={schema} ui={form?.uiSchema?.[field]} />;
}

const asObject = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A value inline in a change line, by its field's (or column's) widget, cut to a few lines. */
function InlineValue({ value, schema, ui }: { value: unknown; schema: FieldSchema; ui?: unknown }) {
  if (value === null || value === undefined || value === '')
    return <Typography.Text type="secondary">∅</Typography.Text>;
  return (
    // A long text is cut to a few lines: the record itself shows it whole.
    <div style={{ display: 'inline-block', maxHeight: '4.5em', overflow: 'hidden', verticalAlign: 'top' }}>
      <FieldValue value={value} schema={schema} ui={asObject(ui) as FieldUi} />
    </div>
  );
}

/**
 * A change of a table field (a list of objects) as the rows it added or removed and the cells it
 * changed ("order-service · CI/CD status: Not released → Merge request open"), rows named by
 * their first required text column.
 */
function TableChange({
  from,
  to,
  schema,
  ui,
}: {
  from: unknown;
  to: unknown;
  schema: FieldSchema;
  ui?: unknown;
}) {
  const { t, tx } = useT();
  const items = asObject(schema.items);
  const columns = asObject(items.properties) as Record<string, FieldSchema>;
  const columnUi = asObject(asObject(ui).items);
  const required = Array.isArray(items.required) ? (items.required as string[]) : [];
  const keyColumn = required.find((k) => columns[k]?.type === 'string');
  const rowsOf = (v: unknown) => {
    const list = Array.isArray(v) ? v.map(asObject) : [];
    return new Map(
      list.map((row, i) => [
        keyColumn && typeof row[keyColumn] === 'string' ? (row[keyColumn] as string) : `#${i + 1}`,
        row,
      ]),
    );
  };
  const before = rowsOf(from);
  const after = rowsOf(to);
  const lines: ReactNode[] = [];
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const was = before.get(key);
    const now = after.get(key);
    if (!was || !now) {
      lines.push(
        <div key={key} data-row={key}>
          {key}{' '}
          <Typography.Text type="secondary">
            {t(was ? 'history.rowRemoved' : 'history.rowAdded')}
          </Typography.Text>
        </div>,
      );
      continue;
    }
    for (const [column, columnSchema] of Object.entries(columns)) {
      if (JSON.stringify(was[column] ?? null) === JSON.stringify(now[column] ?? null)) continue;
      lines.push(
        <div
          key={`${key}/${column}`}
          data-row={key}
          style={{ display: 'flex', gap: 6, alignItems: 'baseline' }}
        >
          <span style={{ flex: 'none' }}>
            {key} · {fieldTitle(columnSchema, column, tx)}:
          </span>
          <InlineValue value={was[column]} schema={columnSchema} ui={columnUi[column]} />
          <span>→</span>
          <InlineValue value={now[column]} schema={columnSchema} ui={columnUi[column]} />
        </div>,
      );
    }
  }
  return <div>{lines}</div>;
}

/** "Label: from → to" for each field one person changed at one moment. */
export function FieldChanges({ changes, form }: { changes: HistoryEntry[]; form?: TimelineForm | null }) {
  const { t, tx } = useT();
  const label = (field: string) => {
    const schema = form?.schema?.properties?.[field];
    if (schema) return fieldTitle(schema, field, tx);
    const std = STANDARD_FIELDS[field];
    return std ? t(std) : field;
  };
  return (
    <div data-testid="history-changes" style={{ fontSize: 13 }}>
      {changes.map((c) => {
        const field = c.field ?? '';
        const schema = form?.schema?.properties?.[field];
        const table = schema?.type === 'array' && asObject(schema.items).type === 'object';
        return (
          <div
            key={c.id}
            data-field={field}
            style={{ display: 'flex', gap: 6, alignItems: 'baseline', flexWrap: table ? 'wrap' : undefined }}
          >
            <Typography.Text type="secondary" style={{ flex: 'none' }}>
              {label(field)}:
            </Typography.Text>
            {table && schema ? (
              <TableChange from={c.from} to={c.to} schema={schema} ui={form?.uiSchema?.[field]} />
            ) : (
              <>
                <ChangedValue field={field} value={c.from} form={form} />
                <span>→</span>
                <ChangedValue field={field} value={c.to} form={form} />
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}
