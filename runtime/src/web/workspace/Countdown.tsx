import { countdownState, formatDuration } from '@opsloom/web-forms/format';
import { Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { SlaSummary } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const COLORS = { ok: undefined, warning: '#d48806', breached: '#cf1322' } as const;

/** Time left until a task is due: amber under a quarter of the time left, red once overdue. */
export function Countdown({ dueAt, since }: { dueAt: number | null | undefined; since: number }) {
  const { t } = useT();
  const now = useNow(1000);
  if (!dueAt) return <Typography.Text type="secondary">—</Typography.Text>;
  const state = countdownState(since, dueAt, now);
  return (
    <span style={{ color: COLORS[state], fontWeight: state === 'ok' ? 400 : 600 }} data-countdown={state}>
      {state === 'breached'
        ? t('countdown.overdue', { time: formatDuration(now - dueAt) })
        : t('countdown.left', { time: formatDuration(dueAt - now) })}
    </span>
  );
}

/**
 * A record's SLA countdown (its list item's `sla` summary): the time left to the earliest running
 * metric's due instant, amber once a warning fired, red once a metric breached (or the due instant
 * passed), grey "paused" while every live metric is paused. Without SLA clocks (`sla` null) it
 * falls back to the task due time.
 */
export function SlaCountdown({
  sla,
  dueAt,
  since,
}: {
  sla: SlaSummary | null | undefined;
  /** The task due time and when the step began, for records without SLA clocks. */
  dueAt?: number | null;
  since?: number;
}) {
  const { t } = useT();
  const now = useNow(1000);
  if (!sla) return <Countdown dueAt={dueAt} since={since ?? 0} />;
  if (sla.paused)
    return (
      <Typography.Text type="secondary" data-countdown="paused">
        {t('countdown.paused')}
      </Typography.Text>
    );
  if (sla.dueAt === null)
    return sla.breached ? (
      <span style={{ color: COLORS.breached, fontWeight: 600 }} data-countdown="breached">
        {t('countdown.breached')}
      </span>
    ) : (
      <Typography.Text type="secondary">—</Typography.Text>
    );
  const state = sla.breached || now >= sla.dueAt ? 'breached' : sla.warned ? 'warning' : 'ok';
  return (
    <span style={{ color: COLORS[state], fontWeight: state === 'ok' ? 400 : 600 }} data-countdown={state}>
      {now >= sla.dueAt
        ? t('countdown.overdue', { time: formatDuration(now - sla.dueAt) })
        : t('countdown.left', { time: formatDuration(sla.dueAt - now) })}
    </span>
  );
}
