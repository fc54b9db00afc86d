import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server";
import { call, connectSocketIo, JsonWsClient, nextEvent, record, sleep, waitFor, type ChatSocket } from "../helpers/clients";

// Acceptance 1 and 2 of the realtime issue: the seed's scenario end to end, and across transports.

let server: TestServer;
let driver: ChatSocket;
let control: ChatSocket;

before(async () => {
  server = await startTestServer({
    driver: { role: "BUS_DRIVER", name: "Dana", vehicle: "Bus 12", route: "Route 4" },
    regulator: { role: "QUEUE_REGULATOR", name: "Rafa" },
    control: { role: "CONTROL_STAFF", name: "Casey" },
  });
  driver = await connectSocketIo(server.url, { token: await server.token("driver") });
  control = await connectSocketIo(server.url, { token: await server.token("control") });
});

after(async () => {
  driver?.disconnect();
  control?.disconnect();
  await server?.close();
});

test("control in driver_support is told of a driver's conversation, and they chat both ways", async () => {
  const rooms = await call(control, "room:leave", { room: "general_support" });
  assert.deepEqual(rooms.rooms, ["driver_support", "regulator_support", "emergency_support"]);
  const announced = nextEvent(control, "conversation:new");
  const atDriver = record(driver, "message:new");
  const atControl = record(control, "message:new");
  const created = await call(driver, "conversation:create", { title: "Flat tyre", body: "Flat tyre at Elm St", clientId: "c-1" });
  assert.equal(created.conversation.category, "DRIVER");
  assert.equal(created.conversation.vehicle, "Bus 12");
  assert.equal(created.conversation.route, "Route 4");
  assert.equal(created.message.sequence, 1);
  const notice = await announced;
  assert.equal(notice.id, created.conversation.id);
  assert.equal(notice.creator.name, "Dana");

  const conversationId = created.conversation.id;
  const controlTyping = record(control, "typing");
  const driverTyping = record(driver, "typing");

  await call(driver, "typing:set", { conversationId, isTyping: true });
  await waitFor(() => controlTyping.length === 1, "control sees the driver typing");
  assert.equal(controlTyping[0]?.user.name, "Dana");
  assert.equal(controlTyping[0]?.isTyping, true);

  const reply = await call(control, "message:send", { conversationId, body: "  On our way  ", clientId: "k-1" });
  assert.equal(reply.message.body, "On our way");
  assert.equal(reply.message.sequence, 2);
  assert.equal(reply.duplicate, false);
  await call(driver, "message:send", { conversationId, body: "Thanks", clientId: "c-2" });
  await waitFor(() => atDriver.length === 3 && atControl.length === 3, "both sides receive every message");
  assert.deepEqual(atDriver.map((m) => m.sequence), [1, 2, 3], "the sender's other devices hear their own messages too");
  assert.deepEqual(atControl.map((m) => m.body), ["Flat tyre at Elm St", "On our way", "Thanks"]);

  // The driver sent "Thanks": when control reads it, the driver sees it as read.
  const readAtDriver = nextEvent(driver, "read:updated");
  assert.deepEqual(await call(control, "message:read", { conversationId, sequence: 3 }), { lastReadSequence: 3 });
  const receipt = await readAtDriver;
  assert.equal(receipt.user.name, "Casey");
  assert.equal(receipt.lastReadSequence, 3);
  assert.deepEqual(await call(control, "message:read", { conversationId, sequence: 1 }), { lastReadSequence: 3 }, "the pointer never moves back");

  await sleep(200);
  assert.equal(driverTyping.length, 0, "the typer never hears their own typing");

  const page1 = await call(control, "message:list", { conversationId, limit: 2 });
  assert.deepEqual(page1.messages.map((m) => m.sequence), [2, 3]);
  assert.equal(page1.hasMore, true);
  const page2 = await call(control, "message:list", { conversationId, limit: 2, beforeSequence: 2 });
  assert.deepEqual(page2.messages.map((m) => m.body), ["Flat tyre at Elm St"]);
  assert.equal(page2.hasMore, false);

  const driverList = await call(driver, "conversation:list", {});
  assert.deepEqual(driverList.conversations.map((c) => c.id), [conversationId]);
  const controlList = await call(control, "conversation:list", { room: "driver_support" });
  const listed = controlList.conversations.find((c) => c.id === conversationId);
  assert.ok(listed, "control lists the conversation in driver_support");
  assert.equal(listed.lastMessage?.body, "Thanks");
  assert.equal(listed.unreadCount, 0, "control has read everything");
  assert.equal(listed.peerReadSequence, 3, "the driver's pointer is at their own last message");
  const regulatorRoom = await call(control, "conversation:list", { room: "regulator_support" });
  assert.equal(regulatorRoom.conversations.some((c) => c.id === conversationId), false);
});

