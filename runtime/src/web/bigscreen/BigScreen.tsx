import { Chart } from '@opsloom/web-charts/chart';
import { echarts } from '@opsloom/web-charts/echarts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { get, HttpError } from '../shared/api.ts';
import { dimensionLabel, figureOf, formatFigure } from '../shared/charts/result.ts';
import type { BigScreenView, BigScreenWidget } from '../shared/dashboard-types.ts';
import { useT } from '../shared/i18n.ts';
import { loginUrl } from '../shared/session.ts';
import { useCountUp } from './count-up.ts';

/** The stage every screen is drawn on, then scaled to the screen it hangs on. */
const STAGE = { width: 1920, height: 1080 };
const GRID = { width: 1872, height: 936, gap: 16 };
/** How often the screen asks whether anything changed: a new ticket shows within 2 s. */
const POLL_MS = 1000;
/** Panel metrics (bigscreen.css): padding top + bottom, a title line with its margin, a caption line. */
const PANEL_PADDING_PX = 24;
const TITLE_PX = 36;
const CAPTION_PX = 28;
/** Figure panels lower than this show their title beside the number rather than above it. */
const FIGURE_BESIDE_PX = 160;
/** Results are asked for again at least this often (ages, SLA clocks move without a write). */
const DEFAULT_REFRESH_S = 60;

// A dark theme with the larger type a wall read from across a room needs, on ECharts' own dark.
echarts.registerTheme('opsloom-wall', {
  backgroundColor: 'transparent',
  color: ['#3aa0ff', '#5ee1ff', '#34d399', '#fbbf24', '#f87171', '#a78bfa', '#f472b6', '#94a3b8'],
  textStyle: { fontSize: 16, color: '#b9ccf5' },
  legend: { textStyle: { fontSize: 16, color: '#b9ccf5' } },
  categoryAxis: {
    axisLabel: { fontSize: 15, color: '#8aa4d6' },
    axisLine: { lineStyle: { color: '#2b4a86' } },
    splitLine: { show: false },
  },
  valueAxis: {
    axisLabel: { fontSize: 15, color: '#8aa4d6' },
    splitLine: { lineStyle: { color: 'rgba(80, 140, 255, 0.15)' } },
    nameTextStyle: { fontSize: 15, color: '#8aa4d6' },
  },
  title: { textStyle: { color: '#dbe7ff' }, subtextStyle: { color: '#8aa4d6' } },
  gauge: { axisLabel: { color: '#8aa4d6' }, detail: { color: '#5ee1ff' }, title: { color: '#b9ccf5' } },
  pie: { label: { color: '#dbe7ff', fontSize: 16 }, itemStyle: { borderColor: '#071330', borderWidth: 2 } },
});

type Problem = 'revoked' | 'notFound' | 'offline' | null;

