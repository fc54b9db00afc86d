import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server";
import { call, callPaced, disconnected, emitAck, record, requestPaced, sleep, waitFor, withTimeout, type ChatSocket, type JsonWsClient } from "../helpers/clients";
import { createSession } from "../helpers/session";
import type { MessageView } from "../../lib/chat/types";

// Delivery guarantees: idempotent sends across retries, reconnects and transports; catch-up after a
// disconnect; fan-out to the sender's other tabs; typing expiry; staff-only notes; reopening by a
// field message; and the take race. One server for the file; each test uses its own users so the
// per-user rate limit of one test never touches another.

let server: TestServer;
const { open, openJson, user, closeAll } = createSession(() => server);
/** (sender, clientId) pairs that must be stored exactly once; checked in the database at the end. */
const storedOnce: { senderKey: string; clientId: string }[] = [];

before(async () => {
  server = await startTestServer({
    idemDriver: { role: "BUS_DRIVER", name: "Ida", vehicle: "Bus 7", route: "Route 1" },
    idemControl: { role: "CONTROL_STAFF", name: "Ike" },
    lostDriver: { role: "BUS_DRIVER", name: "Lou" },
    lostControl: { role: "CONTROL_STAFF", name: "Lena" },
    concDriver: { role: "QUEUE_REGULATOR", name: "Cora" },
    concControl: { role: "CONTROL_STAFF", name: "Cal" },
    catchDriver: { role: "BUS_DRIVER", name: "Kit" },
    catchControl: { role: "CONTROL_STAFF", name: "Kim" },
    tabsDriver: { role: "BUS_DRIVER", name: "Tab" },
    typingDriver: { role: "BUS_DRIVER", name: "Tia" },
    typingControl: { role: "CONTROL_STAFF", name: "Toby" },
    noteDriver: { role: "BUS_DRIVER", name: "Nia" },
    noteControl: { role: "CONTROL_STAFF", name: "Ned" },
    noteControl2: { role: "CONTROL_ADMIN", name: "Nora" },
    reopenDriver: { role: "BUS_DRIVER", name: "Rae" },
    reopenControl: { role: "CONTROL_STAFF", name: "Rob" },
    raceDriver: { role: "BUS_DRIVER", name: "Ray" },
    raceControlA: { role: "CONTROL_STAFF", name: "Ada" },
    raceControlB: { role: "CONTROL_STAFF", name: "Ben" },
    closedDriver: { role: "BUS_DRIVER", name: "Cleo" },
    closedControl: { role: "CONTROL_STAFF", name: "Cole" },
    viewDriver: { role: "BUS_DRIVER", name: "Vic" },
    viewControlA: { role: "CONTROL_STAFF", name: "Val" },
    viewControlB: { role: "CONTROL_STAFF", name: "Vera" },
  });
});

after(async () => {
  closeAll();
  await server?.close();
});

/** Pages through message:list with afterSequence until hasMore is false. */
async function catchUp(socket: ChatSocket, conversationId: string, afterSequence: number, limit = 20) {
  const messages: MessageView[] = [];
  const pages: { size: number; hasMore: boolean }[] = [];
  let cursor = afterSequence;
  for (;;) {
    const page = await callPaced(socket, "message:list", { conversationId, afterSequence: cursor, limit });
    pages.push({ size: page.messages.length, hasMore: page.hasMore });
    messages.push(...page.messages);
    if (!page.hasMore) return { messages, pages };
    const last = page.messages.at(-1);
    assert.ok(last, "a page with hasMore is not empty");
    assert.ok(last.sequence > cursor, "the cursor moves forward");
    cursor = last.sequence;
    assert.ok(pages.length < 100, "catch-up terminates");
  }
}

const inConversation = (conversationId: string) => (m: { conversationId: string }) => m.conversationId === conversationId;
const wsMessages = (client: JsonWsClient, conversationId: string) =>
  client.frames.filter((f) => f.type === "new_message" && f.data?.conversation_id === conversationId).map((f) => f.data as { id: string; client_id: string; sequence: number; kind: string; body: string });

