import { test } from "node:test";
import assert from "node:assert/strict";
import { createChatStore } from "../../components/realtime/chat-store";
import { CONTROL, DRIVER, conversationView, messageView } from "../helpers/chat-views";

void test("pushed messages are kept once each in sequence order; the other side's count as unread, ours do not", () => {
  const store = createChatStore(DRIVER);
  store.getState().upsertConversations([conversationView({ lastSequence: 1, lastReadSequence: 1 })]);
  store.getState().onMessageNew(messageView(3, CONTROL));
  store.getState().onMessageNew(messageView(2, CONTROL));
  store.getState().onMessageNew(messageView(3, CONTROL));
  const state = store.getState();
  assert.deepEqual(state.messages.c1?.map((m) => m.sequence), [2, 3]);
  assert.equal(state.conversations.c1?.unreadCount, 2, "a repeated push is not counted twice");
  assert.equal(state.conversations.c1?.lastSequence, 3);
  assert.equal(state.conversations.c1?.lastMessage?.body, "message 3");
  assert.equal(state.conversations.c1?.peerReadSequence, 3, "control's message proves it read what came before");

  store.getState().onMessageNew(messageView(4, DRIVER));
  assert.equal(store.getState().conversations.c1?.unreadCount, 0, "writing means having read");
  assert.equal(store.getState().conversations.c1?.lastReadSequence, 4);
});

void test("a message ends its sender's typing and retires the matching outbox entry", () => {
  const store = createChatStore(DRIVER);
  store.getState().upsertConversations([conversationView()]);
  store.getState().onTyping({ conversationId: "c1", user: { id: CONTROL.id, name: CONTROL.name, role: CONTROL.role }, isTyping: true });
  assert.ok(store.getState().typing.c1?.[CONTROL.id]);
  store.getState().onMessageNew(messageView(2, CONTROL));
  assert.equal(store.getState().typing.c1?.[CONTROL.id], undefined);

  const sent = store.getState().sendMessage("c1", "On my way");
  assert.equal(sent.ok, true);
  const queued = store.getState().pending.c1?.[0];
  assert.ok(queued);
  store.getState().storeMessages("c1", [messageView(3, DRIVER, { clientId: queued.clientId, body: "On my way" })]);
  assert.deepEqual(store.getState().pending.c1, [], "the confirmed message replaces its pending copy");
  assert.deepEqual(store.getState().messages.c1?.map((m) => m.body), ["message 2", "On my way"]);
});
