import { test } from "node:test";
import assert from "node:assert/strict";
import { createChatStore } from "../../components/realtime/chat-store";
import { CONTROL, DRIVER, messageView } from "../helpers/chat-views";

void test("losing the connection marks what was in flight for resending and forgets typing and viewers", () => {
  const store = createChatStore(DRIVER);
  store.setState({
    connection: "online",
    pending: { c1: [{ clientId: "a", conversationId: "c1", body: "hi", createdAt: "", status: "sending", error: null, isInFlight: true, order: 1 }] },
    typing: { c1: { [CONTROL.id]: { name: CONTROL.name, role: CONTROL.role } } },
    viewers: { c1: { x: { name: "X", role: "CONTROL_STAFF" } } },
  });
  store.getState().setConnection("no-signal");
  const state = store.getState();
  assert.equal(state.connection, "no-signal");
  assert.equal(state.pending.c1?.[0]?.isInFlight, false);
  assert.equal(state.pending.c1?.[0]?.status, "sending", "still waiting to send");
  assert.deepEqual([state.typing, state.viewers], [{}, {}]);
});

void test("an error stays with a refused connection and clears when it is back; resume needs a connected socket", () => {
  const store = createChatStore(DRIVER);
  store.getState().setConnection("offline", "Sign in again.");
  assert.deepEqual([store.getState().connection, store.getState().connectionError], ["offline", "Sign in again."]);
  store.getState().setConnection("no-signal");
  store.getState().resume();
  assert.equal(store.getState().connection, "no-signal", "no socket: still no signal");
  store.getState().setConnection("online");
  assert.deepEqual([store.getState().connection, store.getState().connectionError], ["online", null]);
});

void test("call and the actions that need the server refuse plainly without a connection", async () => {
  const store = createChatStore(DRIVER);
  await assert.rejects(store.getState().call("conversation:list", {}), /Not connected/);
  store.getState().onMessageNew(messageView(1, CONTROL));
  const result = await store.getState().cancelEmergency("c1");
  assert.deepEqual(result, { ok: false, message: "Not connected. Wait for the connection to come back." });
  assert.equal(store.getState().lastError, "Not connected. Wait for the connection to come back.");
  store.getState().dismissError();
  assert.equal(store.getState().lastError, null);
});
