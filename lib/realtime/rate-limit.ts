import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "../chat/constants";
import { AppError } from "../errors";

/**
 * A token bucket per user, shared by all of that user's connections on this node: a burst of
 * RATE_LIMIT_BURST events, refilled at RATE_LIMIT_PER_SECOND. Over the limit, the event is answered
 * with RATE_LIMITED and the connection stays open.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly burst = RATE_LIMIT_BURST,
    private readonly perSecond = RATE_LIMIT_PER_SECOND,
  ) {}

  /** Throws RATE_LIMITED when `key` has no token left. */
  consume(key: string, now = Date.now()): void {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const retryAfterMs = Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
      throw new AppError("RATE_LIMITED", "Too many requests; slow down.", { retryAfterMs });
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.sweep(now);
  }

  private sweep(now: number): void {
    const idleMs = (this.burst / this.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.updatedAt > idleMs) this.buckets.delete(key);
  }
}
