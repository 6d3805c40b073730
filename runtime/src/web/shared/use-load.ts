import { useCallback, useEffect, useState } from 'react';
import { get } from './api.ts';

/** Reloads when `version` changes: callers bump it after an action. */
export function useLoad<T>(path: string, version: number): [T | null, () => void] {
  const [data, setData] = useState<T | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    get<T>(path).then((d) => live && setData(d));
    return () => {
      live = false;
    };
  }, [path, version, tick]);
  return [data, useCallback(() => setTick((x) => x + 1), [])];
}
