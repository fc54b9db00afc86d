import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { decode } from "next-auth/jwt";
import { startTestServer, TEST_SECRET, type TestServer } from "../helpers/server";
import { call, callPaced, disconnected, emitAck, expectRefusal, requestToken, record, sleep, waitFor, withTimeout, type ChatSocket } from "../helpers/clients";
import { createSession } from "../helpers/session";
import type { ClientEventName, ServerToClientEvents } from "../../lib/realtime/events";
import type { AuditView, ConversationView } from "../../lib/chat/types";

// The control dashboard's server API: conversation filters and search, presence, the user context
// panel, emergency escalation, the admin account events and audit record, the settings in
// session:ready, and the read receipt a reply implies. One server for the file, with a 2 s
// escalation time; each test uses its own users where the state of another test could interfere.

const ESCALATION_SECONDS = 2;
/** How long to wait for an event that should come (generous: the machine may be busy). */
const EVENT_WAIT_MS = 10_000;

let server: TestServer;
const { open, openJson, track, user, closeAll } = createSession(() => server);

before(async () => {
  server = await startTestServer(
    {
      driver: { role: "BUS_DRIVER", name: "Dana Quimby", vehicle: "Bus 12", route: "Route 4" },
      driver2: { role: "BUS_DRIVER", name: "Otto Brennan", vehicle: "Bus 77", route: "Route 9" },
      vera: { role: "BUS_DRIVER", name: "Vera Lindqvist", vehicle: "Tram 3", route: "Line 8" },
      walker: { role: "BUS_DRIVER", name: "Wally Walker" },
      wendy: { role: "QUEUE_REGULATOR", name: "Wendy Socket" },
      idle: { role: "BUS_DRIVER", name: "Ivy Idle" },
      sirens: { role: "BUS_DRIVER", name: "Sam Sirens", vehicle: "Bus 99", route: "Route 1" },
      replier: { role: "QUEUE_REGULATOR", name: "Remy Reply" },
      control: { role: "CONTROL_STAFF", name: "Casey Control" },
      control2: { role: "CONTROL_STAFF", name: "Morgan Miles" },
      admin: { role: "CONTROL_ADMIN", name: "Alex Admin" },
      rory: { role: "BUS_DRIVER", name: "Rory Role" },
      pam: { role: "CONTROL_STAFF", name: "Pam Password" },
      dee: { role: "CONTROL_STAFF", name: "Dee Deactivated" },
    },
    { EMERGENCY_ESCALATION_SECONDS: String(ESCALATION_SECONDS) },
  );
});

after(async () => {
  closeAll();
  await server?.close();
});

type SessionReady = Parameters<ServerToClientEvents["session:ready"]>[0];

/** Connects with a token and returns the socket with the session:ready payload it was greeted with. */
async function openWithSession(token: string): Promise<{ socket: ChatSocket; session: SessionReady }> {
  const socket = track(io(server.url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true }));
  const session = await withTimeout(
    new Promise<SessionReady>((resolve, reject) => {
      socket.once("session:ready", resolve);
      socket.once("connect_error", reject);
    }),
    "session:ready",
    EVENT_WAIT_MS,
  );
  return { socket, session };
}

/** Emits and asserts the ack is an error with `code`. */
async function expectCode(socket: ChatSocket, event: ClientEventName, input: unknown, code: string): Promise<void> {
  const ack = await emitAck(socket, event, input);
  assert.equal(ack.ok ? "ok" : ack.error.code, code, `${event} ${JSON.stringify(input)} answers ${code}`);
}

/** POST /api/auth/token: the status and, on success, the token and the user it names. */
async function tokenFor(email: string, password: string): Promise<{ status: number; token?: string; role?: string }> {
  const response = await requestToken(server.url, { email, password });
  const body = (await response.json()) as { token?: string; user?: { role: string } };
  return { status: response.status, token: body.token, role: body.user?.role };
}

const ids = (conversations: ConversationView[]) => conversations.map((c) => c.id);

function hasAudit(events: AuditView[], action: string, subject: string): AuditView | undefined {
  return events.find((e) => e.action === action && e.subject === subject);
}

test("session:ready carries the settings: escalation and reminder times, canned responses for control only", async () => {
  const atControl = await openWithSession(await server.token("control"));
  assert.equal(atControl.session.user.id, user("control").id);
  assert.equal(atControl.session.settings.emergencyEscalationSeconds, ESCALATION_SECONDS, "EMERGENCY_ESCALATION_SECONDS reaches the client");
  assert.equal(atControl.session.settings.unclaimedReminderSeconds, 30, "UNCLAIMED_REMINDER_SECONDS defaults to 30");
  assert.ok(atControl.session.settings.cannedResponses.length > 0, "control staff get canned responses");
  for (const response of atControl.session.settings.cannedResponses) assert.ok(typeof response === "string" && response.trim().length > 0);

  const atDriver = await openWithSession(await server.token("driver"));
  assert.equal(atDriver.session.user.role, "BUS_DRIVER");
  assert.equal(atDriver.session.settings.emergencyEscalationSeconds, ESCALATION_SECONDS);
  assert.equal(atDriver.session.settings.unclaimedReminderSeconds, 30);
  assert.deepEqual(atDriver.session.settings.cannedResponses, [], "field staff get no canned responses");
  atControl.socket.disconnect();
  atDriver.socket.disconnect();
});

