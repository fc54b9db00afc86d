import { test } from "node:test";
import assert from "node:assert/strict";
import { createChatStore } from "../../components/realtime/chat-store";
import { COLLEAGUE, CONTROL } from "../helpers/chat-views";

const colleague = { id: COLLEAGUE.id, name: COLLEAGUE.name, role: COLLEAGUE.role };

void test("typing: others' signals show until they stop; our own are ignored", () => {
  const store = createChatStore(CONTROL);
  store.getState().onTyping({ conversationId: "c1", user: { id: CONTROL.id, name: CONTROL.name, role: CONTROL.role }, isTyping: true });
  assert.deepEqual(store.getState().typing, {});
  store.getState().onTyping({ conversationId: "c1", user: colleague, isTyping: true });
  assert.deepEqual(store.getState().typing.c1, { [COLLEAGUE.id]: { name: COLLEAGUE.name, role: COLLEAGUE.role } });
  store.getState().onTyping({ conversationId: "c1", user: colleague, isTyping: false });
  assert.deepEqual(store.getState().typing.c1, {});
});

void test("viewing and presence: colleagues come and go", () => {
  const store = createChatStore(CONTROL);
  store.getState().onViewing({ conversationId: "c1", user: colleague, isViewing: true });
  assert.ok(store.getState().viewers.c1?.[COLLEAGUE.id]);
  store.getState().onViewing({ conversationId: "c1", user: colleague, isViewing: false });
  assert.deepEqual(store.getState().viewers.c1, {});

  store.getState().onPresenceUpdated({ user: colleague, online: true });
  assert.deepEqual(Object.keys(store.getState().presence), [COLLEAGUE.id]);
  store.getState().onPresenceUpdated({ user: colleague, online: false });
  assert.deepEqual(store.getState().presence, {});
});
