import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server";
import { connectSocketIo, createPacer, disconnected, emitAck, JsonWsClient, record, waitFor, type ChatSocket, type JsonFrame } from "../helpers/clients";
import { CLIENT_EVENTS, type ClientEventName } from "../../lib/realtime/events";
import type { ErrorCode } from "../../lib/errors";
import { ROLES, type Role } from "../../lib/chat/types";

// The authorization matrix: every role × every client event × own / foreign conversation. Every
// denial must be the typed error with the exact code AND must write nothing, which is checked through
// the API right after the attempt (an allowed observer's view of the conversation and its history)
// and, at the end, in the database itself.
//
// "own" is a conversation the field user created; "foreign" is one another field user created.
// Control staff and admins take part in every conversation, so they have one column ("any"), run on a
// conversation of their own to work on (so that take → transfer → resolve → reopen → acknowledge all apply).
// Events without a conversation (create, list, rooms, profile, deactivate) use the "own" column only.

const OK = "ok" as const;
const DENY = "FORBIDDEN" as const;
/** Allowed to ask, but refused by the state (the driver's own conversation is not an emergency). */
const STATE = "CONFLICT" as const;
const __ = null;
type Outcome = typeof OK | typeof DENY | typeof STATE;
type Variant = ClientEventName | "message:send+isNote";
type MatrixRow = [variant: Variant, driverOwn: Outcome, driverForeign: Outcome | null, regulatorOwn: Outcome, regulatorForeign: Outcome | null, staff: Outcome, admin: Outcome];

// prettier-ignore
const MATRIX: MatrixRow[] = [
  //  variant                  BUS_DRIVER        QUEUE_REGULATOR   CONTROL_STAFF  CONTROL_ADMIN
  //                           own   foreign     own   foreign     any            any
  // First: the regulator's false alarm must be called off within a minute of raising it.
  ["emergency:cancel",         STATE, DENY,       OK,   DENY,       DENY,          DENY],
  ["conversation:create",      OK,   __,         OK,   __,         DENY,          DENY],
  ["conversation:list",        OK,   __,         OK,   __,         OK,            OK  ],
  ["conversation:join",        OK,   DENY,       OK,   DENY,       OK,            OK  ],
  ["conversation:take",        DENY, DENY,       DENY, DENY,       OK,            OK  ],
  ["conversation:transfer",    DENY, DENY,       DENY, DENY,       OK,            OK  ],
  ["conversation:resolve",     DENY, DENY,       DENY, DENY,       OK,            OK  ],
  ["conversation:reopen",      DENY, DENY,       DENY, DENY,       OK,            OK  ],
  ["emergency:acknowledge",    DENY, DENY,       DENY, DENY,       OK,            OK  ],
  ["message:send",             OK,   DENY,       OK,   DENY,       OK,            OK  ],
  ["message:send+isNote",      DENY, DENY,       DENY, DENY,       OK,            OK  ],
  ["message:list",             OK,   DENY,       OK,   DENY,       OK,            OK  ],
  ["message:search",           OK,   __,         OK,   __,         OK,            OK  ],
  ["message:read",             OK,   DENY,       OK,   DENY,       OK,            OK  ],
  ["typing:set",               OK,   DENY,       OK,   DENY,       OK,            OK  ],
  ["conversation:view",        DENY, DENY,       DENY, DENY,       OK,            OK  ],
  ["room:join",                DENY, __,         DENY, __,         OK,            OK  ],
  ["room:leave",               DENY, __,         DENY, __,         OK,            OK  ],
  ["profile:update",           OK,   __,         OK,   __,         DENY,          DENY],
  ["user:deactivate",          DENY, __,         DENY, __,         DENY,          OK  ],
  ["user:reactivate",          DENY, __,         DENY, __,         DENY,          OK  ],
  ["user:create",              DENY, __,         DENY, __,         DENY,          OK  ],
  ["user:set-role",            DENY, __,         DENY, __,         DENY,          OK  ],
  ["user:reset-password",      DENY, __,         DENY, __,         DENY,          OK  ],
  ["user:list",                DENY, __,         DENY, __,         OK,            OK  ],
  ["user:context",             DENY, __,         DENY, __,         OK,            OK  ],
  ["presence:list",            DENY, __,         DENY, __,         OK,            OK  ],
  ["audit:list",               DENY, __,         DENY, __,         DENY,          OK  ],
];

