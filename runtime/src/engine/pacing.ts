/**
 * When the job runner looks for work next: the policy, apart from its timer and the database, so
 * it can be tested with plain numbers.
 *
 * Jobs share the one JavaScript thread with the requests people are waiting on. While requests
 * are in flight the runner rests twice as long as its last batch took, so under load it takes at
 * most a third of the time and works off its backlog when the load passes. Idle, it goes on at
 * once. A wake (every create sends one) during the rest does not cut it short: under load there
 * is always a wake, and the runner would never rest at all.
 */
export class Pacing {
  /** Until when the runner holds back after a batch. */
  private restingUntil = 0;

  constructor(
    /** How long to wait between looks when there was nothing to do. */
    private readonly pollMs: number,
    /** The longest rest after a batch, however long the batch took. */
    private readonly maxRestMs = 250,
  ) {}

  /**
   * After a pass that started at `started` and ended at `now`: how long until the next one.
   * `more` says there may be more to do at once (the pass found jobs, or a wake came meanwhile).
   */
  afterPass(pass: { started: number; now: number; more: boolean; requestsInFlight: boolean }): number {
    const { started, now, more, requestsInFlight } = pass;
    if (!more) {
      this.restingUntil = now;
      return this.pollMs;
    }
    const rest = requestsInFlight ? Math.min(2 * (now - started), this.maxRestMs) : 0;
    this.restingUntil = now + rest;
    return rest;
  }

  /** Whether a wake at `now`, between passes, should start one at once. */
  wakeStartsPass(now: number): boolean {
    return now >= this.restingUntil;
  }
}
