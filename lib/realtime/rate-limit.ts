import { createHash } from "node:crypto";
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "../chat/constants";
import { AppError } from "../errors";
import { logger } from "../logger";

/** What the transports need: throws (or rejects with) RATE_LIMITED when `key` has no token left. */
export interface Limiter {
  consume(key: string): void | Promise<void>;
}

function rateLimited(retryAfterMs: number): AppError {
  return new AppError("RATE_LIMITED", "Too many requests; slow down.", { retryAfterMs });
}

/**
 * A token bucket per user, shared by all of that user's connections on this node: a burst of
 * RATE_LIMIT_BURST events, refilled at RATE_LIMIT_PER_SECOND. Over the limit, the event is answered
 * with RATE_LIMITED and the connection stays open.
 */
export class RateLimiter implements Limiter {
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
      throw rateLimited(Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000));
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

/**
 * The same bucket, atomically in Redis: KEYS[1] is the bucket, ARGV the burst and the refill per
 * second. Redis's clock is the only clock, so nodes with skewed clocks share one bucket correctly.
 * Returns 0 when a token was taken, else the milliseconds until the next one. An idle bucket expires
 * once it would be full again.
 */
export const TOKEN_BUCKET_SCRIPT = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
`;
const TOKEN_BUCKET_SHA = createHash("sha1").update(TOKEN_BUCKET_SCRIPT).digest("hex");

/** The part of a node-redis client the Redis limiter uses. */
export interface ScriptClient {
  readonly isReady: boolean;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Longest wait for Redis before an event falls back to the node-local bucket. */
const REDIS_DEADLINE_MS = 500;
/** After a failure, Redis is tried again at most this often (the events in between use the local bucket). */
const REDIS_RETRY_MS = 1000;

/**
 * The per-user bucket shared by every node (REDIS_URL set). If Redis does not answer, the event is
 * not refused: it is counted against a node-local bucket instead (fail open to the single-node
 * limit), with one warning when that starts and one info line when Redis answers again.
 */
export class RedisRateLimiter implements Limiter {
  private readonly local: RateLimiter;
  private failingSince: number | null = null;
  private retryAt = 0;

  constructor(
    private readonly client: ScriptClient,
    private readonly prefix: string,
    private readonly burst = RATE_LIMIT_BURST,
    private readonly perSecond = RATE_LIMIT_PER_SECOND,
  ) {
    this.local = new RateLimiter(burst, perSecond);
  }

  async consume(key: string): Promise<void> {
    const now = Date.now();
    if (this.failingSince !== null && now < this.retryAt) return this.local.consume(key, now);
    let retryAfterMs: number;
    try {
      retryAfterMs = await this.take(key);
    } catch (error) {
      this.onFailure(error, now);
      return this.local.consume(key, now);
    }
    if (this.failingSince !== null) {
      logger.info({ downMs: Date.now() - this.failingSince }, "redis answers again: the rate limit is cluster-wide again");
      this.failingSince = null;
    }
    if (retryAfterMs > 0) throw rateLimited(retryAfterMs);
  }

  private async take(key: string): Promise<number> {
    if (!this.client.isReady) throw new Error("not connected to redis");
    const options = { keys: [`${this.prefix}ratelimit:${key}`], arguments: [String(this.burst), String(this.perSecond)] };
    const run = async () => {
      try {
        return await this.client.evalSha(TOKEN_BUCKET_SHA, options);
      } catch (error) {
        // First use on this Redis (or after SCRIPT FLUSH / a restart): EVAL also caches the script.
        if (error instanceof Error && error.message.startsWith("NOSCRIPT")) return this.client.eval(TOKEN_BUCKET_SCRIPT, options);
        throw error;
      }
    };
    const reply = await withDeadline(run(), REDIS_DEADLINE_MS);
    if (typeof reply !== "number" || !Number.isInteger(reply) || reply < 0) throw new Error(`unexpected rate-limit script reply ${JSON.stringify(reply)}`);
    return reply;
  }

  private onFailure(error: unknown, now: number): void {
    this.retryAt = now + REDIS_RETRY_MS;
    if (this.failingSince !== null) return;
    this.failingSince = now;
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, "redis unreachable: rate limiting per node until it answers again");
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