test("conversation:list for control: status filters open, mine, assigned, resolved, all", async () => {
  const driver = await open("driver");
  const driver2 = await open("driver2");
  const control = await open("control");
  const control2 = await open("control2");
  const controlId = user("control").id;

  const open1 = (await call(driver, "conversation:create", { title: "Brake warning light", body: "Brake light flickering on the dashboard", clientId: "f-open" })).conversation;
  const mine = (await call(driver, "conversation:create", { title: "Door stuck", body: "Rear door will not close", clientId: "f-mine" })).conversation;
  const theirs = (await call(driver2, "conversation:create", { title: "Wheelchair ramp", body: "Ramp jammed half way", clientId: "f-theirs" })).conversation;
  const resolved = (await call(driver, "conversation:create", { title: "Mirror loose", body: "Left mirror is loose", clientId: "f-resolved" })).conversation;

  await call(control, "conversation:take", { conversationId: mine.id });
  await call(control2, "conversation:take", { conversationId: theirs.id });
  await call(control, "conversation:take", { conversationId: resolved.id });
  await call(control, "conversation:resolve", { conversationId: resolved.id });

  const list = async (status?: string) => (await call(control, "conversation:list", status === undefined ? {} : { status })).conversations;
  const includes = (listed: ConversationView[], expected: ConversationView[], excluded: ConversationView[], what: string) => {
    for (const c of expected) assert.ok(ids(listed).includes(c.id), `${what} lists "${c.title}"`);
    for (const c of excluded) assert.ok(!ids(listed).includes(c.id), `${what} does not list "${c.title}"`);
  };

  const byDefault = await list();
  includes(byDefault, [open1, mine, theirs], [resolved], "the default (open)");
  const openList = await list("open");
  includes(openList, [open1, mine, theirs], [resolved], "open");
  assert.deepEqual(ids(openList), ids(byDefault), "no status is the same as open");
  for (const c of openList) assert.ok(c.status === "OPEN" || c.status === "ASSIGNED", `open lists only OPEN or ASSIGNED (got ${c.status})`);

  const mineList = await list("mine");
  includes(mineList, [mine], [open1, theirs, resolved], "mine");
  for (const c of mineList) {
    assert.equal(c.status, "ASSIGNED");
    assert.equal(c.assignee?.id, controlId, "mine lists only conversations assigned to the viewer");
  }
  const mineForControl2 = (await call(control2, "conversation:list", { status: "mine" })).conversations;
  includes(mineForControl2, [theirs], [open1, mine, resolved], "mine (for the other staff member)");

  const assignedList = await list("assigned");
  includes(assignedList, [mine, theirs], [open1, resolved], "assigned");
  for (const c of assignedList) assert.equal(c.status, "ASSIGNED");

  const resolvedList = await list("resolved");
  includes(resolvedList, [resolved], [open1, mine, theirs], "resolved");
  for (const c of resolvedList) assert.equal(c.status, "RESOLVED");

  const allList = await list("all");
  includes(allList, [open1, mine, theirs, resolved], [], "all");

  await expectCode(control, "conversation:list", { status: "closed" }, "VALIDATION");
});

test("conversation:list for control: search by creator name, message text and vehicle", async () => {
  const driver = await open("driver");
  const driver2 = await open("driver2");
  const control = await open("control");

  const brakes = (await call(driver, "conversation:create", { title: "Engine light", body: "Amber engine light since the depot", clientId: "s-engine" })).conversation;
  const ramp = (await call(driver2, "conversation:create", { title: "Ticket machine", body: "Ticket machine frozen", clientId: "s-ticket" })).conversation;
  // The word appears only in a later message, not in any title or first message.
  await call(control, "message:send", { conversationId: brakes.id, body: "Check the xylophone-shaped fuse panel", clientId: "s-reply" });

  const search = async (text: string, status?: string) =>
    (await call(control, "conversation:list", status ? { search: text, status } : { search: text })).conversations;

  const byName = await search("brennan", "all");
  assert.ok(ids(byName).includes(ramp.id), "the creator's surname finds their conversation (case-insensitive)");
  assert.ok(!ids(byName).includes(brakes.id));
  for (const c of byName) assert.equal(c.creator.id, user("driver2").id, "a name search lists only that person's conversations");

  const byText = await search("XYLOPHONE");
  assert.deepEqual(ids(byText), [brakes.id], "message text finds the conversation, also in a later message");

  const byVehicle = await search("bus 77", "all");
  assert.ok(ids(byVehicle).includes(ramp.id), "the vehicle finds the conversation");
  assert.ok(!ids(byVehicle).includes(brakes.id), "another vehicle does not match");
  for (const c of byVehicle) assert.equal(c.vehicle, "Bus 77");

  assert.deepEqual(await search("no-such-words-anywhere-qq", "all"), [], "a search that matches nothing lists nothing");
});

