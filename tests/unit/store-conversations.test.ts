import { test } from "node:test";
import assert from "node:assert/strict";
import { createChatStore } from "../../components/realtime/chat-store";
import { COLLEAGUE, CONTROL, DRIVER, conversationView, messageView } from "../helpers/chat-views";

void test("control: a new conversation raises an alert until it is opened", async () => {
  const store = createChatStore(CONTROL);
  store.getState().onConversationNew(conversationView({ id: "c7" }));
  assert.deepEqual(store.getState().alerts, ["c7"]);
  store.getState().onConversationNew(conversationView({ id: "c7" }));
  assert.deepEqual(store.getState().alerts, ["c7"], "once per conversation");
  await store.getState().openConversation("c7");
  assert.equal(store.getState().activeConversationId, "c7");
  assert.deepEqual(store.getState().alerts, []);
});

void test("field staff get no alerts; an escalation push cannot bring back an emergency already called off", () => {
  const field = createChatStore(DRIVER);
  field.getState().onConversationNew(conversationView());
  assert.deepEqual(field.getState().alerts, []);

  const control = createChatStore(CONTROL);
  const raised = conversationView({ category: "EMERGENCY", updatedAt: "2026-12-07T12:00:00.000Z" });
  control.getState().onConversationNew(raised);
  control.getState().onConversationUpdated({ ...raised, status: "RESOLVED", emergencyCancelledAt: "2026-12-07T12:00:20.000Z", updatedAt: "2026-12-07T12:00:20.000Z" });
  control.getState().onEmergencyEscalated({ ...raised, escalatedAt: "2026-12-07T12:00:10.000Z", updatedAt: "2026-12-07T12:00:10.000Z" });
  assert.equal(control.getState().conversations.c1?.status, "RESOLVED");
  assert.ok(control.getState().escalated.c1, "the escalation itself is remembered");
});

void test("read receipts: the other side's moves our peer pointer forward only; a colleague's does not", () => {
  const store = createChatStore(CONTROL);
  store.getState().upsertConversations([conversationView({ lastSequence: 5, peerReadSequence: 2 })]);
  const receipt = (user: { id: string; name: string; role: "BUS_DRIVER" | "CONTROL_STAFF" }, lastReadSequence: number) => ({
    conversationId: "c1",
    userId: user.id,
    user,
    lastReadSequence,
    messageId: null,
    readAt: "2026-12-07T12:00:00.000Z",
  });
  store.getState().onReadUpdated(receipt({ id: COLLEAGUE.id, name: COLLEAGUE.name, role: "CONTROL_STAFF" }, 5));
  assert.equal(store.getState().conversations.c1?.peerReadSequence, 2);
  store.getState().onReadUpdated(receipt({ id: DRIVER.id, name: DRIVER.name, role: "BUS_DRIVER" }, 4));
  assert.equal(store.getState().conversations.c1?.peerReadSequence, 4);
  store.getState().onReadUpdated(receipt({ id: DRIVER.id, name: DRIVER.name, role: "BUS_DRIVER" }, 3));
  assert.equal(store.getState().conversations.c1?.peerReadSequence, 4, "never backwards");
});

void test("our own read pointer moving clears the unread count it covers", () => {
  const store = createChatStore(DRIVER);
  store.getState().upsertConversations([conversationView({ lastSequence: 6, lastReadSequence: 2, unreadCount: 4 })]);
  store.getState().applyOwnRead("c1", 4);
  assert.deepEqual([store.getState().conversations.c1?.lastReadSequence, store.getState().conversations.c1?.unreadCount], [4, 2]);
  store.getState().applyOwnRead("c1", 6);
  assert.equal(store.getState().conversations.c1?.unreadCount, 0);
});

void test("a conversation created while the list loads on reconnection survives the list's replacement", async () => {
  const store = createChatStore(DRIVER);
  // A socket whose conversation:list answer is held back until the test releases it.
  let answerList: (() => void) | null = null;
  const socket = {
    connected: true,
    timeout: () => ({
      emit(event: string, _input: unknown, ack: (error: Error | null, reply: unknown) => void) {
        assert.equal(event, "conversation:list");
        answerList = () => ack(null, { ok: true, data: { conversations: [conversationView({ id: "old" })], hasMore: false } });
      },
    }),
  };
  store.getState().upsertConversations([conversationView({ id: "old" }), conversationView({ id: "gone" })]);
  store.getState().attachSocket(socket as unknown as Parameters<ReturnType<typeof store.getState>["attachSocket"]>[0]);
  const loading = store.getState().loadConversationList();
  // The queued emergency is acknowledged before the list (computed before its commit) comes back.
  const created = conversationView({ id: "new", category: "EMERGENCY" });
  store.getState().applyCreated({ conversation: created, message: messageView(1, DRIVER, { conversationId: "new" }) });
  assert.ok(answerList, "the list was requested");
  (answerList as () => void)();
  await loading;
  assert.deepEqual(Object.keys(store.getState().conversations).sort(), ["new", "old"], "the new one stays; one no longer listed goes");
});