async function startConversation(socket: ChatSocket, clientId: string, body = "Help needed"): Promise<string> {
  const created = await call(socket, "conversation:create", { title: clientId, body, clientId });
  return created.conversation.id;
}

void test("one clientId sent three times (after a dropped transport, and on the JSON WebSocket) is stored and delivered once", async () => {
  const control = await open("idemControl");
  const tabA = await open("idemDriver");
  const tabB = await open("idemDriver");
  const ws = await openJson("idemDriver");
  const atControl = record(control, "message:new");
  const atTabA = record(tabA, "message:new");
  const atTabB = record(tabB, "message:new");
  const conversationId = await startConversation(tabA, "idem-conv", "Engine warning light");
  const input = { conversationId, body: "Limping back to the depot", clientId: "idem-1" };
  storedOnce.push({ senderKey: "idemDriver", clientId: "idem-1" });

  const first = await call(tabA, "message:send", input);
  assert.equal(first.duplicate, false);
  assert.equal(first.message.clientId, "idem-1");
  assert.equal(first.message.sequence, 2);

  // The network drops tab A; the client reconnects and, unsure, resends.
  const dropped = disconnected(tabA);
  tabA.io.engine.close();
  assert.notEqual(await withTimeout(dropped, "tab A to drop"), "io client disconnect");
  const tabA2 = await open("idemDriver");
  const atTabA2 = record(tabA2, "message:new");
  const second = await call(tabA2, "message:send", input);
  assert.equal(second.duplicate, true);
  assert.deepEqual(second.message, first.message, "the retry is answered with the stored message");

  // The same client id from the seed's JSON WebSocket is the same message.
  const third = await ws.request("send_chat_message", { conversation_id: conversationId, content: input.body, client_id: "idem-1" });
  assert.equal(third.type, "response", JSON.stringify(third.error));
  assert.equal(third.data?.duplicate, true);
  const thirdMessage = third.data?.message as { id: string; sequence: number; client_id: string; body: string };
  assert.equal(thirdMessage.id, first.message.id);
  assert.equal(thirdMessage.sequence, first.message.sequence);
  assert.equal(thirdMessage.client_id, "idem-1");
  assert.equal(thirdMessage.body, first.message.body);

  // A later message is a barrier: once every connection has it, any extra delivery of idem-1 would have arrived.
  const barrier = await call(tabA2, "message:send", { conversationId, body: "Arrived at the depot", clientId: "idem-2" });
  const hasBarrier = (list: MessageView[]) => list.some((m) => m.id === barrier.message.id);
  await waitFor(() => hasBarrier(atControl) && hasBarrier(atTabB) && hasBarrier(atTabA2), "the barrier message everywhere");
  await waitFor(() => wsMessages(ws, conversationId).some((m) => m.id === barrier.message.id), "the barrier on the JSON WebSocket");
  await sleep(300);

  const idem1 = (m: { clientId: string; conversationId: string }) => m.conversationId === conversationId && m.clientId === "idem-1";
  assert.equal(atControl.filter(idem1).length, 1, "control hears idem-1 once");
  assert.equal(atTabB.filter(idem1).length, 1, "the driver's other tab hears idem-1 once");
  assert.equal(atTabA.filter(idem1).length, 1, "the sending tab heard it once before it dropped");
  assert.equal(atTabA2.filter(idem1).length, 0, "the reconnected tab gets no replay");
  assert.equal(wsMessages(ws, conversationId).filter((m) => m.client_id === "idem-1").length, 1, "the JSON WebSocket hears idem-1 once");
  assert.deepEqual(atControl.find(idem1), first.message);

  for (const viewer of [control, tabA2]) {
    const listed = await call(viewer, "message:list", { conversationId });
    assert.deepEqual(listed.messages.map((m) => m.clientId), ["idem-conv", "idem-1", "idem-2"]);
    assert.deepEqual(listed.messages.map((m) => m.sequence), [1, 2, 3]);
  }
});

