/** Polls until `check` returns a truthy value (returned) or the bound passes (throws with the last value seen). */
export async function waitFor<T>(
  check: () => Promise<T>,
  what: string,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<Exclude<T, null | undefined | false>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await check();
    if (last) return last as Exclude<T, null | undefined | false>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}
