import {
  activeRules,
  authoredMessage,
  type FormDefinition,
  type I18nText,
  locateExpressionError,
  type RecordStatus,
  re2RegExpEngine,
  type StatusCategory,
  SYSTEM_STATUSES,
} from '@opsloom/spec';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';
import { currentVersion, latestPublished } from '../definitions/current.ts';
import { ApiError } from '../http/errors.ts';
import { type FieldProblem, toFieldProblems } from '../http/validate.ts';
import { translateBoth } from '../i18n/translate.ts';

export interface LoadedForm {
  key: string;
  version: number;
  def: FormDefinition;
  validate: ValidateFunction;
  /** The paths to the fields its schema marks `readOnly`; null when it has none. */
  readOnly: ReadOnlyTree | null;
}

/**
 * Fields a form's schema marks `readOnly` are the process's to fill (an edge's or service task's
 * `set`, a callback, a rule's action), never a person's: a requester must not mark their own
 * request approved, nor a release's application merged. This tree holds just the paths that lead
 * to them, through `properties` and array `items`, so a form without any costs a check nothing.
 */
type ReadOnlyTree =
  | { leaf: true; default: unknown }
  | { leaf: false; props: [string, ReadOnlyTree][]; items: ReadOnlyTree | null };

function readOnlyTree(schema: unknown): ReadOnlyTree | null {
  if (!schema || typeof schema !== 'object') return null;
  const s = schema as { readOnly?: unknown; default?: unknown; properties?: object; items?: unknown };
  if (s.readOnly === true) return { leaf: true, default: s.default };
  const props: [string, ReadOnlyTree][] = [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    const tree = readOnlyTree(sub);
    if (tree) props.push([key, tree]);
  }
  const items = readOnlyTree(s.items);
  return props.length || items ? { leaf: false, props, items } : null;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Problems for the read-only values in what a person sent: each must be left out, or keep the
 * value it had (`before`; its schema default when the record or list item is new). Array items
 * are compared by position.
 */
function readOnlyWrites(
  tree: ReadOnlyTree,
  sent: unknown,
  before: unknown,
  path: string,
  out: FieldProblem[],
) {
  if (tree.leaf) {
    if (sent !== undefined && !sameJson(sent, before === undefined ? tree.default : before))
      out.push({
        path,
        message: {
          en: 'is set by the process and cannot be entered by hand',
          'zh-CN': '由流程设置，不能手工填写',
        },
      });
    return;
  }
  if (isObject(sent))
    for (const [key, sub] of tree.props)
      readOnlyWrites(sub, sent[key], isObject(before) ? before[key] : undefined, `${path}/${key}`, out);
  if (tree.items && Array.isArray(sent)) {
    const items = tree.items;
    sent.forEach((item, i) => {
      readOnlyWrites(items, item, Array.isArray(before) ? before[i] : undefined, `${path}/${i}`, out);
    });
  }
}

// Form versions are immutable, so a compiled form is cached forever by key@version; which
// version is current comes from definitions/current.ts.
const compiled = new Map<string, LoadedForm>();
// A form's `pattern`s come from its admin and its values from requesters: RE2 runs them in linear
// time (spec's regex.ts), where JavaScript's engine can backtrack for seconds.
const ajv = addFormats(
  new Ajv({ allErrors: true, strict: false, useDefaults: true, code: { regExp: re2RegExpEngine } }),
);

export async function loadForm(db: Knex, key: string, version?: number): Promise<LoadedForm> {
  let v = version;
  if (v === undefined) {
    const current = await currentVersion(db, 'form', key);
    if (current === null) {
      throw new ApiError(404, 'not_found', 'error.not_found', {
        what: translateBoth('what.record_type', { key }),
      });
    }
    v = current;
  }
  const id = `${key}@${v}`;
  const hit = compiled.get(id);
  if (hit) return hit;
  const row = await db('definition_versions').where({ kind: 'form', key, version: v }).first('body');
  if (!row)
    throw new ApiError(404, 'not_found', 'error.not_found', {
      what: translateBoth('what.record_type', { key }),
    });
  const def = fromJson<FormDefinition>(row.body)!;
  const loaded: LoadedForm = {
    key,
    version: v,
    def,
    validate: ajv.compile(def.schema),
    readOnly: readOnlyTree(def.schema),
  };
  compiled.set(id, loaded);
  return loaded;
}

const statusMaps = new WeakMap<LoadedForm, Map<string, RecordStatus>>();

function statusMap(form: LoadedForm): Map<string, RecordStatus> {
  let map = statusMaps.get(form);
  if (!map) {
    map = new Map((form.def.statuses ?? []).map((s) => [s.key, s]));
    statusMaps.set(form, map);
  }
  return map;
}

/**
 * The status `status` of a record made with version `formVersion` of form `type`: as the form's
 * latest published version declares it (a renamed status reads the same on old records, a retired
 * type's records keep their names), else as the record's own version did, else as a system status
 * (spec's SYSTEM_STATUSES); null when none of them has it.
 */
export async function recordStatus(
  db: Knex,
  type: string,
  formVersion: number,
  status: string,
): Promise<RecordStatus | null> {
  const latest = await latestPublished(db, 'form', type);
  if (latest !== null) {
    const found = statusMap(await loadForm(db, type, latest)).get(status);
    if (found) return found;
  }
  const own =
    latest === formVersion ? undefined : statusMap(await loadForm(db, type, formVersion)).get(status);
  return own ?? SYSTEM_STATUSES.find((s) => s.key === status) ?? null;
}

/** A status's name and category as record views carry them beside its key. */
export function statusFields(status: RecordStatus | null): {
  statusName: I18nText | null;
  statusCategory: StatusCategory | null;
} {
  return { statusName: status?.name ?? null, statusCategory: status?.category ?? null };
}

export interface FieldAccess {
  editable?: string[];
  readonly?: string[];
  hidden?: string[];
  required?: string[];
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Fills a derived priority from the impact × urgency matrix, when the form has one. A field left
 * out counts with its schema default, as the record will hold it (an incident raised with its
 * impact only is still prioritised).
 */
export function derivePriority(form: FormDefinition, data: Record<string, unknown>): void {
  const m = form.priorityMatrix;
  if (!m) return;
  const props = form.schema.properties as Record<string, { default?: unknown } | undefined>;
  const impact = data[m.impactField] ?? props[m.impactField]?.default;
  const urgency = data[m.urgencyField] ?? props[m.urgencyField]?.default;
  if (impact === undefined || urgency === undefined) return;
  const priority = m.matrix[String(impact)]?.[String(urgency)];
  if (priority !== undefined) data[m.priorityField ?? 'priority'] = priority;
}

/**
 * Validates record data against the form's JSON Schema and its field rules, and — when the
 * record is at a process step — the step's field access. Every problem names its field.
 * `sent` is what a person sent (a create's data, an edit's or a task action's changes): its
 * values for read-only fields are checked against `before`. The process's own writes pass none.
 */
export function checkRecordData(
  form: LoadedForm,
  data: Record<string, unknown>,
  status: string,
  opts: { before?: Record<string, unknown>; access?: FieldAccess; sent?: Record<string, unknown> } = {},
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const readOnly: FieldProblem[] = [];
  if (opts.sent && form.readOnly) readOnlyWrites(form.readOnly, opts.sent, opts.before, '', readOnly);
  problems.push(...readOnly);
  const valid = form.validate(data);
  if (!valid)
    problems.push(
      ...toFieldProblems(form.validate.errors, (e) =>
        authoredMessage(form.def.schema, e.schemaPath, e.keyword),
      ),
    );
  const rules = formRules(form, data, status);
  problems.push(...missingRequired(rules, data, opts.access?.required, REQUIRED_HERE));
  if (opts.before) {
    const locked = new Set([...rules.readonly, ...(opts.access?.readonly ?? [])]);
    const editable = opts.access?.editable ? new Set(opts.access.editable) : null;
    for (const field of new Set([...Object.keys(data), ...Object.keys(opts.before)])) {
      if (sameJson(data[field], opts.before[field])) continue;
      // A read-only field's change is already named above, with its reason.
      if (readOnly.some((p) => p.path === `/${field}` || p.path.startsWith(`/${field}/`))) continue;
      if (locked.has(field) || (editable && !editable.has(field)) || opts.access?.hidden?.includes(field)) {
        problems.push({
          path: `/${field}`,
          message: { en: 'cannot be changed at this step', 'zh-CN': '当前步骤不可修改此字段' },
        });
      }
    }
  }
  return problems;
}

const REQUIRED_HERE = { en: 'is required here', 'zh-CN': '此处为必填项' };

/** The form's rules for these values; a rule that ran out of budget names this form. */
function formRules(form: LoadedForm, data: Record<string, unknown>, status: string) {
  try {
    return activeRules(form.def.rules, data, status);
  } catch (error) {
    throw locateExpressionError(error, { definition: `form ${form.key}@${form.version}` });
  }
}

/** The fields the rules (and a step) require that `data` leaves empty, each with `message`. */
function missingRequired(
  rules: ReturnType<typeof activeRules>,
  data: Record<string, unknown>,
  alsoRequired: string[] | undefined,
  message: FieldProblem['message'],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of new Set([...rules.required, ...(alsoRequired ?? [])])) {
    if (rules.hidden.has(field)) continue;
    if (isEmpty(data[field])) problems.push({ path: `/${field}`, message });
  }
  return problems;
}

/**
 * What the form's rules require of a record at `status` that `data` leaves empty. A person's
 * action is checked with it where it leaves the record: a rule "require the permanent fix when
 * resolved" is met when the record is resolved, or every later step there would be refused for
 * a field nobody may fill any more.
 */
export function requiredAtStatus(
  form: LoadedForm,
  data: Record<string, unknown>,
  status: string,
): FieldProblem[] {
  return missingRequired(formRules(form, data, status), data, undefined, {
    en: 'is required where this action leads',
    'zh-CN': '此操作进入的状态要求填写此项',
  });
}

export function fieldError(problems: FieldProblem[]): ApiError {
  const first = problems[0]!;
  return new ApiError(
    400,
    'validation_failed',
    'error.record_invalid',
    {
      count: problems.length,
      first: { en: `${first.path} ${first.message.en}`, 'zh-CN': `${first.path} ${first.message['zh-CN']}` },
    },
    { problems },
  );
}