test("conversation:list for field staff ignores other drivers' conversations and the control filters", async () => {
  const driver = await open("driver");
  const driver2 = await open("driver2");
  const dana = (await call(driver, "conversation:create", { title: "Seat broken", body: "Driver seat will not lock", clientId: "fl-1" })).conversation;
  const otto = (await call(driver2, "conversation:create", { title: "Heater", body: "Heater stuck on full", clientId: "fl-2" })).conversation;

  const plain = (await call(driver2, "conversation:list", {})).conversations;
  assert.ok(ids(plain).includes(otto.id));
  assert.ok(!ids(plain).includes(dana.id), "another driver's conversation is not listed");
  for (const c of plain) assert.equal(c.creator.id, user("driver2").id);

  // Filters meant for control do not widen a field user's view.
  const widened = (await call(driver2, "conversation:list", { status: "all", search: "Seat broken" })).conversations;
  assert.ok(!ids(widened).includes(dana.id), "status all and a matching search still hide another driver's conversation");
  for (const c of widened) assert.equal(c.creator.id, user("driver2").id);
});

test("a control reply moves control's read pointer: the driver learns it from the reply itself, one frame per message", async () => {
  const field = await open("replier");
  const control = await open("control");
  const created = await call(field, "conversation:create", { body: "Queue at stop 14 is overflowing", clientId: "rr-1" });
  const conversationId = created.conversation.id;
  const receipts = record(field, "read:updated");
  const messages = record(field, "message:new");

  const reply = await call(control, "message:send", { conversationId, body: "Sending an extra bus", clientId: "rr-k1" });
  assert.equal(reply.message.sequence, 2);
  await waitFor(() => messages.some((m) => m.id === reply.message.id), "the reply at the field user", EVENT_WAIT_MS);
  const second = await call(control, "message:send", { conversationId, body: "It leaves the depot now", clientId: "rr-k2" });
  await waitFor(() => messages.some((m) => m.id === second.message.id), "the second reply at the field user", EVENT_WAIT_MS);
  // A marker after the replies: a receipt pushed for either reply would have arrived before it.
  const marker = await call(control, "message:send", { conversationId, body: "Marker", clientId: "rr-k3" });
  await waitFor(() => messages.some((m) => m.id === marker.message.id), "the marker at the field user", EVENT_WAIT_MS);
  assert.deepEqual(receipts, [], "no read:updated for a sent message: message:new says it");
  const listed = (await call(field, "conversation:list", {})).conversations.find((c) => c.id === conversationId);
  assert.equal(listed?.peerReadSequence, marker.message.sequence, "control's stored read pointer is at its latest reply");
});

test("presence: control hears a user's first connection and last disconnection only; presence:list; field staff are refused", async () => {
  const control = await open("control");
  const walkerId = user("walker").id;
  const changes = record(control, "presence:updated");
  const walkerChanges = () => changes.filter((c) => c.user.id === walkerId);

  const tab1 = await open("walker");
  await waitFor(() => walkerChanges().length >= 1, "presence:updated online for the first connection", EVENT_WAIT_MS);
  assert.deepEqual(walkerChanges(), [{ user: { id: walkerId, name: "Wally Walker", role: "BUS_DRIVER" }, online: true }]);

  const listed = (await call(control, "presence:list", {})).online;
  assert.ok(listed.some((u) => u.id === walkerId && u.name === "Wally Walker" && u.role === "BUS_DRIVER"), "presence:list contains the driver");
  assert.ok(listed.some((u) => u.id === user("control").id), "presence:list contains the caller");
  assert.equal(new Set(listed.map((u) => u.id)).size, listed.length, "one entry per user, not per connection");

  const tab2 = await open("walker");
  await sleep(1000);
  assert.equal(walkerChanges().length, 1, "a second tab is not announced");
  assert.equal((await call(control, "presence:list", {})).online.filter((u) => u.id === walkerId).length, 1);

  tab2.disconnect();
  await sleep(1000);
  assert.equal(walkerChanges().length, 1, "closing the second tab while the first is open announces nothing");
  assert.ok((await call(control, "presence:list", {})).online.some((u) => u.id === walkerId), "still online with one tab");

  tab1.disconnect();
  await waitFor(() => walkerChanges().length >= 2, "presence:updated offline after the last connection closed", EVENT_WAIT_MS);
  await sleep(500);
  assert.deepEqual(
    walkerChanges().map((c) => c.online),
    [true, false],
    "exactly one online and one offline event",
  );
  assert.ok(!(await call(control, "presence:list", {})).online.some((u) => u.id === walkerId), "gone from presence:list");

  const driver = await open("driver");
  await expectCode(driver, "presence:list", {}, "FORBIDDEN");
});

