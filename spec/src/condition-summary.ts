import { compileExpression } from './expression.ts';
import { type I18nText, type Locale, localize } from './i18n.ts';

/**
 * A CEL condition as a person reads it, in their language, with the form's field titles and
 * choice labels: `record.changeType == "standard"` → "Change type = Standard" / "变更类型 = 标准".
 * The common shapes are read (==, !=, <, <=, >, >=, in, contains, &&, ||, !, "is empty" as
 * `== ""`, `== null`, `size(x) == 0` or `!has(x)`, and `all` / `exists` over a table field); a
 * part of any other shape is kept as written, and a summary holding such a part, like an
 * expression that does not parse, is shortened to `maxLength` characters.
 *
 * The process canvas labels its edges with it; anything that shows a condition to a person can.
 */

/** The parts of a form a summary reads: the JSON Schema (titles, enums) and the uiSchema (choice labels). */
export interface ConditionForm {
  schema?: unknown;
  uiSchema?: unknown;
}

export interface DescribeOptions {
  /** Longest text for a summary that keeps raw parts (default 60 characters). */
  maxLength?: number;
}

const WORDS = {
  'zh-CN': {
    and: ' 且 ',
    or: ' 或 ',
    not: '非',
    empty: '为空',
    notEmpty: '不为空',
    in: '属于',
    notIn: '不属于',
    contains: '包含',
    notContains: '不包含',
    all: '全部',
    any: '任一',
    yes: '是',
    no: '否',
    list: '、',
    colon: '：',
    open: '（',
    close: '）',
  },
  en: {
    and: ' and ',
    or: ' or ',
    not: 'not ',
    empty: 'is empty',
    notEmpty: 'is not empty',
    in: 'is one of',
    notIn: 'is none of',
    contains: 'contains',
    notContains: 'does not contain',
    all: 'All ',
    any: 'Any ',
    yes: 'Yes',
    no: 'No',
    list: ', ',
    colon: ': ',
    open: '(',
    close: ')',
  },
} as const;