/** Messages a successful call appends to its conversation (SYSTEM messages for the workflow). */
const WRITES: Partial<Record<Variant, number>> = {
  "conversation:take": 1,
  "conversation:transfer": 1,
  "conversation:resolve": 1,
  "conversation:reopen": 1,
  "emergency:acknowledge": 1,
  "emergency:cancel": 1,
  "message:send": 1,
  "message:send+isNote": 1,
};
const SCOPELESS = new Set<Variant>([
  "conversation:create",
  "conversation:list",
  "message:search",
  "room:join",
  "room:leave",
  "profile:update",
  "user:deactivate",
  "user:reactivate",
  "user:create",
  "user:set-role",
  "user:reset-password",
  "user:list",
  "user:context",
  "presence:list",
  "audit:list",
]);

type UserKey = "driver" | "driver2" | "regulator" | "staff" | "admin" | "observerA" | "observerB" | "spare" | "target";
const ACTOR: Record<Role, UserKey> = { BUS_DRIVER: "driver", QUEUE_REGULATOR: "regulator", CONTROL_STAFF: "staff", CONTROL_ADMIN: "admin" };

let server: TestServer;
const sockets = {} as Record<UserKey, ChatSocket>;
const jsonClients: JsonWsClient[] = [];
const conv = { driverOwn: "", regulatorOwn: "", regulatorAlarm: "", foreign: "", staffWork: "", adminWork: "" };
/** What the database must hold at the end: every successful write is counted here as it happens. */
const expected = { conversations: 0, messages: 0 };
let clientSeq = 0;
const nextClientId = (prefix: string) => `${prefix}-${++clientSeq}`;

// Pacing: every user's bucket refills at 10 events/s; at most one event per 110 ms per user keeps
// each bucket full, so no case is ever RATE_LIMITED by accident.
const pace = createPacer(110);

async function act(key: UserKey, event: ClientEventName, payload: unknown) {
  await pace(key);
  return emitAck(sockets[key], event, payload);
}

