/**
 * The parameters a dashboard widget's report runs with. Pure (no I/O): the workspace's dashboard
 * page, the big screen and the server's big-screen route all call it, so a widget shows the same
 * figures wherever it is drawn.
 *
 * - The widget's own `params` come first: they are what makes the widget what it is ("SLA
 *   compliance this month"), as a Grafana panel's relative-time override beats the dashboard's
 *   time picker.
 * - Then each dashboard filter sets the report parameter of its `param` key, where the report
 *   declares one: the value the person picked, else the filter's default. A filter set to "all"
 *   (empty) sets nothing, so the report's own default applies.
 */

export interface FilterLike {
  param: string;
  type: string;
  default?: unknown;
}

export interface WidgetLike {
  params?: Record<string, unknown>;
}

/** A value that sets nothing: absent, null, "" or an empty list. */
export const isEmptyValue = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * `values` holds what the person chose per filter param; a key present with an empty value means
 * "all" (the filter's default does not come back).
 */
export function widgetParams(
  widget: WidgetLike,
  filters: readonly FilterLike[] | undefined,
  values: Record<string, unknown>,
  reportParams: readonly string[],
): Record<string, unknown> {
  // A widget's param its report does not declare is kept: the run refuses it, and the widget
  // shows that refusal to whoever designed it, rather than quietly showing something else.
  const out: Record<string, unknown> = { ...widget.params };
  for (const f of filters ?? []) {
    if (!reportParams.includes(f.param) || Object.hasOwn(out, f.param)) continue;
    const v = Object.hasOwn(values, f.param) ? values[f.param] : f.default;
    if (!isEmptyValue(v)) out[f.param] = v;
  }
  return out;
}

/**
 * Parameters as an export's query string (GET /reports/{key}/export?format=…&…): lists as comma
 * lists, a date range `{from, to}` as `from..to`, anything else as its text.
 */
export function paramsQuery(params: Record<string, unknown>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (isEmptyValue(v)) continue;
    if (Array.isArray(v)) q.set(k, v.join(','));
    else if (v && typeof v === 'object') {
      const r = v as { from?: unknown; to?: unknown };
      q.set(k, `${r.from}..${r.to}`);
    } else q.set(k, String(v));
  }
  return q;
}
