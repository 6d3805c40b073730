import type { LocalizedMessage } from '../i18n.ts';

/**
 * Every `pattern` the schemas use, with what it means in words. ajv only reports the raw
 * regular expression; the validator looks the pattern up here so an admin reads
 * "an ISO-8601 duration such as PT4H" instead of a regex.
 */
export const PATTERNS = {
  key: {
    source: '^[a-z][a-z0-9_.-]{1,63}$',
    describe: {
      'zh-CN': '以小写字母开头、2–64 位的小写字母、数字、"_"、"."、"-"（例如 incident-flow）',
      en: '2–64 lowercase letters, digits, "_", "." or "-", starting with a letter (e.g. incident-flow)',
    },
  },
  id: {
    source: '^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$',
    describe: {
      'zh-CN': '以字母或 "_" 开头、最多 64 位的字母、数字、"_"、"."、":"、"-"',
      en: 'up to 64 letters, digits, "_", ".", ":" or "-", starting with a letter or "_"',
    },
  },
  numberPrefix: {
    source: '^[A-Z][A-Z0-9]{1,9}$',
    describe: {
      'zh-CN': '2–10 位大写字母或数字、以大写字母开头（例如 INC）',
      en: '2–10 uppercase letters or digits, starting with a letter (e.g. INC)',
    },
  },
  duration: {
    source: '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$',
    describe: {
      'zh-CN': 'ISO-8601 时长，例如 PT30M、PT4H、P2D',
      en: 'an ISO-8601 duration such as PT30M, PT4H or P2D',
    },
  },
  time: {
    source: '^([01]\\d|2[0-3]):[0-5]\\d$',
    describe: { 'zh-CN': '24 小时制时间 HH:mm，例如 09:00', en: 'a 24-hour time HH:mm such as 09:00' },
  },
} as const satisfies Record<string, { source: string; describe: LocalizedMessage }>;

export function describePattern(source: string): LocalizedMessage | undefined {
  for (const p of Object.values(PATTERNS)) if (p.source === source) return p.describe;
  return undefined;
}
