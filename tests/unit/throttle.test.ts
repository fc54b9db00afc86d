import { test } from "node:test";
import assert from "node:assert/strict";
import { AttemptThrottle } from "../../lib/auth/throttle";

void test("a key may try until it has failed maxAttempts times in the window", () => {
  const throttle = new AttemptThrottle(3, 1000);
  assert.equal(throttle.retryAfter("dana@example.org", 0), 0);
  throttle.recordFailure("dana@example.org", 0);
  throttle.recordFailure("dana@example.org", 100);
  assert.equal(throttle.retryAfter("dana@example.org", 150), 0);
  throttle.recordFailure("dana@example.org", 200);
  // The window started at the first failure (0) and ends at 1000.
  assert.equal(throttle.retryAfter("dana@example.org", 200), 800);
  assert.equal(throttle.retryAfter("dana@example.org", 999), 1);
});

void test("the window is fixed: it ends windowMs after its first failure, then counting starts over", () => {
  const throttle = new AttemptThrottle(2, 1000);
  throttle.recordFailure("k", 0);
  throttle.recordFailure("k", 900);
  assert.equal(throttle.retryAfter("k", 900), 100);
  assert.equal(throttle.retryAfter("k", 1000), 0);
  throttle.recordFailure("k", 1000); // a new window [1000, 2000) with one failure
  assert.equal(throttle.retryAfter("k", 1001), 0);
  throttle.recordFailure("k", 1500);
  assert.equal(throttle.retryAfter("k", 1500), 500);
});

void test("failures beyond the limit do not extend the window", () => {
  const throttle = new AttemptThrottle(1, 1000);
  throttle.recordFailure("k", 0);
  throttle.recordFailure("k", 500);
  throttle.recordFailure("k", 900);
  assert.equal(throttle.retryAfter("k", 900), 100);
});

void test("reset clears a key at once", () => {
  const throttle = new AttemptThrottle(1, 60_000);
  throttle.recordFailure("k", 0);
  assert.ok(throttle.retryAfter("k", 1) > 0);
  throttle.reset("k");
  assert.equal(throttle.retryAfter("k", 1), 0);
});

void test("keys are counted separately", () => {
  const throttle = new AttemptThrottle(1, 60_000);
  throttle.recordFailure("a", 0);
  assert.equal(throttle.retryAfter("a", 0), 60_000);
  assert.equal(throttle.retryAfter("b", 0), 0);
});