test("presence counts JSON WebSocket connections too", async () => {
  const control = await open("control");
  const wendyId = user("wendy").id;
  const changes = record(control, "presence:updated");
  const wendyChanges = () => changes.filter((c) => c.user.id === wendyId);

  const ws = await openJson("wendy");
  await waitFor(() => wendyChanges().length >= 1, "presence:updated online for a JSON WebSocket connection", EVENT_WAIT_MS);
  assert.equal(wendyChanges()[0]?.online, true);
  assert.ok((await call(control, "presence:list", {})).online.some((u) => u.id === wendyId));

  const tab = await open("wendy");
  tab.disconnect();
  await sleep(1000);
  assert.equal(wendyChanges().length, 1, "a Socket.IO tab opening and closing while the JSON WebSocket stays is not announced");

  ws.close();
  await waitFor(() => wendyChanges().length >= 2, "presence:updated offline after the JSON WebSocket closed", EVENT_WAIT_MS);
  assert.deepEqual(wendyChanges().map((c) => c.online), [true, false]);
});

test("user:context: the field user's summary, online flag and conversations, newest first; FORBIDDEN and NOT_FOUND", async () => {
  const vera = await open("vera");
  const control = await open("control");
  const veraId = user("vera").id;

  const first = (await call(vera, "conversation:create", { title: "First", body: "Wiper slow", clientId: "ctx-1" })).conversation;
  await sleep(20); // distinct lastMessageAt values
  const second = (await call(vera, "conversation:create", { title: "Second", body: "Bell not ringing", clientId: "ctx-2" })).conversation;

  const context = await call(control, "user:context", { userId: veraId });
  assert.deepEqual(context.user, { id: veraId, name: "Vera Lindqvist", role: "BUS_DRIVER", vehicle: "Tram 3", route: "Line 8" });
  assert.equal(context.online, true, "Vera is connected");
  assert.deepEqual(ids(context.conversations), [second.id, first.id], "newest first");
  for (const c of context.conversations) assert.equal(c.creator.id, veraId);

  await sleep(20);
  await call(vera, "message:send", { conversationId: first.id, body: "Now it stopped entirely", clientId: "ctx-3" });
  const after = await call(control, "user:context", { userId: veraId });
  assert.deepEqual(ids(after.conversations), [first.id, second.id], "ordered by latest activity");
  assert.equal(after.conversations[0]?.lastMessage?.body, "Now it stopped entirely");

  const offline = await call(control, "user:context", { userId: user("idle").id });
  assert.equal(offline.online, false, "a user with no connection is offline");
  assert.deepEqual(offline.conversations, []);

  const admin = await open("admin");
  assert.equal((await call(admin, "user:context", { userId: veraId })).user.id, veraId, "admins may read it too");

  await expectCode(vera, "user:context", { userId: veraId }, "FORBIDDEN");
  const driver = await open("driver");
  await expectCode(driver, "user:context", { userId: veraId }, "FORBIDDEN");
  await expectCode(control, "user:context", { userId: "no-such-user-123" }, "NOT_FOUND");
  await expectCode(control, "user:context", {}, "VALIDATION");
});