const COMPARISONS: Record<string, string> = {
  '==': '=',
  '!=': '≠',
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
};
/** The comparison read from the other side: `27 < record.t` is `record.t > 27`. */
const FLIPPED: Record<string, string> = {
  '==': '==',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

interface Node {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const isNode = (v: unknown): v is Node => isObject(v) && typeof v.op === 'string';

/** What a reference names: its title, and the schema and uiSchema that give its choices. */
interface Field {
  title: string;
  schema: Json;
  ui: Json;
  /** A macro's item (`a` in `record.apps.all(a, …)`): its properties go by their own titles. */
  item?: boolean;
}

/** A described part, and how tightly it binds (parentheses go around looser parts). */
interface Part {
  text: string;
  level: 'or' | 'and' | 'atom';
}

class Summarizer {
  raw = false;
  readonly words: (typeof WORDS)[Locale];
  constructor(
    readonly source: string,
    readonly locale: Locale,
    readonly form: ConditionForm | undefined,
  ) {
    this.words = WORDS[locale];
  }

  /** The source text of a part this summarizer cannot read. */
  verbatim(node: Node): Part {
    this.raw = true;
    const text =
      typeof node.start === 'number' && typeof node.end === 'number'
        ? this.source.slice(node.start, node.end)
        : this.source;
    return { text: text.replace(/\s+/g, ' ').trim(), level: 'atom' };
  }

  condition(node: Node, scope: Map<string, Field>): Part {
    const w = this.words;
    const args = Array.isArray(node.args) ? node.args : [];
    switch (node.op) {
      case '&&':
      case '||': {
        const level = node.op === '&&' ? 'and' : 'or';
        const parts = args.filter(isNode).map((a) => this.condition(a, scope));
        if (parts.length !== 2) return this.verbatim(node);
        const text = parts
          .map((p) => (level === 'and' && p.level === 'or' ? `${w.open}${p.text}${w.close}` : p.text))
          .join(level === 'and' ? w.and : w.or);
        return { text, level };
      }
      case '!_':
        return this.negation(node, scope);
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.comparison(node, scope);
      case 'in':
        return this.membership(node, scope, false) ?? this.verbatim(node);
      case 'call':
      case 'rcall':
        return this.call(node, scope, false) ?? this.verbatim(node);
      default: {
        // A bare yes/no field: `record.urgent` reads "Urgent = Yes".
        const field = this.field(node, scope);
        if (field) return { text: `${field.title} = ${w.yes}`, level: 'atom' };
        return this.verbatim(node);
      }
    }
  }

  negation(node: Node, scope: Map<string, Field>): Part {
    const w = this.words;
    const inner = isNode(node.args) ? node.args : undefined;
    if (!inner) return this.verbatim(node);
    const field = this.field(inner, scope);
    if (field) return { text: `${field.title} = ${w.no}`, level: 'atom' };
    if (inner.op === 'in') return this.membership(inner, scope, true) ?? this.verbatim(node);
    if (inner.op === 'call' || inner.op === 'rcall') {
      const negated = this.call(inner, scope, true);
      if (negated) return negated;
    }
    const part = this.condition(inner, scope);
    const text =
      part.level === 'atom' && !/\s/.test(part.text) ? part.text : `${w.open}${part.text}${w.close}`;
    return { text: `${w.not}${text}`, level: 'atom' };
  }

  comparison(node: Node, scope: Map<string, Field>): Part {
    const w = this.words;
    const [a, b] = (node.args as unknown[]).filter(isNode);
    if (!a || !b) return this.verbatim(node);
    let op = node.op;
    let left = a;
    let right = b;
    if (!this.field(a, scope) && !this.sized(a, scope) && (this.field(b, scope) || this.sized(b, scope))) {
      left = b;
      right = a;
      op = FLIPPED[op] ?? op;
    }
    // Emptiness: `x == ""`, `x == null`, `x == []`, `size(x) == 0`, `size(x) > 0`.
    const sized = this.sized(left, scope);
    if (sized && isLiteral(right) && Number(right.args) === 0 && ['==', '!=', '>', '<='].includes(op))
      return { text: `${sized.title} ${op === '==' || op === '<=' ? w.empty : w.notEmpty}`, level: 'atom' };
    const field = this.field(left, scope);
    if (field && (op === '==' || op === '!=') && isEmptyLiteral(right))
      return { text: `${field.title} ${op === '==' ? w.empty : w.notEmpty}`, level: 'atom' };
    const l = field ? field.title : this.operand(left, undefined, scope);
    const r = this.operand(right, field, scope);
    if (l === undefined || r === undefined) return this.verbatim(node);
    return { text: `${l} ${COMPARISONS[op]} ${r}`, level: 'atom' };
  }

  /** `x in [..]` (one of the choices) and `"v" in record.tags` (a list field holds v). */
  membership(node: Node, scope: Map<string, Field>, negated: boolean): Part | undefined {
    const w = this.words;
    const [item, list] = (node.args as unknown[]).filter(isNode);
    if (!item || !list) return undefined;
    const field = this.field(item, scope);
    if (field && list.op === 'list' && Array.isArray(list.args)) {
      const values = list.args.map((v) => (isNode(v) ? this.operand(v, field, scope) : undefined));
      if (values.some((v) => v === undefined)) return undefined;
      return { text: `${field.title} ${negated ? w.notIn : w.in} ${values.join(w.list)}`, level: 'atom' };
    }
    const holder = this.field(list, scope);
    if (holder) {
      const value = this.operand(item, this.itemsOf(holder), scope);
      if (value === undefined) return undefined;
      return { text: `${holder.title} ${negated ? w.notContains : w.contains} ${value}`, level: 'atom' };
    }
    return undefined;
  }

  /** `has(x)`, `x.contains("…")`, `x.all(a, …)`, `x.exists(a, …)`. */
  call(node: Node, scope: Map<string, Field>, negated: boolean): Part | undefined {
    const w = this.words;
    const args = node.args as unknown[];
    if (node.op === 'call') {
      const [name, params] = args as [unknown, unknown];
      const target =
        Array.isArray(params) && params.length === 1 && isNode(params[0]) ? params[0] : undefined;
      const field = target && this.field(target, scope);
      if (name === 'has' && field)
        return { text: `${field.title} ${negated ? w.empty : w.notEmpty}`, level: 'atom' };
      return undefined;
    }
    const [name, receiver, params] = args as [unknown, unknown, unknown];
    const field = isNode(receiver) ? this.field(receiver, scope) : undefined;
    if (!field || !Array.isArray(params)) return undefined;
    if (name === 'contains' && params.length === 1 && isNode(params[0])) {
      const value = this.operand(params[0], undefined, scope);
      if (value === undefined) return undefined;
      return { text: `${field.title} ${negated ? w.notContains : w.contains} ${value}`, level: 'atom' };
    }
    if ((name === 'all' || name === 'exists') && params.length === 2 && !negated) {
      const [variable, body] = params as [unknown, unknown];
      if (!isNode(variable) || variable.op !== 'id' || typeof variable.args !== 'string' || !isNode(body))
        return undefined;
      const inner = new Map(scope);
      inner.set(variable.args, { ...this.itemsOf(field), item: true });
      const part = this.condition(body, inner);
      return { text: `${name === 'all' ? w.all : w.any}${field.title}${w.colon}${part.text}`, level: 'atom' };
    }
    return undefined;
  }

  /** The field `size(x)` / `x.size()` measures. */
  sized(node: Node, scope: Map<string, Field>): Field | undefined {
    const args = node.args as unknown[];
    if (node.op === 'call' && args[0] === 'size' && Array.isArray(args[1]) && args[1].length === 1)
      return isNode(args[1][0]) ? this.field(args[1][0], scope) : undefined;
    if (
      node.op === 'rcall' &&
      args[0] === 'size' &&
      isNode(args[1]) &&
      Array.isArray(args[2]) &&
      !args[2].length
    )
      return this.field(args[1], scope);
    return undefined;
  }

  /** A reference to the record's data (`record.a.b`, `record["a"]`) or to a macro's item. */
  field(node: Node, scope: Map<string, Field>): Field | undefined {
    if (node.op === 'id' && typeof node.args === 'string') return scope.get(node.args);
    if (node.op !== '.' && node.op !== '[]' && node.op !== '.?') return undefined;
    const [base, key] = node.args as [unknown, unknown];
    const name = isNode(key)
      ? key.op === 'value' && typeof key.args === 'string'
        ? key.args
        : undefined
      : key;
    if (typeof name !== 'string' || !isNode(base)) return undefined;
    if (base.op === 'id' && base.args === 'record') {
      const schema = this.form?.schema;
      const ui = this.form?.uiSchema;
      return this.child(
        { title: '', schema: isObject(schema) ? schema : {}, ui: isObject(ui) ? ui : {} },
        name,
      );
    }
    const parent = this.field(base, scope);
    return parent ? this.child(parent, name) : undefined;
  }

  child(parent: Field, name: string): Field {
    const properties = isObject(parent.schema.properties) ? parent.schema.properties : {};
    const schema = isObject(properties[name]) ? (properties[name] as Json) : {};
    const ui = isObject(parent.ui[name]) ? (parent.ui[name] as Json) : {};
    const own =
      localize((schema['x-title'] ?? schema.title) as I18nText | undefined, this.locale) ||
      localize(ui['ui:title'] as I18nText | undefined, this.locale) ||
      name;
    return { title: parent.title && !parent.item ? `${parent.title} · ${own}` : own, schema, ui };
  }

  /** The element of a list field (a table's row, a multi-select's choice). */
  itemsOf(field: Field): Field {
    return {
      title: field.title,
      schema: isObject(field.schema.items) ? field.schema.items : {},
      ui: isObject(field.ui.items) ? field.ui.items : {},
    };
  }

  /** A value as read: a choice's label, Yes/No, a number, a text; a field's title. */
  operand(node: Node, field: Field | undefined, scope: Map<string, Field>): string | undefined {
    const w = this.words;
    if (node.op === '-_' && isLiteral(node.args) && isNumber(node.args.args))
      return `-${String(node.args.args)}`;
    if (node.op === 'list' && Array.isArray(node.args)) {
      const items = node.args.map((v) => (isNode(v) ? this.operand(v, field, scope) : undefined));
      return items.some((v) => v === undefined) ? undefined : items.join(w.list);
    }
    if (!isLiteral(node)) {
      const other = this.field(node, scope);
      return other ? other.title : undefined;
    }
    const value = node.args;
    if (value === null) return w.empty;
    if (typeof value === 'boolean') return value ? w.yes : w.no;
    if (isNumber(value)) return String(value);
    if (typeof value !== 'string') return undefined;
    return (field && choiceLabel(field, value, this.locale)) ?? value;
  }
}

const isLiteral = (v: unknown): v is Node => isNode(v) && v.op === 'value';
const isNumber = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';
const isEmptyLiteral = (v: Node): boolean =>
  (isLiteral(v) && (v.args === null || v.args === '')) ||
  (v.op === 'list' && Array.isArray(v.args) && v.args.length === 0);

/** The label of a choice: `ui:enumNames` beside `enum`, or a `oneOf` entry's title. */
function choiceLabel(field: Field, value: string, locale: Locale): string | undefined {
  const { schema, ui } = field;
  if (Array.isArray(schema.enum)) {
    const i = schema.enum.indexOf(value);
    const options = isObject(ui['ui:options']) ? ui['ui:options'] : {};
    const names = Array.isArray(ui['ui:enumNames'])
      ? ui['ui:enumNames']
      : Array.isArray(options.enumNames)
        ? options.enumNames
        : undefined;
    const name = i >= 0 ? names?.[i] : undefined;
    if (name !== undefined) return localize(name as I18nText, locale) || undefined;
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    const hit = list.find((c) => isObject(c) && c.const === value) as Json | undefined;
    const title = hit && (hit['x-title'] ?? hit.title);
    if (title !== undefined) return localize(title as I18nText, locale) || undefined;
  }
  return undefined;
}

/** `text` cut to `max` characters with an ellipsis. */
export function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

export function describeCondition(
  expression: string,
  locale: Locale,
  form?: ConditionForm,
  options: DescribeOptions = {},
): string {
  const max = options.maxLength ?? 60;
  const flat = expression.replace(/\s+/g, ' ').trim();
  let ast: unknown;
  try {
    ast = compileExpression(expression).ast;
  } catch {
    return shorten(flat, max);
  }
  if (!isNode(ast)) return shorten(flat, max);
  const summarizer = new Summarizer(expression, locale, form);
  const { text } = summarizer.condition(ast, new Map());
  return summarizer.raw ? shorten(text, max) : text;
}
