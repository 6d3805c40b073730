import {
  Context,
  Liquid,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  toPromise,
  toValue,
  toValueSync,
} from 'liquidjs';
import { type I18nText, type Locale, type LocalizedMessage, localize } from './i18n.ts';

/**
 * Liquid templates for notification subjects and bodies, webhook URLs and bodies, guard
 * messages. Sandboxed:
 *  - `ownPropertyOnly`: `{{ x.constructor }}` or `{{ x.__proto__ }}` render nothing;
 *  - `templates: {}`: include/render/layout resolve against an empty in-memory map, never
 *    the file system (so the same code runs in the browser);
 *  - `strictFilters`: an unknown filter is a parse error the designer shows at once;
 *  - budgets, so no template and no data can stall the runtime or fill its memory: liquidjs's
 *    own `parseLimit` (template length), `renderLimit` (milliseconds of rendering) and
 *    `memoryLimit` (what ranges and filters allocate), and a cap on the output itself, which
 *    liquidjs does not count (a 139-character template once rendered 100 MB).
 *
 * The locale picks the `date` filter's language and what the `localize` filter returns
 * for an I18nText value (`{{ item.name | localize }}`); `locale` is also a variable.
 */

export interface RenderOptions {
  locale?: Locale;
}

const LIMITS = { parseLimit: 100_000, renderLimit: 100, memoryLimit: 1_000_000 };
/** The most characters one rendering may produce: far more than any message or request body. */
export const TEMPLATE_OUTPUT_LIMIT = 1_000_000;

/** liquidjs's emitter, refusing output past the cap (its own emitter only concatenates). */
class CappedEmitter {
  buffer = '';
  write(html: unknown): void {
    const text = asText(html);
    if (this.buffer.length + text.length > TEMPLATE_OUTPUT_LIMIT)
      // liquidjs wraps it as a RenderError naming the tag that wrote too much.
      throw new Error(`output exceeds the limit of ${TEMPLATE_OUTPUT_LIMIT} characters`);
    this.buffer += text;
  }
}

/** How liquidjs turns an output value into text. */
function asText(value: unknown): string {
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(asText).join('');
  return String(v);
}
const PARSE_CACHE_LIMIT = 500;

interface Engine {
  liquid: Liquid;
  parsed: Map<string, Template[]>;
}

const engines = new Map<Locale, Engine>();

function engine(locale: Locale): Engine {
  let found = engines.get(locale);
  if (!found) {
    const liquid = new Liquid({
      ownPropertyOnly: true,
      strictFilters: true,
      strictVariables: false,
      templates: {},
      dynamicPartials: false,
      locale,
      globals: { locale },
      ...LIMITS,
    });
    for (const tag of ['include', 'render', 'layout']) liquid.registerTag(tag, NoPartials);
    liquid.registerFilter('localize', (value: unknown) =>
      isI18nText(value) ? localize(value, locale) : value == null ? '' : value,
    );
    found = { liquid, parsed: new Map() };
    engines.set(locale, found);
  }
  return found;
}

/** Partials would need a file system or a template store; refuse them when parsing so the designer says so. */
class NoPartials extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    throw new Error(`"${token.name}" is not available: templates cannot include other templates`);
  }
  *render(): Generator<unknown, void, unknown> {}
}

function isI18nText(value: unknown): value is I18nText {
  return typeof value === 'string' || (value !== null && typeof value === 'object' && !Array.isArray(value));
}

function parse(source: string, locale: Locale): { liquid: Liquid; templates: Template[] } {
  const e = engine(locale);
  let templates = e.parsed.get(source);
  if (!templates) {
    templates = e.liquid.parse(source);
    e.parsed.set(source, templates);
    if (e.parsed.size > PARSE_CACHE_LIMIT) {
      const oldest = e.parsed.keys().next().value;
      if (oldest !== undefined) e.parsed.delete(oldest);
    }
  }
  return { liquid: e.liquid, templates };
}

export class TemplateError extends Error {
  override name = 'TemplateError';
  readonly localized: LocalizedMessage;
  constructor(localized: LocalizedMessage, options?: { cause?: unknown }) {
    super(localized.en, options);
    this.localized = localized;
  }
}

function wrap(error: unknown, phase: 'parse' | 'render'): TemplateError {
  const detail = firstLine(error);
  return new TemplateError(
    phase === 'parse'
      ? { 'zh-CN': `模板语法错误：${detail}`, en: `Template syntax error: ${detail}` }
      : { 'zh-CN': `模板渲染失败：${detail}`, en: `Template rendering failed: ${detail}` },
    { cause: error },
  );
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** Renders with the async engine (filters may be async in future). Throws TemplateError. */
export async function renderTemplate(
  source: string,
  context: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<string> {
  const { liquid, templates } = parseOrThrow(source, options.locale ?? 'zh-CN');
  try {
    const ctx = new Context(context, liquid.options, { sync: false });
    return String(await toPromise(liquid.renderer.renderTemplates(templates, ctx, new CappedEmitter())));
  } catch (error) {
    throw wrap(error, 'render');
  }
}

export function renderTemplateSync(
  source: string,
  context: Record<string, unknown>,
  options: RenderOptions = {},
): string {
  const { liquid, templates } = parseOrThrow(source, options.locale ?? 'zh-CN');
  try {
    const ctx = new Context(context, liquid.options, { sync: true });
    return String(toValueSync(liquid.renderer.renderTemplates(templates, ctx, new CappedEmitter())));
  } catch (error) {
    throw wrap(error, 'render');
  }
}

function parseOrThrow(source: string, locale: Locale) {
  try {
    return parse(source, locale);
  } catch (error) {
    throw wrap(error, 'parse');
  }
}

/** Null when the template parses; otherwise what is wrong, in both languages. */
export function checkTemplate(source: string): LocalizedMessage | null {
  try {
    parse(source, 'zh-CN');
    return null;
  } catch (error) {
    return wrap(error, 'parse').localized;
  }
}
