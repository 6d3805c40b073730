import { PaperClipOutlined } from '@ant-design/icons';
import { Descriptions, Rate, Space, Tag, Tooltip, Typography } from 'antd';
import {
  type ComponentType,
  createContext,
  lazy,
  type ReactNode,
  Suspense,
  useContext,
  useEffect,
  useState,
} from 'react';
import { formatDate, formatDateTime } from './format.ts';
import { useT } from './i18n.ts';
import type { Attachment } from './lookups.ts';
import { loadGroups, personName, recordAttachments, recordByNumber } from './lookups.ts';

// A stored form value shown as its field's widget would show it, read-only: one renderer per
// widget (designer/src/form/fieldTypes.ts names them), used by the portal's request details and
// by every read-only field of a form in the portal, the workspace and the designer's preview (form.tsx).

export type FieldSchema = Record<string, unknown>;
export type FieldUi = Record<string, unknown>;

/** What a value is shown as: the designer's field types, plus what rjsf's own widgets and plain JSON Schema give. */
export type FieldKind =
  | 'text'
  | 'textarea'
  | 'number'
  | 'boolean'
  | 'select'
  | 'radio'
  | 'checkboxes'
  | 'date'
  | 'datetime'
  | 'user'
  | 'group'
  | 'record'
  | 'ci'
  | 'attachment'
  | 'richtext'
  | 'rating'
  | 'section'
  | 'table'
  | 'list'
  | 'object';

/** `uiSchema["ui:widget"]` names (ours and rjsf's) that decide the kind by themselves. */
const BY_WIDGET: Record<string, FieldKind> = {
  user: 'user',
  group: 'group',
  record: 'record',
  ci: 'ci',
  attachment: 'attachment',
  richtext: 'richtext',
  rating: 'rating',
  textarea: 'textarea',
  select: 'select',
  radio: 'radio',
  checkboxes: 'checkboxes',
  checkbox: 'boolean',
  date: 'date',
  'date-time': 'datetime',
  datetime: 'datetime',
  updown: 'number',
  range: 'number',
};

const asObject = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

const hasChoices = (s: FieldSchema) =>
  Array.isArray(s.enum) || Array.isArray(s.oneOf) || Array.isArray(s.anyOf);

/** The kind of a field from its schema and uiSchema, as the designer reads a stored field. */
export function fieldKind(schema: FieldSchema, ui: FieldUi = {}): FieldKind {
  const widget = ui['ui:widget'];
  if (typeof widget === 'string' && BY_WIDGET[widget]) return BY_WIDGET[widget];
  const type = schema.type;
  if (type === 'null') return 'section';
  if (type === 'boolean') return 'boolean';
  if (type === 'array') {
    const items = asObject(schema.items);
    if (items.type === 'object') return 'table';
    return hasChoices(items) ? 'checkboxes' : 'list';
  }
  if (type === 'object') return 'object';
  if (hasChoices(schema)) return 'select';
  if (type === 'number' || type === 'integer') return 'number';
  if (schema.format === 'date') return 'date';
  if (schema.format === 'date-time') return 'datetime';
  return 'text';
}

/**
 * The choices of a select / radio / checkboxes field: `enum` with `ui:enumNames` (as the
 * designer writes them; a name may also be `{zh-CN, en}`), or `oneOf`/`anyOf` of `const` with a
 * `title` / `x-title`.
 */
function choicesOf(schema: FieldSchema, ui: FieldUi): { value: unknown; label: unknown }[] {
  const source = schema.type === 'array' ? asObject(schema.items) : schema;
  if (Array.isArray(source.enum)) {
    const names = ui['ui:enumNames'] ?? asObject(ui['ui:options']).enumNames;
    return source.enum.map((value, i) => ({
      value,
      label: Array.isArray(names) ? names[i] : undefined,
    }));
  }
  const alternatives = (source.oneOf ?? source.anyOf) as unknown;
  if (Array.isArray(alternatives))
    return alternatives.map((a) => {
      const alt = asObject(a);
      return {
        value: alt.const ?? (Array.isArray(alt.enum) ? alt.enum[0] : undefined),
        label: alt['x-title'] ?? alt.title,
      };
    });
  return [];
}

/** No value: nothing stored, an empty text or an empty list. */
export function isEmptyValue(value: unknown): boolean {
  return (
    value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  );
}

interface ValueProps {
  value: unknown;
  schema: FieldSchema;
  ui: FieldUi;
}