void test("a send whose ack was lost to a dropped transport is stored once; the retry returns it", async () => {
  const control = await open("lostControl");
  const driver = await open("lostDriver");
  const atControl = record(control, "message:new");
  const conversationId = await startConversation(driver, "lost-conv");
  storedOnce.push({ senderKey: "lostDriver", clientId: "lost-1" });
  const input = { conversationId, body: "Did this get through?", clientId: "lost-1" };

  // The frame is flushed before the transport closes, so the server stores it but cannot answer.
  const pending = emitAck(driver, "message:send", input).then(
    () => "acked",
    () => "lost",
  );
  driver.io.engine.close();
  await pending;
  await waitFor(() => atControl.some((m) => m.clientId === "lost-1"), "control receives the message whose ack was lost");
  const delivered = atControl.find((m) => m.clientId === "lost-1");

  const again = await open("lostDriver");
  const retry = await call(again, "message:send", input);
  assert.equal(retry.duplicate, true);
  assert.deepEqual(retry.message, delivered);
  const barrier = await call(again, "message:send", { conversationId, body: "ok", clientId: "lost-2" });
  await waitFor(() => atControl.some((m) => m.id === barrier.message.id), "the barrier at control");
  assert.equal(atControl.filter((m) => m.clientId === "lost-1").length, 1);
  const listed = await call(again, "message:list", { conversationId });
  assert.deepEqual(listed.messages.map((m) => m.clientId), ["lost-conv", "lost-1", "lost-2"]);
});

void test("five concurrent sends of one clientId, over both transports, store one row and answer with one id", async () => {
  const control = await open("concControl");
  const tabA = await open("concDriver");
  const tabB = await open("concDriver");
  const ws = await openJson("concDriver");
  const atControl = record(control, "message:new");
  const conversationId = await startConversation(tabA, "conc-conv");
  storedOnce.push({ senderKey: "concDriver", clientId: "conc-1" });
  const input = { conversationId, body: "Platform 3 overcrowded", clientId: "conc-1" };

  const [a1, a2, b1, b2, w] = await Promise.all([
    emitAck(tabA, "message:send", input),
    emitAck(tabA, "message:send", input),
    emitAck(tabB, "message:send", input),
    emitAck(tabB, "message:send", input),
    ws.request("send_chat_message", { conversation_id: conversationId, content: input.body, client_id: "conc-1" }),
  ]);
  const acks = [a1, a2, b1, b2].map((ack) => {
    assert.ok(ack.ok, `send failed: ${JSON.stringify(ack)}`);
    return ack.data;
  });
  assert.equal(w.type, "response", JSON.stringify(w.error));
  const wsMessage = w.data?.message as { id: string; sequence: number };
  const ids = new Set([...acks.map((a) => a.message.id), wsMessage.id]);
  assert.equal(ids.size, 1, "every ack carries the same message id");
  assert.equal(new Set([...acks.map((a) => a.message.sequence), wsMessage.sequence]).size, 1, "and the same sequence");
  const fresh = [...acks.map((a) => a.duplicate), w.data?.duplicate].filter((d) => d === false);
  assert.equal(fresh.length, 1, "exactly one send stored it; the others are duplicates");

  const barrier = await call(tabA, "message:send", { conversationId, body: "barrier", clientId: "conc-2" });
  await waitFor(() => atControl.some((m) => m.id === barrier.message.id), "the barrier at control");
  assert.equal(atControl.filter((m) => m.clientId === "conc-1").length, 1, "control hears it once");
  const listed = await call(control, "message:list", { conversationId });
  assert.deepEqual(listed.messages.map((m) => m.sequence), [1, 2, 3], "no sequence was burnt by the losers");
  assert.deepEqual(listed.messages.map((m) => m.clientId), ["conc-conv", "conc-1", "conc-2"]);
});

