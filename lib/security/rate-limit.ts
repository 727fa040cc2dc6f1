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

/**
 * Sign-in limits on two keys: 5 failures per user name and client address, and 20 per user name
 * from anywhere. The address comes from `x-forwarded-for`, which a client that reaches the dashboard
 * directly can vary at will; the per-account limit caps guessing whatever it claims (at the price
 * that someone guessing can hold the account back for up to a window).
 */
export class SignInLimits {
  readonly perAddress: AttemptLimiter;
  readonly perAccount: AttemptLimiter;

  constructor(options: { perAddress?: number; perAccount?: number; windowMs?: number; now?: () => number } = {}) {
    const windowMs = options.windowMs ?? 15 * 60_000;
    this.perAddress = new AttemptLimiter(options.perAddress ?? 5, windowMs, options.now);
    this.perAccount = new AttemptLimiter(options.perAccount ?? 20, windowMs, options.now);
  }

  /** Null if an attempt is allowed now, else the seconds to wait. */
  check(username: string, address: string): number | null {
    const a = this.perAddress.check(addressKey(username, address));
    const b = this.perAccount.check(accountKey(username));
    return a === null && b === null ? null : Math.max(a ?? 0, b ?? 0);
  }

  recordFailure(username: string, address: string): void {
    this.perAddress.recordFailure(addressKey(username, address));
    this.perAccount.recordFailure(accountKey(username));
  }

  /** After a good password: that address starts afresh; the account's count from elsewhere stays. */
  reset(username: string, address: string): void {
    this.perAddress.reset(addressKey(username, address));
  }
}

const accountKey = (username: string) => username.toLowerCase();
const addressKey = (username: string, address: string) => `${username.toLowerCase()}|${address}`;