/** What a value with no better rendering looks like: text, a list of texts, or its JSON. */
function Plain({ value }: { value: unknown }) {
  const { t } = useT();
  if (typeof value === 'boolean') return <span>{t(value ? 'value.yes' : 'value.no')}</span>;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null))
    return (
      <Space wrap size={4}>
        {value.map((v, i) => (
          <Tag key={i}>{String(v)}</Tag>
        ))}
      </Space>
    );
  if (value !== null && typeof value === 'object')
    return (
      <Typography.Text code style={{ whiteSpace: 'pre-wrap' }}>
        {JSON.stringify(value, null, 2)}
      </Typography.Text>
    );
  return <span style={{ whiteSpace: 'pre-wrap' }}>{String(value)}</span>;
}

function NumberValue({ value }: ValueProps) {
  const { locale } = useT();
  return typeof value === 'number' ? (
    <span>{new Intl.NumberFormat(locale).format(value)}</span>
  ) : (
    <Plain value={value} />
  );
}

function BooleanValue({ value }: ValueProps) {
  const { t } = useT();
  return typeof value === 'boolean' ? (
    <span>{t(value ? 'value.yes' : 'value.no')}</span>
  ) : (
    <Plain value={value} />
  );
}

/** The label of one choice in the person's language; the stored value when the form has no label for it. */
function useChoiceLabel(schema: FieldSchema, ui: FieldUi) {
  const { t, tx } = useT();
  const choices = choicesOf(schema, ui);
  return (v: unknown): string => {
    const label = choices.find((c) => c.value === v)?.label;
    if (label !== undefined && label !== null && tx(label)) return tx(label);
    if (typeof v === 'boolean') return t(v ? 'value.yes' : 'value.no');
    return String(v);
  };
}

function ChoiceValue({ value, schema, ui }: ValueProps) {
  const label = useChoiceLabel(schema, ui);
  if (Array.isArray(value)) return <ChoicesValue value={value} schema={schema} ui={ui} />;
  return <span>{label(value)}</span>;
}

function ChoicesValue({ value, schema, ui }: ValueProps) {
  const label = useChoiceLabel(schema, ui);
  const values = Array.isArray(value) ? value : [value];
  return (
    <Space wrap size={4}>
      {values.map((v) => (
        <Tag key={String(v)}>{label(v)}</Tag>
      ))}
    </Space>
  );
}

function DateValue({ value }: ValueProps) {
  const { locale } = useT();
  if (typeof value !== 'string') return <Plain value={value} />;
  return <time dateTime={value}>{formatDate(value, locale)}</time>;
}

function DateTimeValue({ value }: ValueProps) {
  const { locale } = useT();
  if (typeof value !== 'string') return <Plain value={value} />;
  return <time dateTime={value}>{formatDateTime(value, locale)}</time>;
}