test("a driver on the JSON WebSocket and control on Socket.IO talk both ways", async () => {
  const ws = await JsonWsClient.connect(server.url, await server.token("driver"));
  try {
    await call(control, "room:join", { room: "general_support" });
    const established = ws.frames[0];
    assert.equal((established?.data?.user as { role: string }).role, "BUS_DRIVER");
    const announced = nextEvent(control, "conversation:new");
    const created = await ws.request("create_support_conversation", { title: "Detour", content: "Road closed on 5th", category: "general" });
    assert.equal(created.type, "response");
    assert.equal(created.ok, true);
    const conversation = created.data?.conversation as { id: string; category: string };
    assert.equal(conversation.category, "GENERAL");
    assert.equal((await announced).id, conversation.id);

    const pushed = ws.waitFor((f) => f.type === "new_message" && (f.data as { body: string }).body === "Take 6th instead");
    await call(control, "message:send", { conversationId: conversation.id, body: "Take 6th instead", clientId: "k-ws-1" });
    const frame = await pushed;
    assert.equal((frame.data as { conversation_id: string }).conversation_id, conversation.id);

    const atControl = nextEvent(control, "message:new");
    const sent = await ws.request("send_chat_message", { conversation_id: conversation.id, content: "Will do", client_id: "ws-1" });
    assert.equal(sent.ok, true);
    const received = await atControl;
    assert.equal(received.body, "Will do");
    assert.equal(received.sequence, 3);

    const history = await ws.request("get_conversation_messages", { conversation_id: conversation.id, limit: 10, skip: 0 });
    assert.deepEqual((history.data?.messages as { body: string }[]).map((m) => m.body), ["Road closed on 5th", "Take 6th instead", "Will do"]);

    // The seed's read receipt: control marks the driver's message read; the driver's message_read
    // push names the marked message, the reader and the time, field by field.
    const readPush = ws.waitFor((f) => f.type === "message_read" && (f.data as { user_id?: string }).user_id === server.users.control?.id && (f.data as { last_read_sequence?: number }).last_read_sequence === 3);
    const beforeRead = Date.now();
    await call(control, "message:read", { conversationId: conversation.id, messageId: received.id });
    const read = (await readPush).data as Record<string, unknown>;
    assert.deepEqual(Object.keys(read).sort(), ["conversation_id", "last_read_sequence", "message_id", "read_at", "user", "user_id"]);
    assert.equal(read.conversation_id, conversation.id);
    assert.equal(read.message_id, received.id);
    assert.equal(read.last_read_sequence, 3);
    assert.equal(read.user_id, server.users.control?.id);
    assert.deepEqual(read.user, { id: server.users.control?.id, name: "Casey", role: "CONTROL_STAFF" });
    const readAt = Date.parse(String(read.read_at));
    assert.ok(readAt >= beforeRead - 1000 && readAt <= Date.now() + 1000, `read_at ${String(read.read_at)} is the time of the read`);
    // A read by sequence names the message at that sequence too (here the driver's read of control's reply).
    const thanks = await call(control, "message:send", { conversationId: conversation.id, body: "Thanks", clientId: "k-ws-2" });
    const atControlRead = nextEvent(control, "read:updated");
    const marked = await ws.request("mark_message_read", { conversation_id: conversation.id, sequence: thanks.message.sequence });
    assert.equal(marked.ok, true, JSON.stringify(marked));
    const driverRead = await atControlRead;
    assert.equal(driverRead.userId, server.users.driver?.id);
    assert.equal(driverRead.lastReadSequence, 4);
    assert.equal(driverRead.messageId, thanks.message.id);
  } finally {
    ws.close();
  }
});