test("escalation: an unacknowledged emergency escalates once; an acknowledged one never; all of it is audited", async () => {
  const driver = await open("sirens");
  const control = await open("control");
  const admin = await open("admin");
  const escalations = record(control, "emergency:escalated");

  const raised = await call(driver, "conversation:create", { category: "emergency", body: "Passenger collapsed on board", clientId: "em-1" });
  const acked = await call(driver, "conversation:create", { category: "emergency", body: "Fire in the engine bay", clientId: "em-2" });
  const raisedId = raised.conversation.id;
  const ackedId = acked.conversation.id;
  assert.equal(raised.conversation.category, "EMERGENCY");
  assert.equal(raised.conversation.escalatedAt, null);
  const ack = await call(control, "emergency:acknowledge", { conversationId: ackedId });
  assert.equal(ack.conversation.emergencyAck?.by.id, user("control").id);

  await waitFor(() => escalations.some((c) => c.id === raisedId), "emergency:escalated for the unacknowledged emergency", 10_000);
  const announced = escalations.find((c) => c.id === raisedId);
  assert.equal(announced?.category, "EMERGENCY");
  assert.equal(announced?.emergencyAck, null);
  assert.ok(announced?.escalatedAt, "the announcement carries escalatedAt");
  const announcedAt = Date.parse(announced.escalatedAt);
  assert.ok(announcedAt - Date.parse(raised.conversation.createdAt) >= ESCALATION_SECONDS * 1000, "not before the escalation time");

  // Several more sweeps run in this time: none announces it again, nor the acknowledged one.
  await sleep(4000);
  assert.equal(escalations.filter((c) => c.id === raisedId).length, 1, "escalated exactly once");
  assert.equal(escalations.filter((c) => c.id === ackedId).length, 0, "an emergency acknowledged in time never escalates");

  const stored = (await call(control, "conversation:join", { conversationId: raisedId })).conversation;
  assert.equal(stored.escalatedAt, announced.escalatedAt, "the stored conversation has escalatedAt set");
  const storedAcked = (await call(control, "conversation:join", { conversationId: ackedId })).conversation;
  assert.equal(storedAcked.escalatedAt, null);
  assert.equal(storedAcked.emergencyAck?.by.id, user("control").id);

  const events = (await call(admin, "audit:list", { limit: 200 })).events;
  const raisedEntry = hasAudit(events, "emergency.raised", raisedId);
  assert.ok(raisedEntry, "emergency.raised is audited");
  assert.equal(raisedEntry.actor?.id, user("sirens").id);
  assert.ok(hasAudit(events, "emergency.raised", ackedId));
  assert.equal(events.filter((e) => e.action === "emergency.escalated" && e.subject === raisedId).length, 1, "emergency.escalated audited once");
  assert.equal(hasAudit(events, "emergency.escalated", ackedId), undefined);
  const ackEntry = hasAudit(events, "emergency.acknowledged", ackedId);
  assert.ok(ackEntry, "emergency.acknowledged is audited");
  assert.equal(ackEntry.actor?.id, user("control").id);
});

test("user:create: admins create accounts that can sign in; staff are refused; duplicate email CONFLICT; bad role VALIDATION", async () => {
  const admin = await open("admin");
  const control = await open("control");
  const email = "nia.new@test.local";
  const input = { email: "Nia.New@Test.Local", name: "Nia New", role: "CONTROL_STAFF", password: "fresh-password-123" };

  await expectCode(control, "user:create", input, "FORBIDDEN");
  assert.equal((await tokenFor(email, input.password)).status, 401, "the refused request created nothing");
  const driver = await open("driver");
  await expectCode(driver, "user:create", input, "FORBIDDEN");

  const created = await call(admin, "user:create", input);
  assert.equal(created.user.email, email, "emails are stored lowercased");
  assert.equal(created.user.name, "Nia New");
  assert.equal(created.user.role, "CONTROL_STAFF");
  assert.equal(created.user.isActive, true);
  assert.equal((created.user as unknown as Record<string, unknown>).passwordHash, undefined, "no password hash leaves the server");

  const signIn = await tokenFor(email, input.password);
  assert.equal(signIn.status, 200, "the new account can get a token");
  assert.equal(signIn.role, "CONTROL_STAFF");
  const { session } = await openWithSession(signIn.token ?? "");
  assert.equal(session.user.id, created.user.id, "and connect with it");

  await expectCode(admin, "user:create", { ...input, name: "Someone Else" }, "CONFLICT");
  await expectCode(admin, "user:create", { ...input, email: "other@test.local", role: "SUPERUSER" }, "VALIDATION");
  await expectCode(admin, "user:create", { ...input, email: "short@test.local", password: "short" }, "VALIDATION");
  await expectCode(admin, "user:create", { ...input, email: "not-an-email" }, "VALIDATION");
  assert.equal((await tokenFor("other@test.local", input.password)).status, 401, "nothing was created by a refused request");
});

test("user:set-role disconnects the target's sockets; a new token carries the new role", async () => {
  const admin = await open("admin");
  const control = await open("control");
  const rory = user("rory");
  const oldToken = await server.token("rory");
  const target = await open("rory");
  const closed = disconnected(target);

  await expectCode(control, "user:set-role", { userId: rory.id, role: "CONTROL_ADMIN" }, "FORBIDDEN");
  await expectCode(admin, "user:set-role", { userId: rory.id, role: "KING" }, "VALIDATION");
  await expectCode(admin, "user:set-role", { userId: user("admin").id, role: "BUS_DRIVER" }, "CONFLICT");
  assert.equal(target.connected, true, "refused requests change nothing");

  const changed = await call(admin, "user:set-role", { userId: rory.id, role: "QUEUE_REGULATOR" });
  assert.equal(changed.user.id, rory.id);
  assert.equal(changed.user.role, "QUEUE_REGULATOR");
  assert.equal(await withTimeout(closed, "the target's socket to be disconnected", EVENT_WAIT_MS), "io server disconnect");

  const refused = await expectRefusal(server.url, { token: oldToken });
  assert.equal(refused.code, "UNAUTHENTICATED", "the token with the old role is revoked");

  const fresh = await tokenFor(rory.email, rory.password);
  assert.equal(fresh.status, 200);
  assert.equal(fresh.role, "QUEUE_REGULATOR");
  const claims = (await decode({ token: fresh.token ?? "", secret: TEST_SECRET })) as { role?: string } | null;
  assert.equal(claims?.role, "QUEUE_REGULATOR", "the new token itself carries the new role");
  const { socket, session } = await openWithSession(fresh.token ?? "");
  assert.equal(session.user.role, "QUEUE_REGULATOR");
  const created = await call(socket, "conversation:create", { body: "First day as a regulator", clientId: "role-1" });
  assert.equal(created.conversation.category, "REGULATOR", "the server acts on the new role");
});

