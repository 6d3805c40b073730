import { RE2JS } from 're2js';
import type { LocalizedMessage } from './i18n.ts';

/**
 * Regular expressions that come from definitions — CEL's `matches` and a form's JSON Schema
 * `pattern` — run on RE2 (re2js), whose matching time grows linearly with the input. JavaScript's
 * backtracking engine takes exponential time on patterns such as `^(a+)+$`: thirty characters
 * from a requester once held the server for seconds. RE2 has no look-around and no
 * back-references; a pattern that needs them is refused when the definition is saved.
 *
 * CEL's own `matches` (patched into @marcbachmann/cel-js, see patches/) uses the same engine.
 */

const compiled = new Map<string, RE2JS>();
const CACHE_LIMIT = 1000;

/** The RE2 program for `pattern` (cached); throws when RE2 cannot run it. */
export function compileRegex(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    compiled.set(pattern, re);
    if (compiled.size > CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
  }
  return re;
}

/** Null when RE2 runs `pattern`; otherwise why not, in both languages. */
export function regexProblem(pattern: string): LocalizedMessage | null {
  try {
    compileRegex(pattern);
    return null;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      'zh-CN': `正则表达式无法使用：${detail}（不支持前后查找和反向引用，它们可能使匹配耗时呈指数增长）`,
      en: `the regular expression cannot be used: ${detail} (look-around and back-references are not supported: they can make matching take exponential time)`,
    };
  }
}

/**
 * ajv's `code.regExp` engine: JSON Schema `pattern` (and `patternProperties`) checked by RE2.
 * ajv passes the flags it wants ("u"); RE2 matches Unicode text without being asked.
 */
export function re2RegExpEngine(pattern: string, _flags: string): { test(s: string): boolean } {
  const re = compileRegex(pattern);
  return { test: (s: string) => re.test(s) };
}
// ajv names the engine by `code` only in standalone (generated-file) output, which Opsloom does not use.
re2RegExpEngine.code = 're2RegExpEngine';
