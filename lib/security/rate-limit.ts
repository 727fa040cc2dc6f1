/**
 * Sign-in attempts per key (account and client address), in a sliding window. In memory: the
 * dashboard is one process, and a restart forgetting attempts is acceptable.
 */
export class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Null if an attempt is allowed now, else the seconds to wait. */
  check(key: string): number | null {
    const recent = this.recent(key);
    if (recent.length < this.limit) return null;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  recordFailure(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.attempts.set(key, recent);
  }

  reset(key: string): void {
    this.attempts.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.attempts.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.attempts.delete(key);
    return list;
  }
}