test("user:reset-password: the old password stops working, the new one works, open connections are closed", async () => {
  const admin = await open("admin");
  const pam = user("pam");
  const target = await open("pam");
  const targetWs = await openJson("pam");
  const ioClosed = disconnected(target);
  const wsClosed = new Promise<number>((resolve) => targetWs.ws.once("close", (code) => resolve(code)));

  await expectCode(target, "user:reset-password", { userId: pam.id, password: "self-service-123" }, "FORBIDDEN");
  await expectCode(admin, "user:reset-password", { userId: pam.id, password: "short" }, "VALIDATION");
  await expectCode(admin, "user:reset-password", { userId: "no-such-user-123", password: "long-enough-123" }, "NOT_FOUND");

  const newPassword = "brand-new-password-9";
  assert.deepEqual(await call(admin, "user:reset-password", { userId: pam.id, password: newPassword }), { userId: pam.id });
  assert.equal(await withTimeout(ioClosed, "the Socket.IO connection to close", EVENT_WAIT_MS), "io server disconnect");
  assert.equal(await withTimeout(wsClosed, "the JSON WebSocket to close", EVENT_WAIT_MS), 4401);

  assert.equal((await tokenFor(pam.email, pam.password)).status, 401, "the old password is refused");
  const fresh = await tokenFor(pam.email, newPassword);
  assert.equal(fresh.status, 200, "the new password works");
  assert.equal((await expectRefusal(server.url, { token: await server.token("pam") })).code, "UNAUTHENTICATED", "tokens issued before the reset are revoked");
  await openWithSession(fresh.token ?? "");
});

test("user:deactivate and user:reactivate, with user:list for staff and admins", async () => {
  const admin = await open("admin");
  const control = await open("control");
  const dee = user("dee");
  const target = await open("dee");
  const closed = disconnected(target);

  const staffList = (await call(control, "user:list", {})).users;
  for (const u of staffList) {
    assert.ok(u.role === "CONTROL_STAFF" || u.role === "CONTROL_ADMIN", `staff see only control staff (got ${u.role})`);
    assert.equal(u.isActive, true);
  }
  for (const key of ["control", "control2", "dee", "admin"]) assert.ok(staffList.some((u) => u.id === user(key).id), `staff see ${key}`);
  assert.deepEqual(staffList.map((u) => u.name), [...staffList.map((u) => u.name)].sort((a, b) => a.localeCompare(b)), "by name");

  const adminList = (await call(admin, "user:list", {})).users;
  for (const key of ["driver", "replier", "control", "admin", "dee"]) assert.ok(adminList.some((u) => u.id === user(key).id), `admins see ${key}`);
  const drivers = (await call(admin, "user:list", { role: "BUS_DRIVER" })).users;
  assert.ok(drivers.length > 0);
  for (const u of drivers) assert.equal(u.role, "BUS_DRIVER");

  await expectCode(control, "user:deactivate", { userId: dee.id }, "FORBIDDEN");
  assert.deepEqual(await call(admin, "user:deactivate", { userId: dee.id }), { userId: dee.id });
  assert.equal(await withTimeout(closed, "the deactivated user's socket to close", EVENT_WAIT_MS), "io server disconnect");
  assert.equal((await tokenFor(dee.email, dee.password)).status, 401, "a deactivated account gets no token");

  assert.ok(!(await call(control, "user:list", {})).users.some((u) => u.id === dee.id), "staff no longer see the deactivated account");
  const staffAsking = (await call(control, "user:list", { includeInactive: true, role: "BUS_DRIVER" })).users;
  assert.ok(!staffAsking.some((u) => u.id === dee.id), "includeInactive is for admins only");
  for (const u of staffAsking) {
    assert.ok(u.role === "CONTROL_STAFF" || u.role === "CONTROL_ADMIN", "a role filter does not widen a staff member's list");
    assert.equal(u.isActive, true);
  }
  assert.ok(!(await call(admin, "user:list", {})).users.some((u) => u.id === dee.id), "admins see only active accounts by default");
  const withInactive = (await call(admin, "user:list", { includeInactive: true })).users;
  assert.equal(withInactive.find((u) => u.id === dee.id)?.isActive, false, "includeInactive shows the deactivated account");

  await expectCode(control, "user:reactivate", { userId: dee.id }, "FORBIDDEN");
  assert.deepEqual(await call(admin, "user:reactivate", { userId: dee.id }), { userId: dee.id });
  assert.equal((await call(admin, "user:list", {})).users.find((u) => u.id === dee.id)?.isActive, true);
  const again = await tokenFor(dee.email, dee.password);
  assert.equal(again.status, 200, "the account gets a token again");
  const { session } = await openWithSession(again.token ?? "");
  assert.equal(session.user.id, dee.id);

  const driver = await open("driver");
  await expectCode(driver, "user:list", {}, "FORBIDDEN");
});