void test("after a disconnect, each side catches up with message:list afterSequence, in order and without duplicates", async () => {
  const driver = await open("catchDriver");
  const control = await open("catchControl");
  const beforeDrop = record(control, "message:new");
  const conversationId = await startConversation(driver, "catch-conv", "Catch-up start");
  await waitFor(() => beforeDrop.some(inConversation(conversationId)), "control sees the opening message");
  const controlHad = beforeDrop.filter(inConversation(conversationId));
  const controlLast = Math.max(...controlHad.map((m) => m.sequence));
  control.disconnect();

  // Field → control while control is away.
  const fieldBodies = Array.from({ length: 50 }, (_, i) => `field ${i + 1}`);
  const fieldSent: MessageView[] = [];
  for (const [i, body] of fieldBodies.entries()) {
    fieldSent.push((await callPaced(driver, "message:send", { conversationId, body, clientId: `catch-f-${i + 1}` })).message);
  }
  for (let i = 1; i < fieldSent.length; i++) assert.ok(fieldSent[i]!.sequence > fieldSent[i - 1]!.sequence, "sequences increase");

  const control2 = await open("catchControl");
  const liveAtControl = record(control2, "message:new");
  const controlCatch = await catchUp(control2, conversationId, controlLast, 20);
  assert.deepEqual(controlCatch.pages, [
    { size: 20, hasMore: true },
    { size: 20, hasMore: true },
    { size: 10, hasMore: false },
  ]);
  assert.deepEqual(controlCatch.messages.map((m) => m.body), fieldBodies, "exactly the 50 missed messages, in order");
  assert.deepEqual(controlCatch.messages, fieldSent, "as they were acknowledged to the driver");
  assert.equal(new Set(controlCatch.messages.map((m) => m.id)).size, 50, "no duplicates");
  const controlView = [...controlHad, ...controlCatch.messages].map((m) => m.sequence);
  assert.deepEqual(controlView, Array.from({ length: 51 }, (_, i) => i + 1), "seen + caught up = 1..51");

  // After catching up, live delivery resumes with the next message only: nothing is replayed.
  const live = await callPaced(driver, "message:send", { conversationId, body: "field live", clientId: "catch-f-live" });
  await waitFor(() => liveAtControl.some((m) => m.id === live.message.id), "the live message at control");
  assert.deepEqual(liveAtControl.filter(inConversation(conversationId)).map((m) => m.sequence), [52]);

  // Control → field while the driver is away, with staff-only notes mixed in.
  const driverLast = live.message.sequence;
  driver.disconnect();
  const controlSent: MessageView[] = [];
  for (let i = 1; i <= 50; i++) {
    const isNote = i % 10 === 0;
    const sent = await callPaced(control2, "message:send", { conversationId, body: `${isNote ? "note" : "control"} ${i}`, clientId: `catch-c-${i}`, isNote });
    controlSent.push(sent.message);
  }
  const visibleToField = controlSent.filter((m) => m.kind !== "NOTE");
  assert.equal(visibleToField.length, 45);

  const driver2 = await open("catchDriver");
  const liveAtDriver = record(driver2, "message:new");
  const fieldCatch = await catchUp(driver2, conversationId, driverLast, 20);
  assert.deepEqual(fieldCatch.pages, [
    { size: 20, hasMore: true },
    { size: 20, hasMore: true },
    { size: 5, hasMore: false },
  ]);
  assert.deepEqual(fieldCatch.messages, visibleToField, "the driver catches up on control's messages, without notes");
  for (let i = 1; i < fieldCatch.messages.length; i++) assert.ok(fieldCatch.messages[i]!.sequence > fieldCatch.messages[i - 1]!.sequence);

  // The seed's JSON WebSocket pages the same way.
  const ws = await openJson("catchDriver");
  const viaWs: { id: string }[] = [];
  let cursor = driverLast;
  for (let page = 0; ; page++) {
    assert.ok(page < 100);
    const frame = await requestPaced(ws, "get_conversation_messages", { conversation_id: conversationId, after_sequence: cursor, limit: 20 });
    const messages = frame.data?.messages as { id: string; sequence: number }[];
    viaWs.push(...messages);
    if (frame.data?.has_more !== true) break;
    cursor = messages.at(-1)!.sequence;
  }
  assert.deepEqual(viaWs.map((m) => m.id), visibleToField.map((m) => m.id));

  const reply = await callPaced(control2, "message:send", { conversationId, body: "control live", clientId: "catch-c-live" });
  await waitFor(() => liveAtDriver.some((m) => m.id === reply.message.id), "the live message at the driver");
  assert.deepEqual(liveAtDriver.filter(inConversation(conversationId)).map((m) => m.sequence), [reply.message.sequence]);
  assert.equal(reply.message.sequence, 103);
});

