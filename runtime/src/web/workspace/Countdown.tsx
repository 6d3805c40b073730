import { Typography } from 'antd';
import { useEffect, useState } from 'react';
import { countdownState, formatDuration } from '../shared/format.ts';
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