test("audit:list: admins only, newest first, with account changes and sign-ins", async () => {
  const admin = await open("admin");
  const control = await open("control");
  const driver = await open("driver");
  await expectCode(control, "audit:list", {}, "FORBIDDEN");
  await expectCode(driver, "audit:list", {}, "FORBIDDEN");
  await expectCode(admin, "audit:list", { limit: 0 }, "VALIDATION");

  const email = "audit.subject@test.local";
  const password = "audit-password-123";
  const created = (await call(admin, "user:create", { email, name: "Audit Subject", role: "BUS_DRIVER", password })).user;
  assert.equal((await tokenFor(email, password)).status, 200);
  await call(admin, "user:set-role", { userId: created.id, role: "QUEUE_REGULATOR" });
  const newPassword = "audit-password-456";
  await call(admin, "user:reset-password", { userId: created.id, password: newPassword });
  await call(admin, "user:deactivate", { userId: created.id });
  await call(admin, "user:reactivate", { userId: created.id });
  assert.equal((await tokenFor(email, "wrong-password-000")).status, 401);

  const events = (await call(admin, "audit:list", { limit: 200 })).events;
  for (let i = 1; i < events.length; i++) {
    assert.ok(Date.parse(events[i - 1]?.createdAt ?? "") >= Date.parse(events[i]?.createdAt ?? ""), "newest first");
  }
  assert.equal(events[0]?.action, "auth.sign_in_failed", "the latest action (the bad password) comes first");
  assert.equal(events[0]?.subject, email);

  const adminId = user("admin").id;
  const createdEntry = hasAudit(events, "user.created", created.id);
  assert.ok(createdEntry, "user.created");
  assert.equal(createdEntry.actor?.id, adminId);
  assert.deepEqual(createdEntry.detail, { role: "BUS_DRIVER" });
  const roleEntry = hasAudit(events, "user.role_changed", created.id);
  assert.ok(roleEntry, "user.role_changed");
  assert.equal(roleEntry.actor?.id, adminId);
  assert.deepEqual(roleEntry.detail, { from: "BUS_DRIVER", to: "QUEUE_REGULATOR" });
  assert.equal(hasAudit(events, "user.password_set", created.id)?.actor?.id, adminId, "user.password_set");
  assert.equal(hasAudit(events, "user.deactivated", created.id)?.actor?.id, adminId, "user.deactivated");
  assert.equal(hasAudit(events, "user.reactivated", created.id)?.actor?.id, adminId, "user.reactivated");
  const signIn = hasAudit(events, "auth.sign_in", email);
  assert.ok(signIn, "auth.sign_in");
  assert.equal(signIn.actor?.id, created.id);
  assert.ok(hasAudit(events, "auth.sign_in_failed", email), "auth.sign_in_failed");
  const order = ["auth.sign_in_failed", "user.reactivated", "user.deactivated", "user.password_set", "user.role_changed", "user.created"];
  const positions = order.map((action) => events.findIndex((e) => e.action === action && (e.subject === created.id || e.subject === email)));
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, "in reverse order of the actions");
  for (const e of events) assert.equal(JSON.stringify(e).includes(password), false, "no password appears in the audit record");

  const page = (await call(admin, "audit:list", { limit: 3 })).events;
  assert.deepEqual(page.map((e) => e.id), events.slice(0, 3).map((e) => e.id), "limit returns the newest");
});

