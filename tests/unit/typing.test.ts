import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { TypingTracker, type TypingSubject } from "../../lib/realtime/typing";

interface Forwarded {
  userId: string;
  conversationId: string;
  isTyping: boolean;
}

const subject = (userId: string, conversationId: string): TypingSubject => ({
  user: { id: userId, name: `User ${userId}`, role: "BUS_DRIVER" },
  conversationId,
  creatorId: userId,
});

const trackers: TypingTracker[] = [];
afterEach(() => {
  for (const tracker of trackers.splice(0)) tracker.close();
});

/** A tracker recording what it forwards. Expiry and throttle are small so real timers stay short. */
function tracker(expiryMs: number, throttleMs: number): { typing: TypingTracker; forwarded: Forwarded[] } {
  const forwarded: Forwarded[] = [];
  const typing = new TypingTracker((s, isTyping) => forwarded.push({ userId: s.user.id, conversationId: s.conversationId, isTyping }), expiryMs, throttleMs);
  trackers.push(typing);
  return { typing, forwarded };
}

/** Resolves once `forwarded` has `count` entries; the test's own timeout bounds the wait. */
async function until(forwarded: Forwarded[], count: number): Promise<void> {
  while (forwarded.length < count) await sleep(5);
}

void test("'started' is forwarded at most once per throttle window", () => {
  const { typing, forwarded } = tracker(60_000, 1000);
  const a = subject("a", "c1");
  typing.update(a, true, 10_000);
  typing.update(a, true, 10_100);
  typing.update(a, true, 10_999);
  assert.deepEqual(forwarded, [{ userId: "a", conversationId: "c1", isTyping: true }]);
  typing.update(a, true, 11_000);
  assert.equal(forwarded.length, 2);
  // The window counts from the last forward (11_000), not from the last update.
  typing.update(a, true, 11_500);
  assert.equal(forwarded.length, 2);
  typing.update(a, true, 12_000);
  assert.equal(forwarded.length, 3);
});

void test("the throttle is per user and conversation", () => {
  const { typing, forwarded } = tracker(60_000, 1000);
  typing.update(subject("a", "c1"), true, 0);
  typing.update(subject("a", "c2"), true, 1);
  typing.update(subject("b", "c1"), true, 2);
  assert.equal(forwarded.length, 3);
});

void test("'stopped' is forwarded once, and only after 'started'", () => {
  const { typing, forwarded } = tracker(60_000, 1000);
  const a = subject("a", "c1");
  typing.update(a, false, 0);
  assert.equal(forwarded.length, 0);
  typing.update(a, true, 0);
  typing.update(a, false, 10);
  typing.update(a, false, 20);
  assert.deepEqual(
    forwarded.map((f) => f.isTyping),
    [true, false],
  );
  // After a stop, a new start is forwarded at once even inside the old throttle window.
  typing.update(a, true, 30);
  assert.deepEqual(
    forwarded.map((f) => f.isTyping),
    [true, false, true],
  );
});

void test("without a refresh the server forwards 'stopped' itself after the expiry", { timeout: 5000 }, async () => {
  const { typing, forwarded } = tracker(20, 1000);
  const a = subject("a", "c1");
  typing.update(a, true);
  await until(forwarded, 2);
  assert.deepEqual(forwarded, [
    { userId: "a", conversationId: "c1", isTyping: true },
    { userId: "a", conversationId: "c1", isTyping: false },
  ]);
  // The state is gone: an explicit stop now forwards nothing more.
  typing.update(a, false);
  await sleep(40);
  assert.equal(forwarded.length, 2);
});

void test("a refresh restarts the expiry", { timeout: 5000 }, async () => {
  const { typing, forwarded } = tracker(40, 1000);
  const a = subject("a", "c1");
  typing.update(a, true);
  await sleep(30);
  typing.update(a, true); // within the throttle window: not forwarded, but the expiry starts over
  await sleep(20); // past the first expiry, before the second
  assert.deepEqual(
    forwarded.map((f) => f.isTyping),
    [true],
  );
  await until(forwarded, 2);
  assert.deepEqual(
    forwarded.map((f) => f.isTyping),
    [true, false],
  );
});

void test("clearUser stops every typing state of that user only, once", { timeout: 5000 }, async () => {
  const { typing, forwarded } = tracker(30, 1000);
  typing.update(subject("a", "c1"), true);
  typing.update(subject("a", "c2"), true);
  typing.update(subject("b", "c1"), true);
  forwarded.length = 0;
  typing.clearUser("a");
  assert.deepEqual(
    forwarded.map((f) => `${f.userId}/${f.conversationId}/${f.isTyping}`).sort(),
    ["a/c1/false", "a/c2/false"],
  );
  // a's expiry timers were cancelled: only b expires.
  await until(forwarded, 3);
  await sleep(60);
  assert.deepEqual(
    forwarded.slice(2).map((f) => `${f.userId}/${f.conversationId}/${f.isTyping}`),
    ["b/c1/false"],
  );
  typing.clearUser("a");
  assert.equal(forwarded.length, 3);
});

void test("close cancels pending expiries without forwarding", { timeout: 5000 }, async () => {
  const { typing, forwarded } = tracker(20, 1000);
  typing.update(subject("a", "c1"), true);
  typing.close();
  await sleep(50);
  assert.equal(forwarded.length, 1);
});
