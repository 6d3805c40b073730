import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * Report rows as CSV or XLSX, streamed: rows are written as they come from an async iterable, so
 * an export of a million rows holds one row at a time (exceljs' streaming WorkbookWriter commits
 * each row to the zip stream; nothing is kept per row).
 *
 * CSV starts with a UTF-8 byte order mark so Excel reads Chinese text; values are quoted as
 * RFC 4180 says. A text cell that starts with = + - @ (or a tab / carriage return) gets a leading
 * apostrophe in CSV — Excel would otherwise run it as a formula (CSV injection); XLSX cells are
 * typed values and never formulas.
 */

export type Cell = string | number | null;

export interface ExportTable {
  /** Column headers, in the reader's language. */
  headers: string[];
  rows: AsyncIterable<Cell[]> | Iterable<Cell[]>;
  /** Sheet name (XLSX). */
  title?: string;
}

export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Waits until `out` takes more; false once it never will (the download was abandoned: the
 * reader destroyed it), so the writer stops reading rows and its cursor is closed.
 */
function drained(out: PassThrough): Promise<boolean> {
  if (out.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}

/** A readable stream of the table as CSV (UTF-8 with BOM, CRLF line ends). */
export function csvStream(table: ExportTable): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      out.write(`\uFEFF${table.headers.map(csvField).join(',')}\r\n`);
      let batch = '';
      for await (const row of table.rows) {
        batch += `${row.map(csvField).join(',')}\r\n`;
        if (batch.length > 64 * 1024) {
          if (!out.write(batch) && !(await drained(out))) return;
          batch = '';
        }
      }
      out.end(batch);
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

/** A readable stream of the table as an XLSX workbook of one sheet. */
export function xlsxStream(table: ExportTable): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: out,
        useStyles: false,
        useSharedStrings: false,
      });
      const sheet = workbook.addWorksheet(sheetName(table.title));
      sheet.addRow(table.headers).commit();
      let n = 0;
      for await (const row of table.rows) {
        sheet.addRow(row.map((v) => (v === null ? null : v))).commit();
        // Every thousand rows, let the zip and its deflate run (they work in I/O callbacks, which a
        // cursor's rows — microtasks — would otherwise never let in: the whole sheet then queued
        // in memory and the first byte left at the end), and wait while the reader is behind.
        if (++n % 1000 === 0) {
          await new Promise((r) => setImmediate(r));
          if (out.destroyed || (out.writableNeedDrain && !(await drained(out)))) return;
        }
      }
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

/** Excel's sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(title: string | undefined): string {
  const clean = (title ?? 'Report').replace(/[:\\/?*[\]]/g, ' ').trim();
  return (clean || 'Report').slice(0, 31);
}