void test("the sender's other tabs receive the sender's own messages", async () => {
  const tabA = await open("tabsDriver");
  const tabB = await open("tabsDriver");
  const atA = record(tabA, "message:new");
  const atB = record(tabB, "message:new");
  const announcedAtB = record(tabB, "conversation:new");
  const conversationId = await startConversation(tabA, "tabs-conv", "Opened on tab A");
  await waitFor(() => announcedAtB.some((c) => c.id === conversationId), "tab B is told of the new conversation");

  const fromA = await call(tabA, "message:send", { conversationId, body: "Written on tab A", clientId: "tabs-1" });
  await waitFor(() => atB.some((m) => m.id === fromA.message.id), "tab B receives tab A's message");
  const fromB = await call(tabB, "message:send", { conversationId, body: "Written on tab B", clientId: "tabs-2" });
  await waitFor(() => atA.some((m) => m.id === fromB.message.id), "tab A receives tab B's message");
  await waitFor(() => atB.some((m) => m.id === fromB.message.id), "tab B receives its own message too");

  for (const seen of [atA, atB]) {
    assert.deepEqual(seen.filter(inConversation(conversationId)).map((m) => m.clientId), ["tabs-conv", "tabs-1", "tabs-2"], "each tab hears every message once");
  }
  assert.deepEqual(atB.find((m) => m.id === fromA.message.id), fromA.message);
});

void test("typing expires by itself after TYPING_EXPIRY_MS, and the typer never hears their own typing", async () => {
  const driver = await open("typingDriver");
  const driverWs = await openJson("typingDriver");
  const control = await open("typingControl");
  const conversationId = await startConversation(driver, "typing-conv");
  const atControl = record(control, "typing");
  const atDriver = record(driver, "typing");
  const messagesAtDriver = record(driver, "message:new");

  assert.deepEqual(await call(driver, "typing:set", { conversationId, isTyping: true }), { isTyping: true });
  const forThis = () => atControl.filter(inConversation(conversationId));
  await waitFor(() => forThis().length >= 1, "control sees the driver typing");
  assert.equal(forThis()[0]?.isTyping, true);
  assert.equal(forThis()[0]?.user.id, user("typingDriver").id);

  // The driver never says false: the server expires it.
  await waitFor(() => forThis().length >= 2, "the typing state to expire", 8000);
  assert.deepEqual(forThis().map((s) => s.isTyping), [true, false]);
  assert.equal(driver.connected, true, "the expiry is not a side effect of a disconnect");

  const barrier = await call(control, "message:send", { conversationId, body: "Still there?", clientId: "typing-k-1" });
  await driverWs.waitFor((f) => f.type === "new_message" && f.data?.id === barrier.message.id);
  await waitFor(() => messagesAtDriver.some((m) => m.id === barrier.message.id), "the barrier at the driver's socket");
  assert.equal(atDriver.length, 0, "the typer's socket hears no typing");
  assert.equal(driverWs.frames.filter((f) => f.type === "typing_indicator").length, 0, "nor their JSON WebSocket");
  assert.deepEqual(forThis().map((s) => s.isTyping), [true, false], "no further typing signal");
});