/** The screen's scale: the 1920 × 1080 stage fitted into the window, centred. */
function useFit() {
  const fit = () => {
    const scale = Math.min(window.innerWidth / STAGE.width, window.innerHeight / STAGE.height);
    return {
      scale,
      left: (window.innerWidth - STAGE.width * scale) / 2,
      top: (window.innerHeight - STAGE.height * scale) / 2,
    };
  };
  const [state, setState] = useState(fit);
  useEffect(() => {
    const onResize = () => setState(fit());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return state;
}

function useNow(ms: number) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * Polls the stamp every second and asks for the results when it changes (or every
 * `refreshSeconds`), rotates through the playlist — the next dashboard is shown once its results
 * are in, so the screen never goes blank — and stops for good when the link is refused.
 */
function useScreen(dashKey: string, token: string | null) {
  const [views, setViews] = useState<Map<string, BigScreenView>>(new Map());
  const [index, setIndex] = useState(0);
  const [problem, setProblem] = useState<Problem>(null);
  const state = useRef({ stamp: '', loadedAt: new Map<string, number>(), stopped: false, index: 0 });
  const viewsRef = useRef(views);
  viewsRef.current = views;
  const main = views.get(dashKey);
  const keys = main?.playlist?.dashboards ?? [dashKey];
  const keysRef = useRef(keys);
  keysRef.current = keys;
  const shown = keys[index % keys.length] ?? dashKey;
  const seconds = main?.playlist?.seconds;

  // The one loop of the screen, and what it and the playlist share.
  const io = useMemo(() => {
    const s = state.current;
    const q = token ? `?token=${encodeURIComponent(token)}` : '';
    const path = (key: string, tail = '') => `/bigscreen/${encodeURIComponent(key)}${tail}${q}`;
    return {
      async load(key: string) {
        const view = await get<BigScreenView>(path(key));
        s.loadedAt.set(key, Date.now());
        setViews((m) => new Map(m).set(key, view));
        return view;
      },
      stamp: () => get<{ stamp: string }>(path(dashKey, '/stamp')),
      /** A refusal stops the screen: a revoked or expired link, a dashboard gone. */
      refused(err: unknown) {
        if (!(err instanceof HttpError)) return false;
        if (err.status === 401 && !token) {
          window.location.assign(loginUrl());
          return true;
        }
        if (err.status === 401 || err.status === 403) setProblem('revoked');
        else if (err.status === 404) setProblem('notFound');
        else return false;
        s.stopped = true;
        return true;
      },
    };
  }, [dashKey, token]);

  useEffect(() => {
    const s = state.current;
    s.stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function tick() {
      try {
        const { stamp } = await io.stamp();
        const current = keysRef.current[s.index % keysRef.current.length] ?? dashKey;
        const refresh = (viewsRef.current.get(dashKey)?.refreshSeconds ?? DEFAULT_REFRESH_S) * 1000;
        const stale = Date.now() - (s.loadedAt.get(current) ?? 0) > refresh;
        if (stamp !== s.stamp || stale) {
          if (current !== dashKey && !s.loadedAt.has(dashKey)) await io.load(dashKey);
          await io.load(current);
          s.stamp = stamp;
        }
        setProblem(null);
      } catch (err) {
        if (!io.refused(err)) setProblem('offline');
      }
      if (!s.stopped) timer = setTimeout(tick, POLL_MS);
    }
    void tick();
    return () => {
      s.stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [io, dashKey]);

  useEffect(() => {
    if (!seconds || keys.length < 2) return;
    const s = state.current;
    const timer = setInterval(async () => {
      if (s.stopped) return;
      const next = (s.index + 1) % keysRef.current.length;
      try {
        await io.load(keysRef.current[next]!);
        s.index = next;
        setIndex(next);
      } catch (err) {
        if (!io.refused(err)) setProblem('offline');
      }
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [io, seconds, keys.length]);

  return { view: views.get(shown) ?? null, main, keys, shown, problem };
}

export function BigScreen({ dashKey, token }: { dashKey: string; token: string | null }) {
  const { t, tx, locale } = useT();
  const fit = useFit();
  const now = useNow(1000);
  const { view, main, keys, shown, problem } = useScreen(dashKey, token);
  const light = (main?.theme ?? 'dark') === 'light';
  const pixelRatio = (window.devicePixelRatio || 1) * fit.scale;
  const title = view ? tx(view.title) : '';
  useEffect(() => {
    if (title) document.title = title;
  }, [title]);

  const clock = new Date(now).toLocaleTimeString(locale, { hour12: false });
  const date = new Date(now).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric' });
  const weekday = new Date(now).toLocaleDateString(locale, { weekday: 'long' });

  return (
    <div
      className={`bs-stage${light ? ' light' : ''}`}
      style={{ transform: `scale(${fit.scale})`, left: fit.left, top: fit.top }}
      data-testid="bigscreen"
      data-dashboard={shown}
      data-stamp={view?.stamp ?? ''}
    >
      <div className="bs-header">
        <div className="bs-title" data-testid="bs-title">
          {title}
        </div>
        <div className="bs-meta">
          {keys.length > 1 ? (
            <div className="bs-dots" data-testid="bs-playlist">
              {keys.map((k) => (
                <span key={k} className={`bs-dot${k === shown ? ' on' : ''}`} />
              ))}
            </div>
          ) : null}
          <div className="bs-date">
            <div>{date}</div>
            <div>{weekday}</div>
          </div>
          <div className="bs-clock" data-testid="bs-clock">
            {clock}
          </div>
          <span
            className={`bs-live${problem === 'offline' ? ' off' : ''}`}
            title={problem === 'offline' ? t('bigscreen.offline') : ''}
          />
        </div>
      </div>
      {problem === 'revoked' || problem === 'notFound' ? (
        <div className="bs-message" data-testid="bs-stopped">
          {t(problem === 'revoked' ? 'bigscreen.revoked' : 'bigscreen.notFound')}
        </div>
      ) : !view ? (
        <div className="bs-message">{t('bigscreen.loading')}</div>
      ) : (
        <Grid key={view.key} view={view} pixelRatio={pixelRatio} light={light} />
      )}
      {view ? (
        <div className="bs-footer">
          {problem === 'offline' ? `${t('bigscreen.offline')} · ` : ''}
          {t('bigscreen.updated', { at: new Date(view.asOf).toLocaleTimeString(locale, { hour12: false }) })}
        </div>
      ) : null}
    </div>
  );
}

/** The widgets on the stage: the dashboard's columns across, its rows down, filling the grid area. */
function Grid({ view, pixelRatio, light }: { view: BigScreenView; pixelRatio: number; light: boolean }) {
  const cols = view.columns || 24;
  const rows = Math.max(1, ...view.widgets.map((w) => w.y + w.h));
  const colW = (GRID.width - GRID.gap * (cols - 1)) / cols;
  const rowH = (GRID.height - GRID.gap * (rows - 1)) / rows;
  return (
    <div className="bs-grid">
      {view.widgets.map((w) => {
        const height = w.h * rowH + (w.h - 1) * GRID.gap;
        // A short figure panel puts its title beside the number: above it, neither would fit.
        const beside = w.chart === 'number' && height < FIGURE_BESIDE_PX;
        return (
          <div
            key={w.id}
            className={beside ? 'bs-panel bs-panel-beside' : 'bs-panel'}
            data-testid={`bs-widget-${w.id}`}
            style={{
              left: w.x * (colW + GRID.gap),
              top: w.y * (rowH + GRID.gap),
              width: w.w * colW + (w.w - 1) * GRID.gap,
              height,
            }}
          >
            <Panel
              widget={w}
              height={height - PANEL_PADDING_PX - (beside ? 0 : TITLE_PX)}
              pixelRatio={pixelRatio}
              light={light}
            />
          </div>
        );
      })}
    </div>
  );
}

function Panel({
  widget,
  height,
  pixelRatio,
  light,
}: {
  widget: BigScreenWidget;
  height: number;
  pixelRatio: number;
  light: boolean;
}) {
  const { t, tx } = useT();
  const r = widget.result;
  const title = widget.title ? tx(widget.title) : (r?.report.name ?? widget.report);
  return (
    <>
      <div className="bs-panel-title">{title}</div>
      <div className="bs-panel-body">
        {widget.error || !r ? (
          <div className="bs-widget-message">
            {t('bigscreen.widgetError', { message: widget.error?.message ?? '' })}
          </div>
        ) : widget.chart === 'number' ? (
          <Figure widget={widget} height={height} />
        ) : r.rows.length === 0 ? (
          <div className="bs-widget-message">{t('bigscreen.noData')}</div>
        ) : widget.chart === 'table' ? (
          <ResultRows widget={widget} />
        ) : (
          <Chart
            key={`${pixelRatio}-${light}`}
            option={r.chart}
            theme={light ? undefined : 'opsloom-wall'}
            pixelRatio={pixelRatio}
            testId={`bs-chart-${widget.id}`}
          />
        )}
      </div>
    </>
  );
}

/** A big number that counts up to each new value. */
function Figure({ widget, height }: { widget: BigScreenWidget; height: number }) {
  const { locale } = useT();
  const f = figureOf(widget.result!);
  const shown = useCountUp(f.value);
  const decimals = f.value !== null && !Number.isInteger(f.value) ? 1 : 0;
  // The number takes what the panel's body leaves beside its caption.
  const size = Math.max(28, Math.min(120, (height - (f.caption ? CAPTION_PX : 0)) * 0.85));
  return (
    <div className="bs-figure">
      <div
        className="bs-figure-value"
        style={{ fontSize: size }}
        data-testid={`bs-figure-${widget.id}`}
        data-value={f.value ?? ''}
      >
        {shown === null
          ? '–'
          : `${shown.toLocaleString(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}${f.suffix}`}
      </div>
      {f.caption ? <div className="bs-figure-caption">{f.caption}</div> : null}
    </div>
  );
}

/** A table report: as many rows as fit. */
function ResultRows({ widget }: { widget: BigScreenWidget }) {
  const { locale } = useT();
  const r = widget.result!;
  const rows = useMemo(() => r.rows.slice(0, 12), [r]);
  return (
    <table className="bs-table">
      <thead>
        <tr>
          {r.columns.map((c) => (
            <th key={c.key} className={c.role === 'dimension' ? '' : 'num'}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {r.columns.map((c) => (
              <td key={c.key} className={c.role === 'dimension' ? '' : 'num'}>
                {c.role === 'dimension' ? dimensionLabel(r, c, row) : formatFigure(c, row[c.key], locale)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
