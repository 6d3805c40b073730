import { useEffect, useRef, useState } from 'react';

const DURATION_MS = 1200;
const easeOut = (x: number) => 1 - (1 - x) ** 3;

/**
 * A number that counts up (or down) to `target` over a second or so, from wherever it stands:
 * the first value counts from zero, a new ticket moves the counter on from the old figure.
 */
export function useCountUp(target: number | null): number | null {
  const [shown, setShown] = useState<number | null>(target === null ? null : 0);
  const from = useRef(0);
  const current = useRef(0);
  useEffect(() => {
    if (target === null) {
      setShown(null);
      return;
    }
    from.current = current.current;
    const start = performance.now();
    let frame = 0;
    const step = (now: number) => {
      const k = Math.min(1, (now - start) / DURATION_MS);
      const v = from.current + (target - from.current) * easeOut(k);
      current.current = v;
      setShown(k >= 1 ? target : v);
      if (k < 1) frame = requestAnimationFrame(step);
    };
    frame = requestAnimationFrame(step);
    return () => cancelAnimationFrame(frame);
  }, [target]);
  return shown;
}