void test("a staff-only note reaches control only, and never appears in the field's history", async () => {
  const driver = await open("noteDriver");
  const driverWs = await openJson("noteDriver");
  const control = await open("noteControl");
  const controlTab2 = await open("noteControl");
  const otherControl = await open("noteControl2");
  const conversationId = await startConversation(driver, "note-conv", "Passenger incident");
  const atDriver = record(driver, "message:new");
  const atTab2 = record(controlTab2, "message:new");
  const atOther = record(otherControl, "message:new");

  const denied = await emitAck(driver, "message:send", { conversationId, body: "sneaky", clientId: "note-d-1", isNote: true });
  assert.equal(denied.ok, false);
  assert.equal(!denied.ok && denied.error.code, "FORBIDDEN");

  const note = await call(control, "message:send", { conversationId, body: "Driver sounded stressed", clientId: "note-1", isNote: true });
  assert.equal(note.message.kind, "NOTE");
  await waitFor(() => atTab2.some((m) => m.id === note.message.id), "control's other tab receives the note");
  await waitFor(() => atOther.some((m) => m.id === note.message.id), "other control staff receive the note");
  assert.deepEqual(atOther.find((m) => m.id === note.message.id), note.message);

  const fieldList = await call(driver, "conversation:list", {});
  const listed = fieldList.conversations.find((c) => c.id === conversationId);
  assert.ok(listed);
  assert.notEqual(listed.lastMessage?.kind, "NOTE", "the field's preview is not the note");
  assert.equal(listed.unreadCount, 0, "a note is not unread for the field");

  // A message after the note is a barrier: when it reaches the driver, the note would have too.
  const reply = await call(control, "message:send", { conversationId, body: "Help is on the way", clientId: "note-2" });
  await waitFor(() => atDriver.some((m) => m.id === reply.message.id), "the driver receives the reply");
  await driverWs.waitFor((f) => f.type === "new_message" && f.data?.id === reply.message.id);
  assert.deepEqual(atDriver.filter(inConversation(conversationId)).map((m) => m.clientId), ["note-2"], "the driver's socket never got the note");
  assert.deepEqual(wsMessages(driverWs, conversationId).map((m) => m.client_id), ["note-conv", "note-2"], "nor their JSON WebSocket (open since before the conversation)");

  const fieldHistory = await call(driver, "message:list", { conversationId });
  assert.deepEqual(fieldHistory.messages.map((m) => m.clientId), ["note-conv", "note-2"]);
  const fieldCatch = await call(driver, "message:list", { conversationId, afterSequence: 1 });
  assert.deepEqual(fieldCatch.messages.map((m) => m.clientId), ["note-2"]);
  const wsHistory = await driverWs.request("get_conversation_messages", { conversation_id: conversationId });
  assert.deepEqual((wsHistory.data?.messages as { client_id: string }[]).map((m) => m.client_id), ["note-conv", "note-2"]);
  const controlHistory = await call(otherControl, "message:list", { conversationId });
  assert.deepEqual(controlHistory.messages.map((m) => m.clientId), ["note-conv", "note-1", "note-2"]);
});

