import { test } from "node:test";
import assert from "node:assert/strict";
import { createChatStore } from "../../components/realtime/chat-store";
import { MESSAGE_MAX_LENGTH } from "../../lib/chat/constants";
import { DRIVER, conversationView } from "../helpers/chat-views";

void test("without a connection, messages and new conversations wait in the outbox in the user's order", async () => {
  const store = createChatStore(DRIVER);
  store.getState().upsertConversations([conversationView()]);
  store.getState().setConnection("no-signal");
  assert.equal(store.getState().sendMessage("c1", "  First  ").ok, true);
  const created = await store.getState().createConversation({ category: "EMERGENCY", body: "Need help" });
  assert.deepEqual(created, { ok: true, conversationId: null, isQueued: true });
  assert.equal(store.getState().sendMessage("c1", "Second").ok, true);
  const state = store.getState();
  assert.deepEqual(state.pending.c1?.map((p) => [p.body, p.status]), [["First", "sending"], ["Second", "sending"]]);
  assert.equal(state.pendingConversations[0]?.category, "EMERGENCY");
  const orders = [state.pending.c1![0]!.order, state.pendingConversations[0]!.order, state.pending.c1![1]!.order];
  assert.deepEqual([...orders].sort((a, b) => a - b), orders, "the order of writing is kept");
  assert.equal(state.countUnsent(), 3);
});

void test("empty and over-long messages are refused before they reach the outbox", async () => {
  const store = createChatStore(DRIVER);
  assert.deepEqual(store.getState().sendMessage("c1", "   "), { ok: false, message: "Write a message first." });
  assert.equal(store.getState().sendMessage("c1", "x".repeat(MESSAGE_MAX_LENGTH + 1)).ok, false);
  assert.equal((await store.getState().createConversation({ category: "DRIVER", body: "" })).ok, false);
  assert.equal(store.getState().countUnsent(), 0);
});

void test("sign-out empties the outbox and stops keeping anything on the device", async () => {
  const store = createChatStore(DRIVER);
  store.getState().setConnection("no-signal");
  store.getState().sendMessage("c1", "Unsent");
  assert.equal(store.getState().countUnsent(), 1);
  await store.getState().clearDevice();
  assert.equal(store.getState().countUnsent(), 0);
  assert.equal(store.getState().isSigningOut, true);
});