test("audit:list names subjects, words the detail, searches and pages with an id cursor", async () => {
  const admin = await open("admin");
  const control = await open("control");
  const driver = await open("driver");
  const created = await call(driver, "conversation:create", { title: "Audit label conversation", body: "Door stuck", clientId: "audit-label-1" });
  await call(control, "conversation:take", { conversationId: created.conversation.id });
  await call(control, "conversation:transfer", { conversationId: created.conversation.id, toUserId: user("control2").id });

  const all = (await call(admin, "audit:list", { limit: 200 })).events;
  const taken = hasAudit(all, "conversation.taken", created.conversation.id);
  assert.equal(taken?.subjectLabel, "“Audit label conversation”", "a conversation is named by its title");
  const transferred = hasAudit(all, "conversation.transferred", created.conversation.id);
  assert.match(transferred?.summary ?? "", /^to Morgan Miles \(/, "the transfer target is named");
  const roleChange = all.find((e) => e.action === "user.role_changed");
  if (roleChange) assert.match(roleChange.summary ?? "", /→/);
  const account = all.find((e) => e.action === "user.created");
  assert.match(account?.subjectLabel ?? "", /\(.+@.+\)$/, "an account is named with its email");

  const found = (await call(admin, "audit:list", { search: "audit label" })).events;
  assert.deepEqual(new Set(found.map((e) => e.subject)), new Set([created.conversation.id]), "search by conversation title");
  assert.deepEqual(found.map((e) => e.action).sort(), ["conversation.taken", "conversation.transferred"]);
  const byActor = (await call(admin, "audit:list", { search: "casey control", limit: 200 })).events;
  assert.ok(byActor.length > 0 && byActor.every((e) => e.actor?.name === "Casey Control" || (e.subjectLabel ?? "").includes("Casey Control")), "search by person");
  assert.deepEqual((await call(admin, "audit:list", { search: "zz-nothing-matches-zz" })).events, []);

  const pages: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard += 1) {
    const page = (await callPaced(admin, "audit:list", { limit: 7, ...(cursor ? { afterId: cursor } : {}) })).events;
    pages.push(...page.map((e) => e.id));
    if (page.length < 7) break;
    cursor = page.at(-1)?.id;
  }
  const now = (await call(admin, "audit:list", { limit: 200 })).events.map((e) => e.id);
  assert.deepEqual(pages, now, "id-cursor pages join up to the whole record, no gaps or repeats");
  await expectCode(admin, "audit:list", { afterId: "no-such-event" }, "NOT_FOUND");
  await expectCode(admin, "audit:list", { search: "x".repeat(101) }, "VALIDATION");
});

test("user:list for admins: search over name, email, vehicle and route; pages with a total", async () => {
  const admin = await open("admin");
  const control = await open("control");
  const byVehicle = await call(admin, "user:list", { search: "tram 3" });
  assert.deepEqual(byVehicle.users.map((u) => u.name), ["Vera Lindqvist"]);
  assert.equal(byVehicle.total, 1);
  assert.deepEqual((await call(admin, "user:list", { search: "LINDQ" })).users.map((u) => u.name), ["Vera Lindqvist"], "case-insensitive name search");
  assert.equal((await call(admin, "user:list", { search: "zz-nobody" })).total, 0);

  const everyone = await call(admin, "user:list", { includeInactive: true });
  assert.equal(everyone.total, everyone.users.length);
  const paged: string[] = [];
  for (let offset = 0; offset < everyone.total; offset += 4) {
    const page = await callPaced(admin, "user:list", { includeInactive: true, limit: 4, offset });
    assert.equal(page.total, everyone.total);
    assert.ok(page.users.length <= 4);
    paged.push(...page.users.map((u) => u.id));
  }
  assert.deepEqual(paged, everyone.users.map((u) => u.id), "pages join up in name order");

  const staffView = await call(control, "user:list", { search: "Lindqvist" });
  assert.equal(staffView.users.length, 0, "control staff still only see control accounts");
  await expectCode(admin, "user:list", { limit: 0 }, "VALIDATION");
  await expectCode(admin, "user:list", { offset: -1 }, "VALIDATION");
});

test("conversation:list pages with limit and afterId: pages join up to the full list; hasMore ends it", async () => {
  const control = await open("control");
  const driver = await open("driver2");
  for (let i = 0; i < 5; i += 1) await callPaced(driver, "conversation:create", { title: `Paging ${i}`, body: "Help", clientId: `paging-${i}` });
  const full = await call(control, "conversation:list", { status: "all", limit: 500 });
  assert.equal(full.hasMore, false);
  assert.ok(full.conversations.length >= 5);
  const ids: string[] = [];
  let afterId: string | undefined;
  for (let guard = 0; guard < 200; guard += 1) {
    const page = await callPaced(control, "conversation:list", { status: "all", limit: 2, ...(afterId ? { afterId } : {}) });
    assert.ok(page.conversations.length <= 2);
    ids.push(...page.conversations.map((c) => c.id));
    if (!page.hasMore) break;
    afterId = page.conversations.at(-1)?.id;
  }
  assert.deepEqual(ids, full.conversations.map((c) => c.id), "no gaps or repeats, newest activity first");
  await expectCode(control, "conversation:list", { limit: 0 }, "VALIDATION");
  await expectCode(control, "conversation:list", { limit: 501 }, "VALIDATION");
  await expectCode(control, "conversation:list", { afterId: "no-such-conversation" }, "NOT_FOUND");
});