/** A late answer for a key that has changed since is dropped. */
function useLookup<T>(key: string | null, look: (key: string) => Promise<T>): T | undefined {
  const [found, setFound] = useState<{ key: string; value: T } | undefined>(undefined);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    look(key).then(
      (value) => live && setFound({ key, value }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [key, look]);
  return found && found.key === key ? found.value : undefined;
}

/** A person's display name, for text; the username until it is known or if nobody has it. */
export function usePersonName(username: string | null): string | null {
  const name = useLookup(username, personName);
  return username === null ? null : (name ?? username);
}

/** A person by display name (their username on hover). */
export function Person({ username }: { username: string }) {
  const name = useLookup(username, personName);
  if (!name) return <span>{username}</span>;
  return (
    <Tooltip title={username}>
      <span data-username={username}>{name}</span>
    </Tooltip>
  );
}

function UserValue({ value }: ValueProps) {
  if (typeof value === 'string') return <Person username={value} />;
  if (Array.isArray(value))
    return (
      <Space wrap size={8}>
        {value.map((v) => (
          <Person key={String(v)} username={String(v)} />
        ))}
      </Space>
    );
  return <Plain value={value} />;
}

const groupsLookup = () => loadGroups();
/** A group by its name in the page's language (its key on hover). */
export function GroupName({ groupKey }: { groupKey: string }) {
  const { tx } = useT();
  const groups = useLookup('groups', groupsLookup);
  const group = groups?.find((g) => g.key === groupKey);
  if (!group) return <span>{groupKey}</span>;
  return (
    <Tooltip title={groupKey}>
      <span data-group={groupKey}>{tx(group.name)}</span>
    </Tooltip>
  );
}

function GroupValue({ value }: ValueProps) {
  if (typeof value !== 'string') return <Plain value={value} />;
  return <GroupName groupKey={value} />;
}

/** Where the value is shown: the record (for its files) and how this app links to another record. */
export interface FieldValueScope {
  recordId?: number;
  /** Bumped by the page after a change, so files uploaded since are found. */
  version?: number;
  recordHref?: (id: number) => string;
}
export const FieldValueContext = createContext<FieldValueScope>({});

function RecordValue({ value }: ValueProps) {
  const scope = useContext(FieldValueContext);
  const found = useLookup(typeof value === 'string' ? value : null, recordByNumber);
  if (typeof value !== 'string') return <Plain value={value} />;
  if (!found || !scope.recordHref) return <span>{value}</span>;
  return (
    <span>
      <a href={scope.recordHref(found.id)} data-record={value}>
        {value}
      </a>{' '}
      · {found.title}
    </span>
  );
}

function CiValue({ value }: ValueProps) {
  if (typeof value !== 'string') return <Plain value={value} />;
  return <Tag color="purple">{value}</Tag>;
}

/** The stored file names, each a download link to the record's attachment of that name (the latest one). */
function AttachmentValue({ value }: ValueProps) {
  const { t } = useT();
  const { recordId, version = 0 } = useContext(FieldValueContext);
  const [files, setFiles] = useState<Attachment[] | null>(null);
  useEffect(() => {
    if (recordId === undefined) return;
    let live = true;
    recordAttachments(recordId, version).then(
      (found) => live && setFiles(found),
      () => live && setFiles([]),
    );
    return () => {
      live = false;
    };
  }, [recordId, version]);
  const names = (Array.isArray(value) ? value : [value]).map(String);
  return (
    <Space direction="vertical" size={2}>
      {names.map((name) => {
        const file = files
          ?.filter((f) => f.filename === name)
          .reduce<Attachment | undefined>((a, b) => (a && a.id > b.id ? a : b), undefined);
        if (file)
          return (
            <a
              key={name}
              href={file.url}
              download={name}
              aria-label={t('value.download', { name })}
              data-attachment={name}
            >
              <PaperClipOutlined /> {name}
            </a>
          );
        return (
          <Typography.Text key={name} type={files ? 'secondary' : undefined}>
            <PaperClipOutlined /> {files && recordId !== undefined ? t('value.fileMissing', { name }) : name}
          </Typography.Text>
        );
      })}
    </Space>
  );
}

// Rich text and tables load with the first value that needs them (see markdown.tsx, value-table.tsx).
const MarkdownText = lazy(() => import('./markdown.tsx'));
const ValueTable = lazy(() => import('./value-table.tsx'));

function RichTextValue({ value }: ValueProps) {
  if (typeof value !== 'string') return <Plain value={value} />;
  return (
    <Suspense fallback={<Plain value={value} />}>
      <MarkdownText text={value} />
    </Suspense>
  );
}

function RatingValue({ value, schema }: ValueProps) {
  const { t } = useT();
  if (typeof value !== 'number') return <Plain value={value} />;
  const count = Math.min(Number(schema.maximum ?? 5) || 5, 10);
  return (
    <Rate
      disabled
      count={count}
      value={value}
      aria-label={t('value.rating', { n: value, max: count })}
      style={{ fontSize: 16 }}
    />
  );
}

/** A field's label as its form says it in the reader's language, else its key. */
export const fieldTitle = (schema: FieldSchema, key: string, tx: (v: unknown) => string) =>
  tx(schema['x-title']) || (typeof schema.title === 'string' ? schema.title : '') || key;

/** Rows of an array of objects as a small table, each cell shown by its column's own renderer. */
function TableValue({ value, schema, ui }: ValueProps) {
  const { tx } = useT();
  const items = asObject(schema.items);
  const columns = Object.entries(asObject(items.properties))
    .map(([key, s]) => ({ key, schema: asObject(s) }))
    .filter((c) => c.schema.type !== 'null');
  if (!Array.isArray(value) || columns.length === 0) return <Plain value={value} />;
  const itemUi = asObject(ui.items);
  return (
    <Suspense fallback={<Plain value={value} />}>
      <ValueTable
        rows={value.map(asObject)}
        columns={columns.map((c) => ({
          key: c.key,
          title: fieldTitle(c.schema, c.key, tx),
          render: (cell: unknown) => (
            <FieldValue value={cell} schema={c.schema} ui={asObject(itemUi[c.key])} />
          ),
        }))}
      />
    </Suspense>
  );
}

function ObjectValue({ value, schema, ui }: ValueProps) {
  const { tx } = useT();
  const properties = asObject(schema.properties);
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.keys(properties).length)
    return <Plain value={value} />;
  const v = value as Record<string, unknown>;
  return (
    <Descriptions
      size="small"
      column={1}
      items={Object.entries(properties)
        .filter(([k]) => !isEmptyValue(v[k]))
        .map(([k, s]) => ({
          key: k,
          label: fieldTitle(asObject(s), k, tx),
          children: <FieldValue value={v[k]} schema={asObject(s)} ui={asObject(ui[k])} />,
        }))}
    />
  );
}