void test("a field message reopens a resolved conversation and control is told", async () => {
  const driver = await open("reopenDriver");
  const control = await open("reopenControl");
  const atControl = record(control, "conversation:updated");
  const atDriver = record(driver, "conversation:updated");
  const conversationId = await startConversation(driver, "reopen-conv");
  const updatesAtControl = () => atControl.filter((c) => c.id === conversationId);
  const updatesAtDriver = () => atDriver.filter((c) => c.id === conversationId);

  // Unassigned: reopens as OPEN.
  const resolved = await call(control, "conversation:resolve", { conversationId });
  assert.equal(resolved.conversation.status, "RESOLVED");
  await waitFor(() => updatesAtControl().some((c) => c.status === "RESOLVED"), "control hears the resolve");
  await waitFor(() => updatesAtDriver().some((c) => c.status === "RESOLVED"), "the driver hears the resolve");
  let seenAtControl = updatesAtControl().length;
  let seenAtDriver = updatesAtDriver().length;
  await call(driver, "message:send", { conversationId, body: "It happened again", clientId: "reopen-1" });
  await waitFor(() => updatesAtControl().length > seenAtControl, "control hears the reopen");
  assert.equal(updatesAtControl().at(-1)?.status, "OPEN");
  assert.equal(updatesAtControl().at(-1)?.assignee, null);
  await waitFor(() => updatesAtDriver().length > seenAtDriver, "the driver's devices hear the reopen");
  assert.equal(updatesAtDriver().at(-1)?.status, "OPEN");

  // Assigned: reopens as ASSIGNED, still with its assignee.
  await call(control, "conversation:take", { conversationId });
  await call(control, "conversation:resolve", { conversationId });
  await waitFor(() => updatesAtControl().at(-1)?.status === "RESOLVED", "control hears the second resolve");
  await waitFor(() => updatesAtDriver().at(-1)?.status === "RESOLVED", "the driver hears the second resolve");
  seenAtControl = updatesAtControl().length;
  seenAtDriver = updatesAtDriver().length;
  await call(driver, "message:send", { conversationId, body: "And again", clientId: "reopen-2" });
  await waitFor(() => updatesAtControl().length > seenAtControl, "control hears the second reopen");
  const reopened = updatesAtControl().at(-1);
  assert.equal(reopened?.status, "ASSIGNED");
  assert.equal(reopened?.assignee?.id, user("reopenControl").id);
  await waitFor(() => updatesAtDriver().length > seenAtDriver, "the driver hears the second reopen");
  assert.equal(updatesAtDriver().at(-1)?.status, "ASSIGNED");

  const listed = await call(control, "conversation:list", {});
  assert.equal(listed.conversations.find((c) => c.id === conversationId)?.status, "ASSIGNED", "it is active again for control");
});

void test("a control reply into a resolved conversation is refused with CONFLICT and stores nothing; a note is still allowed", async () => {
  const driver = await open("closedDriver");
  const control = await open("closedControl");
  const conversationId = await startConversation(driver, "closed-conv");
  await call(control, "conversation:resolve", { conversationId });
  const atDriver = record(driver, "message:new");

  const refused = await emitAck(control, "message:send", { conversationId, body: "Late reply", clientId: "closed-1" });
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.error.code, "CONFLICT");
  assert.match(!refused.ok ? refused.error.message : "", /resolved/i);

  const note = await call(control, "message:send", { conversationId, body: "Closed after the call", clientId: "closed-note", isNote: true });
  assert.equal(note.message.kind, "NOTE");
  const history = await call(control, "message:list", { conversationId });
  assert.deepEqual(history.messages.filter((m) => m.kind !== "SYSTEM").map((m) => m.clientId), ["closed-conv", "closed-note"], "the refused reply is not stored");
  const listed = await call(control, "conversation:list", { status: "all" });
  assert.equal(listed.conversations.find((c) => c.id === conversationId)?.status, "RESOLVED", "the refusal did not reopen it");
  assert.equal(atDriver.filter(inConversation(conversationId)).length, 0, "the driver received nothing");

  // Reopened, the same reply goes through.
  await call(control, "conversation:reopen", { conversationId });
  const sent = await call(control, "message:send", { conversationId, body: "Late reply", clientId: "closed-1" });
  await waitFor(() => atDriver.some((m) => m.id === sent.message.id), "after a reopen the driver receives the reply");
});

