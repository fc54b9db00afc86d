import { test } from "node:test";
import assert from "node:assert/strict";
import { RateLimiter } from "../../lib/realtime/rate-limit";
import { AppError } from "../../lib/errors";
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "../../lib/chat/constants";

/** The retryAfterMs of the RATE_LIMITED error `consume` throws; fails the test if it does not throw. */
function refusal(limiter: RateLimiter, key: string, now: number): number {
  try {
    limiter.consume(key, now);
  } catch (error) {
    assert.ok(error instanceof AppError, "expected an AppError");
    assert.equal(error.code, "RATE_LIMITED");
    const retryAfterMs = error.details?.retryAfterMs;
    assert.equal(typeof retryAfterMs, "number");
    return retryAfterMs as number;
  }
  assert.fail(`consume("${key}", ${now}) was allowed`);
}

function consumeTimes(limiter: RateLimiter, key: string, times: number, now: number): void {
  for (let i = 0; i < times; i += 1) limiter.consume(key, now);
}

void test("a full bucket allows exactly the burst, then refuses", () => {
  const limiter = new RateLimiter(5, 1);
  consumeTimes(limiter, "u1", 5, 0);
  assert.equal(refusal(limiter, "u1", 0), 1000);
});

void test("the defaults are a burst of RATE_LIMIT_BURST refilled at RATE_LIMIT_PER_SECOND", () => {
  const limiter = new RateLimiter();
  consumeTimes(limiter, "u1", RATE_LIMIT_BURST, 1_000);
  assert.equal(refusal(limiter, "u1", 1_000), 1000 / RATE_LIMIT_PER_SECOND);
  // One token per 1/RATE_LIMIT_PER_SECOND seconds.
  limiter.consume("u1", 1_000 + 1000 / RATE_LIMIT_PER_SECOND);
  assert.ok(refusal(limiter, "u1", 1_000 + 1000 / RATE_LIMIT_PER_SECOND) > 0);
});

void test("tokens refill over time, and retryAfterMs says when the next one is due", () => {
  const limiter = new RateLimiter(2, 4); // one token every 250 ms
  consumeTimes(limiter, "u1", 2, 10_000);
  assert.equal(refusal(limiter, "u1", 10_000), 250);
  assert.equal(refusal(limiter, "u1", 10_100), 150);
  limiter.consume("u1", 10_250);
  assert.equal(refusal(limiter, "u1", 10_250), 250);
  // Half a second later two tokens are back, no more.
  consumeTimes(limiter, "u1", 2, 10_750);
  assert.equal(refusal(limiter, "u1", 10_750), 250);
});

void test("a long idle period refills to the burst, not beyond", () => {
  const limiter = new RateLimiter(3, 10);
  limiter.consume("u1", 0);
  consumeTimes(limiter, "u1", 3, 3_600_000);
  assert.ok(refusal(limiter, "u1", 3_600_000) > 0);
});

void test("refused attempts do not use up tokens", () => {
  const limiter = new RateLimiter(1, 1);
  limiter.consume("u1", 0);
  for (let i = 0; i < 10; i += 1) refusal(limiter, "u1", 500);
  limiter.consume("u1", 1000);
});

void test("each key has its own bucket", () => {
  const limiter = new RateLimiter(2, 1);
  consumeTimes(limiter, "u1", 2, 0);
  refusal(limiter, "u1", 0);
  consumeTimes(limiter, "u2", 2, 0);
  refusal(limiter, "u2", 0);
});
