import { test } from "node:test";
import assert from "node:assert/strict";
import { lastKnownSequence, mergeConversation, mergeMessages } from "../../components/realtime/store/merge";
import { CONTROL, DRIVER, conversationView, messageView } from "../helpers/chat-views";

void test("mergeMessages keeps one entry per id, ascending, and returns the same list when nothing is new", () => {
  const first = mergeMessages([], [messageView(3, DRIVER), messageView(1, DRIVER)]);
  assert.deepEqual(first.map((m) => m.sequence), [1, 3]);
  const second = mergeMessages(first, [messageView(2, CONTROL), messageView(3, DRIVER)]);
  assert.deepEqual(second.map((m) => m.sequence), [1, 2, 3]);
  assert.equal(mergeMessages(second, [messageView(2, CONTROL)]), second, "an already held message changes nothing");
  assert.equal(lastKnownSequence(second), 3);
  assert.equal(lastKnownSequence(undefined), 0);
});

void test("mergeConversation: sequences and read pointers only move forward; an older view cannot roll the status back", () => {
  const resolved = conversationView({ status: "RESOLVED", lastSequence: 5, peerReadSequence: 4, updatedAt: "2026-12-07T12:00:05.000Z" });
  const olderOpen = conversationView({ status: "OPEN", lastSequence: 6, peerReadSequence: 2, updatedAt: "2026-12-07T12:00:01.000Z" });
  const merged = mergeConversation(resolved, olderOpen, true);
  assert.equal(merged.status, "RESOLVED", "the stale view's status is ignored");
  assert.equal(merged.lastSequence, 6, "its counters still merge forward");
  assert.equal(merged.peerReadSequence, 4);
  const newer = mergeConversation(resolved, conversationView({ status: "OPEN", lastSequence: 7, updatedAt: "2026-12-07T12:00:09.000Z" }), true);
  assert.equal(newer.status, "OPEN", "a newer view wins");
});

void test("mergeConversation: another viewer's counts (control's pushes) do not replace ours", () => {
  const ours = conversationView({ unreadCount: 3, lastReadSequence: 2 });
  const actors = conversationView({ unreadCount: 0, lastReadSequence: 9, lastSequence: 9 });
  const merged = mergeConversation(ours, actors, false);
  assert.equal(merged.unreadCount, 3);
  assert.equal(merged.lastReadSequence, 2);
  const first = mergeConversation(undefined, actors, false);
  assert.deepEqual([first.unreadCount, first.lastReadSequence], [0, 0]);
});