void test("conversation:view reaches the other control staff (not the viewer, not the field) and ends when the viewer disconnects", async () => {
  const driver = await open("viewDriver");
  const viewer = await open("viewControlA");
  const colleague = await open("viewControlB");
  const conversationId = await startConversation(driver, "view-conv");
  const atColleague = record(colleague, "viewing");
  const atViewer = record(viewer, "viewing");
  const atDriver = record(driver, "viewing");

  await call(viewer, "conversation:view", { conversationId, isViewing: true });
  await waitFor(() => atColleague.some((v) => v.conversationId === conversationId && v.isViewing), "the colleague sees 'viewing'");
  assert.equal(atColleague.at(-1)?.user.id, user("viewControlA").id);
  assert.equal(atColleague.at(-1)?.user.name, "Val");

  const fieldRefused = await emitAck(driver, "conversation:view", { conversationId, isViewing: true });
  assert.equal(fieldRefused.ok, false);
  assert.equal(!fieldRefused.ok && fieldRefused.error.code, "FORBIDDEN");
  const invalid = await emitAck(viewer, "conversation:view", { conversationId, isViewing: "yes" });
  assert.equal(!invalid.ok && invalid.error.code, "VALIDATION");

  viewer.disconnect();
  await waitFor(() => atColleague.at(-1)?.isViewing === false, "the colleague hears 'stopped viewing' when the viewer leaves");
  assert.equal(atViewer.length, 0, "the viewer is not told about themselves");
  assert.equal(atDriver.length, 0, "the field never receives viewing signals");
});

void test("two staff taking one conversation at once: exactly one wins, the other gets CONFLICT", async () => {
  const driver = await open("raceDriver");
  const staffA = await open("raceControlA");
  const staffB = await open("raceControlB");
  for (let round = 1; round <= 3; round++) {
    const conversationId = await startConversation(driver, `race-conv-${round}`);
    const [a, b] = await Promise.all([emitAck(staffA, "conversation:take", { conversationId }), emitAck(staffB, "conversation:take", { conversationId })]);
    const winners = [a, b].filter((ack) => ack.ok);
    const losers = [a, b].filter((ack) => !ack.ok);
    assert.equal(winners.length, 1, `round ${round}: exactly one take succeeds (${JSON.stringify([a, b])})`);
    assert.equal(losers.length, 1);
    const loser = losers[0]!;
    assert.equal(!loser.ok && loser.error.code, "CONFLICT");
    const winnerKey = a.ok ? "raceControlA" : "raceControlB";
    const winner = winners[0]!;
    assert.equal(winner.ok && winner.data.conversation.assignee?.id, user(winnerKey).id);

    const history = await call(staffA, "message:list", { conversationId });
    assert.equal(history.messages.filter((m) => m.kind === "SYSTEM").length, 1, "one take is recorded");
    assert.deepEqual(history.messages.map((m) => m.sequence), [1, 2]);
  }
});

void test("in the database, each retried clientId is one row and every conversation's sequences run 1..N", async () => {
  closeAll();
  const senders = Object.fromEntries(Object.entries(server.users).map(([key, user]) => [key, user.id]));
  const state = await server.inspect(async (db) => ({
    counts: await Promise.all(
      storedOnce.map(async ({ senderKey, clientId }) => ({
        clientId,
        count: await db.message.count({ where: { senderId: senders[senderKey], clientId } }),
      })),
    ),
    conversations: await db.conversation.findMany({
      select: { id: true, title: true, lastSequence: true, messages: { select: { sequence: true }, orderBy: { sequence: "asc" } } },
    }),
  }));
  assert.equal(state.counts.length, 3, "the idempotency tests registered their client ids");
  for (const { clientId, count } of state.counts) assert.equal(count, 1, `${clientId} is stored once`);
  assert.ok(state.conversations.length >= 10);
  for (const conversation of state.conversations) {
    const sequences = conversation.messages.map((m) => m.sequence);
    assert.deepEqual(sequences, Array.from({ length: sequences.length }, (_, i) => i + 1), `${conversation.title}: sequences are 1..N`);
    assert.equal(conversation.lastSequence, sequences.length, `${conversation.title}: lastSequence is N`);
  }
  const catchConversation = state.conversations.find((c) => c.title === "catch-conv");
  assert.equal(catchConversation?.lastSequence, 103);
});
