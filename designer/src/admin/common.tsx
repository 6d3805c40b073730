import { formatTime } from '@opsloom/web-forms/format';
import { App } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiFailure } from '../api.ts';
import { useLocale } from '../i18n.ts';

/** An instant in the one format of the current language (web-forms' formatTime, as the other apps show times). */
export function useTime(): (ms: number | null | undefined) => string {
  const locale = useLocale((s) => s.locale);
  return (ms) => formatTime(ms, locale);
}

/** The server's message for a failed call (already in the caller's language), or the error's text. */
export function failureText(err: unknown): string {
  if (err instanceof ApiFailure) {
    const first = err.problems[0];
    return first && !err.message.includes(first.path) ? `${err.message} (${first.path})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Runs an action, showing the server's refusal as a message; resolves to whether it succeeded. */
export function useAction(): (fn: () => Promise<unknown>, done?: string) => Promise<boolean> {
  const { message } = App.useApp();
  return useCallback(
    async (fn, done) => {
      try {
        await fn();
        if (done) message.success(done);
        return true;
      } catch (err) {
        message.error(failureText(err), 6);
        return false;
      }
    },
    [message],
  );
}

/** Loads once and on `reload()`; `data` is null while loading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): { data: T | null; reload(): void } {
  const [data, setData] = useState<T | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && setData(v),
      () => live && setData(null),
    );
    return () => {
      live = false;
    };
  }, [n, ...deps]);
  return { data, reload: () => setN((x) => x + 1) };
}