async function must<E extends ClientEventName>(key: UserKey, event: E, payload: unknown) {
  await pace(key);
  const ack = await emitAck(sockets[key], event, payload);
  if (!ack.ok) throw new Error(`${key} ${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

// ---- What an allowed observer sees -----------------------------------------------------------------

interface ConversationState {
  lastSequence: number;
  status: string;
  assigneeId: string | null;
  emergencyAckById: string | null;
  /** Every message id, notes included (the observer is control staff), ascending. */
  messageIds: string[];
}

let observerTurn = 0;
const nextObserver = (): UserKey => (observerTurn++ % 2 === 0 ? "observerA" : "observerB");

async function observe(conversationId: string): Promise<ConversationState> {
  const observer = nextObserver();
  const { conversation } = await must(observer, "conversation:join", { conversationId });
  const { messages, hasMore } = await must(observer, "message:list", { conversationId, limit: 100 });
  assert.equal(hasMore, false, "the test keeps every conversation under one page");
  return {
    lastSequence: conversation.lastSequence,
    status: conversation.status,
    assigneeId: conversation.assignee?.id ?? null,
    emergencyAckById: conversation.emergencyAck?.by.id ?? null,
    messageIds: messages.map((m) => m.id),
  };
}

/** The last observed state of each conversation; only this test writes, so it stays true until we act. */
const known = new Map<string, ConversationState>();

/** Every open or assigned conversation, as control sees it: id → lastSequence. */
async function observeAll(): Promise<Record<string, number>> {
  const { conversations } = await must(nextObserver(), "conversation:list", {});
  return Object.fromEntries(conversations.map((c) => [c.id, c.lastSequence]));
}

function conversationFor(role: Role, scope: "own" | "foreign", variant?: Variant): string {
  // Calling off an alarm resolves it: the regulator does it on an emergency of its own.
  if (variant === "emergency:cancel" && role === "QUEUE_REGULATOR" && scope === "own") return conv.regulatorAlarm;
  switch (role) {
    case "BUS_DRIVER":
      return scope === "own" ? conv.driverOwn : conv.foreign;
    case "QUEUE_REGULATOR":
      // The regulator's foreign conversation is the first driver's.
      return scope === "own" ? conv.regulatorOwn : conv.driverOwn;
    case "CONTROL_STAFF":
      return conv.staffWork;
    case "CONTROL_ADMIN":
      return conv.adminWork;
  }
}

function payloadFor(variant: Variant, conversationId: string | undefined): unknown {
  switch (variant) {
    case "conversation:create":
      return { title: "Matrix", body: "Opened by the matrix", clientId: nextClientId("create") };
    case "conversation:list":
      return {};
    case "conversation:join":
    case "conversation:take":
    case "conversation:resolve":
    case "conversation:reopen":
    case "emergency:acknowledge":
    case "emergency:cancel":
      return { conversationId };
    case "conversation:transfer":
      return { conversationId, toUserId: server.users.observerA!.id };
    case "message:send":
      return { conversationId, body: "Matrix message", clientId: nextClientId("send") };
    case "message:send+isNote":
      return { conversationId, body: "Matrix note", clientId: nextClientId("note"), isNote: true };
    case "message:list":
      return { conversationId, limit: 100 };
    case "message:search":
      // Words of four conversations' first messages: the driver's, the regulator's and two of driver2's.
      return { query: "Elm or Crowd or Engine or Smoke" };
    case "message:read":
      return { conversationId, sequence: 1 };
    case "typing:set":
      return { conversationId, isTyping: true };
    case "conversation:view":
      return { conversationId, isViewing: true };
    case "room:join":
    case "room:leave":
      return { room: "driver_support" };
    case "profile:update":
      return { vehicle: "Bus 77", route: "Route 7" };
    case "user:deactivate":
      return { userId: server.users.spare!.id };
    // Account administration acts on "target", so that the spare account's checks stay meaningful.
    case "user:reactivate":
      return { userId: server.users.target!.id };
    case "user:create":
      return { email: `${nextClientId("matrix")}@test.local`, name: "Matrix User", role: "BUS_DRIVER", password: "matrix-password-1" };
    case "user:set-role":
      return { userId: server.users.target!.id, role: "QUEUE_REGULATOR" };
    case "user:reset-password":
      return { userId: server.users.target!.id, password: "another-password-1" };
    case "user:list":
    case "presence:list":
      return {};
    case "user:context":
      return { userId: server.users.driver!.id };
    case "audit:list":
      return { limit: 5 };
  }
}

const eventOf = (variant: Variant): ClientEventName => (variant === "message:send+isNote" ? "message:send" : variant);

before(async () => {
  server = await startTestServer({
    driver: { role: "BUS_DRIVER", name: "Dana", vehicle: "Bus 12", route: "Route 4" },
    driver2: { role: "BUS_DRIVER", name: "Drew", vehicle: "Bus 40", route: "Route 2" },
    regulator: { role: "QUEUE_REGULATOR", name: "Rafa" },
    staff: { role: "CONTROL_STAFF", name: "Casey" },
    admin: { role: "CONTROL_ADMIN", name: "Alex" },
    observerA: { role: "CONTROL_STAFF", name: "Olive" },
    observerB: { role: "CONTROL_STAFF", name: "Oscar" },
    spare: { role: "BUS_DRIVER", name: "Sam" },
    target: { role: "BUS_DRIVER", name: "Tia" },
  });
  for (const key of Object.keys(server.users) as UserKey[]) {
    sockets[key] = await connectSocketIo(server.url, { token: await server.token(key) });
  }
  const open = async (key: UserKey, body: string, category?: string) => {
    const created = await must(key, "conversation:create", { body, category, clientId: nextClientId("setup") });
    expected.conversations += 1;
    expected.messages += 1;
    return created.conversation.id;
  };
  conv.driverOwn = await open("driver", "Flat tyre at Elm St");
  conv.regulatorOwn = await open("regulator", "Crowd at the depot", "emergency");
  conv.regulatorAlarm = await open("regulator", "Pressed by mistake", "emergency");
  conv.foreign = await open("driver2", "Engine warning light", "emergency");
  conv.staffWork = await open("driver2", "Smoke in the cabin", "emergency");
  conv.adminWork = await open("driver2", "Passenger fell", "emergency");
  for (const id of Object.values(conv)) known.set(id, await observe(id));
});

after(async () => {
  for (const client of jsonClients) client.close();
  for (const socket of Object.values(sockets)) socket.disconnect();
  await server?.close();
});

void test("the matrix covers every client event and every role", () => {
  const covered = new Set(MATRIX.map(([variant]) => eventOf(variant)));
  assert.deepEqual([...CLIENT_EVENTS].filter((event) => !covered.has(event)), [], "events missing from the matrix");
  assert.equal(new Set(MATRIX.map(([variant]) => variant)).size, MATRIX.length, "no variant listed twice");
  assert.deepEqual(Object.keys(ACTOR).sort(), [...ROLES].sort());
  for (const [variant, , driverForeign, , regulatorForeign] of MATRIX) {
    assert.equal(driverForeign === null, SCOPELESS.has(variant), `${variant}: foreign column`);
    assert.equal(regulatorForeign === null, SCOPELESS.has(variant), `${variant}: foreign column`);
  }
});

interface Cell {
  variant: Variant;
  role: Role;
  scope: "own" | "foreign" | "any" | "none";
  expect: Outcome;
}

function cellsOf(row: MatrixRow): Cell[] {
  const [variant, driverOwn, driverForeign, regulatorOwn, regulatorForeign, staff, admin] = row;
  const scoped = !SCOPELESS.has(variant);
  const cells: Cell[] = [
    { variant, role: "BUS_DRIVER", scope: scoped ? "own" : "none", expect: driverOwn },
    ...(driverForeign ? [{ variant, role: "BUS_DRIVER" as const, scope: "foreign" as const, expect: driverForeign }] : []),
    { variant, role: "QUEUE_REGULATOR", scope: scoped ? "own" : "none", expect: regulatorOwn },
    ...(regulatorForeign ? [{ variant, role: "QUEUE_REGULATOR" as const, scope: "foreign" as const, expect: regulatorForeign }] : []),
    { variant, role: "CONTROL_STAFF", scope: scoped ? "any" : "none", expect: staff },
    { variant, role: "CONTROL_ADMIN", scope: scoped ? "any" : "none", expect: admin },
  ];
  return cells;
}

/** Checks what a successful call returned and changed; `before`/`after` are set for conversation cells. */
async function checkAllowed(cell: Cell, data: unknown, conversationId: string | undefined, before?: ConversationState, after?: ConversationState): Promise<void> {
  const actor = server.users[ACTOR[cell.role]]!;
  const writes = WRITES[cell.variant] ?? 0;
  if (before && after) {
    assert.equal(after.lastSequence, before.lastSequence + writes, "lastSequence moved by exactly the expected writes");
    assert.equal(after.messageIds.length, before.messageIds.length + writes, "the history grew by exactly the expected writes");
    assert.deepEqual(after.messageIds.slice(0, before.messageIds.length), before.messageIds, "earlier history untouched");
  }
  switch (cell.variant) {
    case "conversation:list": {
      const ids = (data as { conversations: { id: string; creator: { id: string } }[] }).conversations;
      if (cell.role === "BUS_DRIVER" || cell.role === "QUEUE_REGULATOR") {
        assert.ok(ids.length > 0);
        assert.ok(ids.every((c) => c.creator.id === actor.id), "field staff list only their own conversations");
        assert.ok(ids.some((c) => c.id === conversationFor(cell.role, "own")));
        assert.ok(!ids.some((c) => c.id === conversationFor(cell.role, "foreign")), "the foreign conversation is not listed");
      } else {
        for (const id of [conv.driverOwn, conv.regulatorOwn, conv.foreign]) assert.ok(ids.some((c) => c.id === id), "control lists every open conversation");
      }
      return;
    }
    case "message:search": {
      const found = new Set((data as { hits: { conversationId: string; isNote: boolean }[] }).hits.map((hit) => hit.conversationId));
      if (cell.role === "BUS_DRIVER") assert.deepEqual([...found], [conv.driverOwn], "a driver finds only their own conversation's message");
      else if (cell.role === "QUEUE_REGULATOR") assert.deepEqual([...found], [conv.regulatorOwn], "a regulator finds only their own conversation's message");
      else for (const id of [conv.driverOwn, conv.regulatorOwn, conv.foreign, conv.staffWork]) assert.ok(found.has(id), "control finds every conversation's messages");
      return;
    }
    case "conversation:create": {
      const created = data as { conversation: { id: string; creator: { id: string }; lastSequence: number } };
      assert.equal(created.conversation.creator.id, actor.id);
      assert.equal(created.conversation.lastSequence, 1);
      return;
    }
    case "conversation:join":
      assert.equal((data as { conversation: { id: string } }).conversation.id, conversationId);
      return;
    case "conversation:take":
      assert.equal(after?.assigneeId, actor.id);
      assert.equal(after?.status, "ASSIGNED");
      return;
    case "conversation:transfer":
      assert.equal(after?.assigneeId, server.users.observerA!.id);
      return;
    case "conversation:resolve":
      assert.equal(after?.status, "RESOLVED");
      return;
    case "conversation:reopen":
      assert.equal(after?.status, "ASSIGNED");
      return;
    case "emergency:acknowledge":
      assert.equal(after?.emergencyAckById, actor.id);
      return;
    case "emergency:cancel":
      assert.equal(after?.status, "RESOLVED");
      return;
    case "message:send":
    case "message:send+isNote": {
      const sent = data as { message: { id: string; kind: string; sender: { id: string } }; duplicate: boolean };
      assert.equal(sent.duplicate, false);
      assert.equal(sent.message.sender.id, actor.id);
      assert.equal(sent.message.kind, cell.variant === "message:send" ? "TEXT" : "NOTE");
      assert.equal(after?.messageIds.at(-1), sent.message.id);
      return;
    }
    case "message:list": {
      const page = data as { messages: { id: string; kind: string }[] };
      if (cell.role === "CONTROL_STAFF" || cell.role === "CONTROL_ADMIN") {
        assert.deepEqual(page.messages.map((m) => m.id), after?.messageIds, "control sees the whole history");
      } else {
        assert.ok(page.messages.length > 0);
        assert.ok(!page.messages.some((m) => m.kind === "NOTE"), "field staff never see notes");
      }
      return;
    }
    case "message:read":
      assert.ok((data as { lastReadSequence: number }).lastReadSequence >= 1);
      return;
    case "typing:set":
      assert.deepEqual(data, { isTyping: true });
      return;
    case "conversation:view":
      assert.deepEqual(data, { isViewing: true });
      return;
    case "room:join":
      assert.ok((data as { rooms: string[] }).rooms.includes("driver_support"));
      return;
    case "room:leave":
      assert.ok(!(data as { rooms: string[] }).rooms.includes("driver_support"));
      return;
    case "profile:update":
      assert.deepEqual((data as { user: { vehicle: string; route: string } }).user, {
        id: actor.id,
        name: actor.name,
        role: actor.role,
        vehicle: "Bus 77",
        route: "Route 7",
      });
      return;
    case "user:deactivate":
      assert.deepEqual(data, { userId: server.users.spare!.id });
      return;
    case "user:reactivate":
    case "user:reset-password":
      assert.deepEqual(data, { userId: server.users.target!.id });
      return;
    case "user:create": {
      const { user } = data as { user: { role: string; isActive: boolean; name: string } };
      assert.deepEqual([user.role, user.isActive, user.name], ["BUS_DRIVER", true, "Matrix User"]);
      return;
    }
    case "user:set-role":
      assert.equal((data as { user: { id: string; role: string } }).user.role, "QUEUE_REGULATOR");
      return;
    case "user:list": {
      const { users } = data as { users: { role: string }[] };
      assert.ok(users.length > 0);
      if (cell.role === "CONTROL_STAFF") assert.ok(users.every((u) => u.role === "CONTROL_STAFF" || u.role === "CONTROL_ADMIN"), "staff see control staff only");
      return;
    }
    case "user:context":
      assert.equal((data as { user: { id: string } }).user.id, server.users.driver!.id);
      return;
    case "presence:list":
      assert.ok((data as { online: { id: string }[] }).online.some((u) => u.id === actor.id), "the caller is online");
      return;
    case "audit:list":
      assert.ok((data as { events: unknown[] }).events.length > 0);
      return;
  }
}

void test("every role × event × own/foreign cell gives the expected outcome, and denials write nothing", async () => {
  const spareDisconnected = disconnected(sockets.spare);
  const failures: string[] = [];
  let denials = 0;
  for (const row of MATRIX) {
    for (const cell of cellsOf(row)) {
      const label = `${cell.role} ${cell.variant} (${cell.scope}) → ${cell.expect}`;
      const actorKey = ACTOR[cell.role];
      const conversationId =
        cell.scope === "own" || cell.scope === "foreign" ? conversationFor(cell.role, cell.scope, cell.variant) : cell.scope === "any" ? conversationFor(cell.role, "own") : undefined;
      const before = conversationId ? known.get(conversationId) : undefined;
      const allBefore = conversationId ? undefined : await observeAll();
      const ack = await act(actorKey, eventOf(cell.variant), payloadFor(cell.variant, conversationId));
      // Observe first, whatever happened, so that one broken cell does not spoil the next ones.
      const after = conversationId ? await observe(conversationId) : undefined;
      if (conversationId && after) known.set(conversationId, after);
      const allAfter = conversationId ? undefined : await observeAll();
      const createdId = ack.ok && cell.variant === "conversation:create" ? (ack.data as { conversation: { id: string } }).conversation.id : undefined;
      if (createdId) known.set(createdId, await observe(createdId));
      try {
        if (cell.expect === "ok") {
          assert.equal(ack.ok, true, `expected success, got ${ack.ok ? "" : `${ack.error.code} ${ack.error.message}`}`);
        } else {
          assert.equal(ack.ok, false, `expected ${cell.expect}, got success`);
          assert.ok(!ack.ok);
          assert.equal(ack.error.code, cell.expect, `got ${ack.error.code} (${ack.error.message})`);
          assert.equal(typeof ack.error.message, "string");
          denials += 1;
        }
        if (conversationId) {
          if (cell.expect === "ok") {
            await checkAllowed(cell, ack.ok ? ack.data : undefined, conversationId, before, after);
            expected.messages += WRITES[cell.variant] ?? 0;
          } else {
            assert.deepEqual(after, before, "the denied call changed the conversation");
          }
        } else {
          if (cell.expect === "ok" && createdId) {
            assert.deepEqual(allAfter, { ...allBefore, [createdId]: 1 }, "exactly one new conversation with one message");
            expected.conversations += 1;
            expected.messages += 1;
          } else {
            assert.deepEqual(allAfter, allBefore, "no conversation or message appeared or moved");
          }
          if (cell.expect === "ok") await checkAllowed(cell, ack.ok ? ack.data : undefined, undefined);
        }
        if (cell.variant === "user:deactivate" && cell.expect === DENY) {
          // The target is untouched: still connected and still able to act.
          assert.equal(sockets.spare.connected, true, "the spare account was disconnected by a denied deactivation");
          await must("spare", "conversation:list", {});
        }
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message}`);
      }
    }
  }
  assert.deepEqual(failures, [], `cells that did not hold:\n${failures.join("\n")}`);
  const deniedCells = MATRIX.flatMap(cellsOf).filter((cell) => cell.expect !== OK).length;
  assert.equal(denials, deniedCells, "every denial cell was checked");
  assert.ok(deniedCells >= 40, `the matrix has ${deniedCells} denial cells`);

  // The one allowed deactivation (the admin's, last in the table) took effect.
  assert.equal(await spareDisconnected, "io server disconnect");
  const response = await fetch(`${server.url}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: server.users.spare!.email, password: server.users.spare!.password }),
  });
  assert.equal(response.status, 401);
  assert.equal(((await response.json()) as { error: { code: string } }).error.code, "ACCOUNT_DISABLED");
});

void test("a field user cannot mark read with a message of a foreign conversation, nor probe with unknown ids", async () => {
  const { messages } = await must("observerA", "message:list", { conversationId: conv.foreign, limit: 1 });
  const foreignMessage = messages[0]!.id;
  const cases: [UserKey, ClientEventName, unknown, ErrorCode][] = [
    ["driver", "message:read", { conversationId: conv.driverOwn, messageId: foreignMessage }, "NOT_FOUND"],
    ["driver", "message:read", { conversationId: conv.foreign, messageId: foreignMessage }, "FORBIDDEN"],
    ["driver", "conversation:join", { conversationId: "cnotaconversation000000000" }, "NOT_FOUND"],
    ["driver", "message:send", { conversationId: conv.foreign, body: "x", clientId: nextClientId("probe"), isNote: false }, "FORBIDDEN"],
    ["staff", "conversation:transfer", { conversationId: conv.staffWork, toUserId: server.users.driver!.id }, "NOT_FOUND"],
    ["admin", "user:deactivate", { userId: server.users.admin!.id }, "CONFLICT"],
  ];
  const before = await observeAll();
  for (const [key, event, payload, code] of cases) {
    const ack = await act(key, event, payload);
    assert.equal(ack.ok, false, `${key} ${event} succeeded`);
    assert.ok(!ack.ok);
    assert.equal(ack.error.code, code, `${key} ${event}`);
  }
  assert.deepEqual(await observeAll(), before);
  assert.deepEqual(await observe(conv.foreign), known.get(conv.foreign));
});

void test("staff-only notes never reach field staff, live or in history", async () => {
  const heard = record(sockets.driver, "message:new");
  const note = await must("staff", "message:send", { conversationId: conv.driverOwn, body: "Driver sounded stressed", clientId: nextClientId("note"), isNote: true });
  const reply = await must("staff", "message:send", { conversationId: conv.driverOwn, body: "Help is on the way", clientId: nextClientId("reply") });
  expected.messages += 2;
  await waitFor(() => heard.some((m) => m.id === reply.message.id), "the driver hears the normal reply");
  assert.ok(!heard.some((m) => m.id === note.message.id), "the note was pushed to the driver");
  const history = await must("driver", "message:list", { conversationId: conv.driverOwn, limit: 100 });
  assert.ok(!history.messages.some((m) => m.kind === "NOTE"), "a note is in the driver's history");
  assert.ok(history.messages.some((m) => m.id === reply.message.id));
  const view = await must("driver", "conversation:join", { conversationId: conv.driverOwn });
  assert.equal(view.conversation.lastMessage?.body, "Help is on the way", "the driver's preview skips the note");
  known.set(conv.driverOwn, await observe(conv.driverOwn));
});

// On the seed's JSON WebSocket the same rules hold: error frames with the same codes.
const JSON_DENIALS: [who: UserKey, type: string, data: () => Record<string, unknown>, code: ErrorCode, conversation: () => string | undefined][] = [
  ["driver",    "send_chat_message",           () => ({ conversation_id: conv.foreign, content: "Not yours" }),                "FORBIDDEN", () => conv.foreign],
  ["driver",    "send_chat_message",           () => ({ conversation_id: conv.driverOwn, content: "A note", is_note: true }),  "FORBIDDEN", () => conv.driverOwn],
  ["driver",    "get_conversation_messages",   () => ({ conversation_id: conv.foreign }),                                      "FORBIDDEN", () => conv.foreign],
  ["driver",    "join_conversation",           () => ({ conversation_id: conv.foreign }),                                      "FORBIDDEN", () => conv.foreign],
  ["driver",    "mark_message_read",           () => ({ conversation_id: conv.foreign, sequence: 1 }),                         "FORBIDDEN", () => conv.foreign],
  ["driver",    "typing_indicator",            () => ({ conversation_id: conv.foreign, is_typing: true }),                     "FORBIDDEN", () => conv.foreign],
  ["driver",    "take_conversation",           () => ({ conversation_id: conv.driverOwn }),                                    "FORBIDDEN", () => conv.driverOwn],
  ["regulator", "acknowledge_emergency",       () => ({ conversation_id: conv.regulatorOwn }),                                 "FORBIDDEN", () => conv.regulatorOwn],
  ["regulator", "resolve_conversation",        () => ({ conversation_id: conv.regulatorOwn }),                                 "FORBIDDEN", () => conv.regulatorOwn],
  ["regulator", "transfer_conversation",       () => ({ conversation_id: conv.regulatorOwn, to_user_id: server.users.staff!.id }), "FORBIDDEN", () => conv.regulatorOwn],
  ["regulator", "join_support_room",           () => ({ room_type: "emergency_support" }),                                     "FORBIDDEN", () => undefined],
  ["staff",     "create_support_conversation", () => ({ content: "Control cannot open conversations" }),                       "FORBIDDEN", () => undefined],
  ["staff",     "update_profile",              () => ({ vehicle: "Bus 1", route: "Route 1" }),                                 "FORBIDDEN", () => undefined],
];

void test("denials on the JSON WebSocket are error frames with the same codes, and write nothing", async () => {
  const clients = new Map<UserKey, JsonWsClient>();
  for (const key of ["driver", "regulator", "staff"] as const) {
    const client = await JsonWsClient.connect(server.url, await server.token(key));
    jsonClients.push(client);
    clients.set(key, client);
  }
  const allBefore = await observeAll();
  for (const [who, type, data, code, conversation] of JSON_DENIALS) {
    const conversationId = conversation();
    await pace(who);
    const reply: JsonFrame = await clients.get(who)!.request(type, data());
    assert.equal(reply.type, "error", `${who} ${type}: ${JSON.stringify(reply)}`);
    assert.equal(reply.request_type, type);
    assert.equal(reply.error?.code, code, `${who} ${type}`);
    assert.equal(reply.ok, undefined);
    if (conversationId) assert.deepEqual(await observe(conversationId), known.get(conversationId), `${who} ${type} changed the conversation`);
  }
  assert.deepEqual(await observeAll(), allBefore, "no conversation appeared or moved");
  // The connections stay usable after the denials.
  await pace("driver");
  const ok = await clients.get("driver")!.request("get_conversation_messages", { conversation_id: conv.driverOwn });
  assert.equal(ok.type, "response");
  assert.equal(ok.ok, true);
});

void test("the database holds exactly the expected writes and nothing from the denials", async () => {
  const ids = server.users;
  const field = [ids.driver!.id, ids.regulator!.id];
  const control = [ids.staff!.id, ids.admin!.id];
  const state = await server.inspect(async (db) => ({
    conversations: await db.conversation.count(),
    messages: await db.message.count(),
    conversationRows: await db.conversation.findMany({ select: { id: true, lastSequence: true, creatorId: true, _count: { select: { messages: true } } } }),
    // The one workflow line a field user may write: calling off their own false alarm.
    fieldNotesOrSystem: await db.message.count({
      where: { senderId: { in: field }, kind: { in: ["NOTE", "SYSTEM"] }, NOT: { conversationId: conv.regulatorAlarm, body: { startsWith: "False alarm:" } } },
    }),
    fieldInForeign: await db.message.count({
      where: { OR: [{ senderId: ids.driver!.id, conversationId: conv.foreign }, { senderId: ids.regulator!.id, conversationId: conv.driverOwn }] },
    }),
    controlCreated: await db.conversation.count({ where: { creatorId: { in: control } } }),
    fieldRooms: await db.user.findMany({ where: { id: { in: field } }, select: { monitoredRooms: true } }),
    controlProfiles: await db.user.findMany({ where: { id: { in: control } }, select: { vehicle: true, route: true } }),
    users: await db.user.findMany({ select: { id: true, isActive: true } }),
    audit: await db.auditEvent.groupBy({ by: ["action"], where: { action: { startsWith: "conversation." } }, _count: { _all: true } }),
    acks: await db.auditEvent.count({ where: { action: "emergency.acknowledged" } }),
    deactivations: await db.auditEvent.findMany({ where: { action: "user.deactivated" }, select: { actorId: true, subject: true } }),
    workflowOnField: await db.conversation.count({
      where: { id: { in: [conv.driverOwn, conv.regulatorOwn, conv.foreign] }, OR: [{ assigneeId: { not: null } }, { emergencyAckAt: { not: null } }, { status: { not: "OPEN" } }] },
    }),
  }));

  assert.equal(state.conversations, expected.conversations, "conversation rows");
  assert.equal(state.messages, expected.messages, "message rows");
  for (const row of state.conversationRows) {
    assert.equal(row._count.messages, row.lastSequence, `conversation ${row.id}: one message per sequence`);
    const seen = known.get(row.id);
    assert.ok(seen, `conversation ${row.id} was never observed through the API`);
    assert.equal(row.lastSequence, seen.lastSequence, `conversation ${row.id}: the API's lastSequence matches the database`);
  }
  assert.equal(state.fieldNotesOrSystem, 0, "field staff wrote a note or a workflow message");
  assert.equal(state.fieldInForeign, 0, "field staff wrote in a foreign conversation");
  assert.equal(state.controlCreated, 0, "control staff created a conversation");
  assert.equal(state.workflowOnField, 0, "a field user's conversation was taken, resolved or acknowledged");
  assert.deepEqual(state.fieldRooms, [{ monitoredRooms: [] }, { monitoredRooms: [] }], "field staff joined or left a support room");
  assert.deepEqual(state.controlProfiles, [{ vehicle: null, route: null }, { vehicle: null, route: null }], "control changed a field profile");
  const inactive = state.users.filter((u) => !u.isActive).map((u) => u.id);
  assert.deepEqual(inactive, [ids.spare!.id], "only the admin's deactivation took effect");
  assert.deepEqual(state.deactivations, [{ actorId: ids.admin!.id, subject: ids.spare!.id }]);
  const audit = Object.fromEntries(state.audit.map((a) => [a.action, a._count._all]));
  assert.deepEqual(audit, { "conversation.taken": 2, "conversation.transferred": 2, "conversation.resolved": 2, "conversation.reopened": 2 });
  assert.equal(state.acks, 2);
});
