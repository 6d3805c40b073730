import type { LocalizedMessage } from '@opsloom/spec';

/**
 * What can go wrong running a report that the caller (or the report's author) can fix. The
 * runtime answers it as a 400 (`param` set: a parameter's value) or a 422 (the definition asks
 * for something the data cannot give), with `message` in both languages.
 */
export type ReportErrorCode =
  /** A parameter value that does not fit its type, or a parameter the report does not declare. */
  | 'bad_param'
  /** A drill-down cell token that was altered or belongs to another report. */
  | 'bad_cell'
  /** A field the dataset has no SQL for (e.g. a form field that is not indexed). */
  | 'bad_field'
  /** More rows than a measure computed in memory (business time) may read. */
  | 'too_many_rows';

export class ReportError extends Error {
  constructor(
    readonly code: ReportErrorCode,
    readonly localized: LocalizedMessage,
    /** The parameter at fault, for `bad_param`. */
    readonly param?: string,
  ) {
    super(localized.en);
    this.name = 'ReportError';
  }
}

export const badParam = (param: string, reason: LocalizedMessage) =>
  new ReportError(
    'bad_param',
    { 'zh-CN': `参数 ${param} ${reason['zh-CN']}`, en: `parameter ${param} ${reason.en}` },
    param,
  );