function TextValue({ value }: ValueProps) {
  return <Plain value={value} />;
}

function ListValue({ value }: ValueProps) {
  return <Plain value={value} />;
}

/** One renderer per kind: the mechanism both apps share. */
const RENDERERS: Record<FieldKind, ComponentType<ValueProps> | null> = {
  text: TextValue,
  textarea: TextValue,
  number: NumberValue,
  boolean: BooleanValue,
  select: ChoiceValue,
  radio: ChoiceValue,
  checkboxes: ChoicesValue,
  date: DateValue,
  datetime: DateTimeValue,
  user: UserValue,
  group: GroupValue,
  record: RecordValue,
  ci: CiValue,
  attachment: AttachmentValue,
  richtext: RichTextValue,
  rating: RatingValue,
  section: null,
  table: TableValue,
  list: ListValue,
  object: ObjectValue,
};

/** One stored value, read-only, as its field's widget shows it; "—" when there is none. */
export function FieldValue(props: {
  value: unknown;
  schema?: FieldSchema;
  ui?: FieldUi;
  id?: string;
  testId?: string;
}) {
  const schema = props.schema ?? {};
  const ui = props.ui ?? {};
  const kind = fieldKind(schema, ui);
  const Renderer = RENDERERS[kind];
  if (!Renderer) return null;
  return (
    <div id={props.id} className="opsloom-field-value" data-kind={kind} data-testid={props.testId}>
      {isEmptyValue(props.value) ? (
        <Typography.Text type="secondary">—</Typography.Text>
      ) : (
        <Renderer value={props.value} schema={schema} ui={ui} />
      )}
    </div>
  );
}

/** `ui:order` as rjsf reads it: the listed fields first, `*` standing for the rest. */
function ordered(keys: string[], order: unknown): string[] {
  if (!Array.isArray(order)) return keys;
  const rest = keys.filter((k) => !order.includes(k));
  const out: string[] = [];
  for (const o of order) {
    if (o === '*') out.push(...rest);
    else if (typeof o === 'string' && keys.includes(o)) out.push(o);
  }
  return order.includes('*') ? out : [...out, ...rest];
}

/**
 * A record's values in the form's order, grouped under its sections, each shown by FieldValue;
 * empty fields are left out, values the form no longer has are shown last under their key.
 */
export function FieldValues(props: {
  schema?: { properties?: Record<string, FieldSchema> } | null;
  uiSchema?: FieldUi | null;
  data: Record<string, unknown>;
  scope?: FieldValueScope;
}) {
  const { tx } = useT();
  const properties = props.schema?.properties ?? {};
  const ui = props.uiSchema ?? {};
  const keys = [
    ...ordered(Object.keys(properties), ui['ui:order']),
    ...Object.keys(props.data).filter((k) => !(k in properties)),
  ];
  const groups: {
    key: string;
    title?: string;
    items: { key: string; label: ReactNode; children: ReactNode }[];
  }[] = [{ key: '', items: [] }];
  for (const key of keys) {
    const schema = properties[key] ?? {};
    const fieldUi = asObject(ui[key]);
    if (fieldKind(schema, fieldUi) === 'section') {
      groups.push({ key, title: fieldTitle(schema, key, tx), items: [] });
      continue;
    }
    const value = props.data[key];
    if (isEmptyValue(value)) continue;
    groups[groups.length - 1]!.items.push({
      key,
      label: fieldTitle(schema, key, tx),
      children: <FieldValue value={value} schema={schema} ui={fieldUi} testId={`field-value-${key}`} />,
    });
  }
  return (
    <FieldValueContext.Provider value={props.scope ?? {}}>
      <div data-testid="field-values">
        {groups
          .filter((g) => g.items.length > 0)
          .map((g) => (
            <div key={g.key} data-testid={g.key ? `values-section-${g.key}` : undefined}>
              <Descriptions
                title={g.title}
                column={1}
                size="small"
                items={g.items}
                style={{ marginBottom: 12 }}
              />
            </div>
          ))}
      </div>
    </FieldValueContext.Provider>
  );
}
