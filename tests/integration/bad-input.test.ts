import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../helpers/server";
import { connectSocketIo, emitAck, JsonWsClient, nextEvent, sleep, type ChatSocket } from "../helpers/clients";
import type { Ack, ErrorCode } from "../../lib/errors";
import type { ClientEventName } from "../../lib/realtime/events";

// Malformed input on both transports. Every case must get a typed error with the expected code, keep
// the connection open and write nothing: after each case an observer (control staff) lists every
// conversation and compares ids and lastSequence with the state before the table ran; at the end the
// database itself is counted. Frames above 64 KB are refused by the transports themselves (Socket.IO's
// maxHttpBufferSize, ws's maxPayload): the connection is closed and the server keeps serving.

type Actor = "driver" | "control" | "admin";
type Transport = "socket.io" | "json-ws";

let server: TestServer;
const ids = { own: "", foreign: "", foreignMessage: "", driver: "", driver2: "", admin: "", reuse: "" };
const UNKNOWN_ID = "cm00000000000000nosuchid0";
const sockets = {} as Record<Actor | "observer", ChatSocket>;
const jsonClients = {} as Record<Actor, JsonWsClient>;
const extraClients: { close(): void }[] = [];
/** Before any case: every conversation id → lastSequence, and each conversation's history (message ids). */
let baseline: Record<string, number> = {};
let baselineHistory: Record<string, string[]> = {};
/** Messages written on purpose (the sends proving the server still works after an oversized frame). */
let deliberateMessages = 0;
/** Rows the reused-clientId test writes on purpose, in a conversation of its own (`ids.reuse`). */
const reuseRows = { conversations: 0, messages: 0 };

// Pacing: at most one event per 110 ms per user keeps every rate-limit bucket (10/s refill) full.
const GAP_MS = 110;
const lastEventAt = new Map<string, number>();
async function pace(key: string): Promise<void> {
  const wait = (lastEventAt.get(key) ?? 0) + GAP_MS - Date.now();
  if (wait > 0) await sleep(wait);
  lastEventAt.set(key, Date.now());
}

/** Emits any event name with any arguments, the ack last, and resolves with the ack (rejects on no reply). */
function emitRaw(socket: ChatSocket, event: string, args: unknown[]): Promise<Ack<unknown>> {
  return (socket.timeout(10_000) as unknown as { emitWithAck: (event: string, ...args: unknown[]) => Promise<Ack<unknown>> }).emitWithAck(event, ...args);
}

async function observeAll(): Promise<Record<string, number>> {
  await pace("observer");
  const ack = await emitAck(sockets.observer, "conversation:list", {});
  if (!ack.ok) throw new Error(`observer list failed: ${ack.error.code}`);
  return Object.fromEntries(ack.data.conversations.map((c) => [c.id, c.lastSequence]));
}

async function history(conversationId: string): Promise<string[]> {
  await pace("observer");
  const ack = await emitAck(sockets.observer, "message:list", { conversationId, limit: 100 });
  if (!ack.ok) throw new Error(`observer history failed: ${ack.error.code}`);
  return ack.data.messages.map((m) => m.id);
}

// ---- The table ------------------------------------------------------------------------------------

interface BadCase {
  name: string;
  as: Actor;
  /** A client event, or an event name outside the protocol (then `seedType` names the JSON type). */
  event: ClientEventName | (string & Record<never, never>);
  /** The Socket.IO payload (camelCase); the JSON WebSocket gets it with the seed's snake_case keys. */
  payload: () => unknown;
  code: ErrorCode;
  /** Cases one transport cannot express or handles differently by design (noted in the name). */
  only?: Transport;
  /** The JSON WebSocket type, when it is not the event's seed type. */
  seedType?: string;
  /** Socket.IO only: the arguments before the ack, instead of `[payload]`. */
  sioArgs?: () => unknown[];
}

const msg = (extra: Record<string, unknown>) => () => ({ conversationId: ids.own, body: "Hello", clientId: "bad-1", ...extra });
const without = (key: string) => () => {
  const payload: Record<string, unknown> = { conversationId: ids.own, body: "Hello", clientId: "bad-1" };
  delete payload[key];
  return payload;
};
const list = (extra: Record<string, unknown>) => () => ({ conversationId: ids.own, ...extra });
const withProtoKey = (value: unknown): Record<string, unknown> => {
  // A real own property named "__proto__", as JSON.parse makes it (a literal `__proto__:` would set the prototype).
  const payload: Record<string, unknown> = {};
  Object.defineProperty(payload, "__proto__", { value, enumerable: true, configurable: true, writable: true });
  return payload;
};

// prettier-ignore
const CASES: BadCase[] = [
  // message:send — the payload itself
  { name: "payload is null",                         as: "driver", event: "message:send", payload: () => null, code: "VALIDATION" },
  { name: "payload is a string",                     as: "driver", event: "message:send", payload: () => "Hello", code: "VALIDATION" },
  { name: "payload is a number",                     as: "driver", event: "message:send", payload: () => 42, code: "VALIDATION" },
  { name: "payload is an array",                     as: "driver", event: "message:send", payload: () => [ids.own, "Hello", "bad-1"], code: "VALIDATION" },
  { name: "payload is an empty object",              as: "driver", event: "message:send", payload: () => ({}), code: "VALIDATION" },
  { name: "missing body",                            as: "driver", event: "message:send", payload: without("body"), code: "VALIDATION" },
  { name: "missing conversationId",                  as: "driver", event: "message:send", payload: without("conversationId"), code: "VALIDATION" },
  { name: "missing clientId (JSON WS makes one up)", as: "driver", event: "message:send", payload: without("clientId"), code: "VALIDATION", only: "socket.io" },
  { name: "__proto__ key carrying every field",      as: "driver", event: "message:send", payload: () => withProtoKey({ conversationId: ids.own, body: "Hello", clientId: "bad-1" }), code: "VALIDATION" },
  { name: "constructor.prototype key, no body",      as: "driver", event: "message:send", payload: () => ({ constructor: { prototype: { body: "Hello" } }, conversationId: ids.own, clientId: "bad-1" }), code: "VALIDATION" },
  // message:send — body
  { name: "empty body",                              as: "driver", event: "message:send", payload: msg({ body: "" }), code: "VALIDATION" },
  { name: "whitespace-only body",                    as: "driver", event: "message:send", payload: msg({ body: "   \n\t  " }), code: "VALIDATION" },
  { name: "Unicode-whitespace-only body",            as: "driver", event: "message:send", payload: msg({ body: "\u00a0\u2003\u3000" }), code: "VALIDATION" },
  { name: "body of 4001 characters",                 as: "driver", event: "message:send", payload: msg({ body: "x".repeat(4001) }), code: "VALIDATION" },
  { name: "body is null",                            as: "driver", event: "message:send", payload: msg({ body: null }), code: "VALIDATION" },
  { name: "body is a number",                        as: "driver", event: "message:send", payload: msg({ body: 12345 }), code: "VALIDATION" },
  { name: "body is an array",                        as: "driver", event: "message:send", payload: msg({ body: ["Hello"] }), code: "VALIDATION" },
  { name: "body is a nested object",                 as: "driver", event: "message:send", payload: msg({ body: { text: "Hello", toString: "x" } }), code: "VALIDATION" },
  { name: "body contains a NUL character",           as: "driver", event: "message:send", payload: msg({ body: "before\u0000after" }), code: "VALIDATION" },
  // message:send — ids and flags
  { name: "conversationId is a number",              as: "driver", event: "message:send", payload: msg({ conversationId: 1 }), code: "VALIDATION" },
  { name: "conversationId is a query object",        as: "driver", event: "message:send", payload: msg({ conversationId: { $ne: null } }), code: "VALIDATION" },
  { name: "conversationId is a path (../x)",         as: "driver", event: "message:send", payload: msg({ conversationId: "../x" }), code: "VALIDATION" },
  { name: "conversationId of 200 characters",        as: "driver", event: "message:send", payload: msg({ conversationId: "a".repeat(200) }), code: "VALIDATION" },
  { name: "conversationId is empty",                 as: "driver", event: "message:send", payload: msg({ conversationId: "" }), code: "VALIDATION" },
  { name: "conversationId nested 3000 levels deep",  as: "driver", event: "message:send", payload: msg({ conversationId: nest(3000) }), code: "VALIDATION" },
  { name: "unknown conversationId",                  as: "driver", event: "message:send", payload: msg({ conversationId: UNKNOWN_ID }), code: "NOT_FOUND" },
  { name: "conversationId \"__proto__\"",            as: "driver", event: "message:send", payload: msg({ conversationId: "__proto__" }), code: "NOT_FOUND" },
  { name: "conversationId \"constructor\"",          as: "driver", event: "message:send", payload: msg({ conversationId: "constructor" }), code: "NOT_FOUND" },
  { name: "another driver's conversation",           as: "driver", event: "message:send", payload: () => msg({ conversationId: ids.foreign })(), code: "FORBIDDEN" },
  { name: "clientId with spaces and a slash",        as: "driver", event: "message:send", payload: msg({ clientId: "a b/c" }), code: "VALIDATION" },
  { name: "clientId of 65 characters",               as: "driver", event: "message:send", payload: msg({ clientId: "c".repeat(65) }), code: "VALIDATION" },
  { name: "isNote as a string",                      as: "driver", event: "message:send", payload: msg({ isNote: "false" }), code: "VALIDATION" },
  { name: "isNote from a driver",                    as: "driver", event: "message:send", payload: msg({ isNote: true }), code: "FORBIDDEN" },
  // message:list
  { name: "negative beforeSequence",                 as: "driver", event: "message:list", payload: list({ beforeSequence: -1 }), code: "VALIDATION" },
  { name: "afterSequence above 2^31-1",              as: "driver", event: "message:list", payload: list({ afterSequence: 2 ** 31 }), code: "VALIDATION" },
  { name: "afterSequence 1e300",                     as: "driver", event: "message:list", payload: list({ afterSequence: 1e300 }), code: "VALIDATION" },
  { name: "float afterSequence",                     as: "driver", event: "message:list", payload: list({ afterSequence: 1.5 }), code: "VALIDATION" },
  { name: "beforeSequence as a numeric string",      as: "driver", event: "message:list", payload: list({ beforeSequence: "5" }), code: "VALIDATION" },
  { name: "both beforeSequence and afterSequence",   as: "driver", event: "message:list", payload: list({ beforeSequence: 5, afterSequence: 1 }), code: "VALIDATION" },
  { name: "limit 0",                                 as: "driver", event: "message:list", payload: list({ limit: 0 }), code: "VALIDATION" },
  { name: "limit 101",                               as: "driver", event: "message:list", payload: list({ limit: 101 }), code: "VALIDATION" },
  { name: "limit as a numeric string",               as: "driver", event: "message:list", payload: list({ limit: "10" }), code: "VALIDATION" },
  { name: "negative skip",                           as: "driver", event: "message:list", payload: list({ skip: -1 }), code: "VALIDATION" },
  { name: "history of an unknown conversation",      as: "driver", event: "message:list", payload: () => ({ conversationId: UNKNOWN_ID }), code: "NOT_FOUND" },
  { name: "history of another driver's conversation", as: "driver", event: "message:list", payload: () => ({ conversationId: ids.foreign }), code: "FORBIDDEN" },
  // message:read, typing:set, conversation:join
  { name: "read with neither sequence nor messageId", as: "driver", event: "message:read", payload: list({}), code: "VALIDATION" },
  { name: "read with a negative sequence",           as: "driver", event: "message:read", payload: list({ sequence: -5 }), code: "VALIDATION" },
  { name: "read with messageId ../../etc/passwd",    as: "driver", event: "message:read", payload: list({ messageId: "../../etc/passwd" }), code: "VALIDATION" },
  { name: "read with an unknown messageId",          as: "driver", event: "message:read", payload: list({ messageId: UNKNOWN_ID }), code: "NOT_FOUND" },
  { name: "read with a foreign conversation's message", as: "driver", event: "message:read", payload: () => list({ messageId: ids.foreignMessage })(), code: "NOT_FOUND" },
  { name: "isTyping as a string",                    as: "driver", event: "typing:set", payload: list({ isTyping: "true" }), code: "VALIDATION" },
  { name: "isTyping missing",                        as: "driver", event: "typing:set", payload: list({}), code: "VALIDATION" },
  { name: "join with conversationId in an array",    as: "driver", event: "conversation:join", payload: () => ({ conversationId: [ids.own] }), code: "VALIDATION" },
  // conversation:create and profile:update
  { name: "create without a body",                   as: "driver", event: "conversation:create", payload: () => ({ title: "Help" }), code: "VALIDATION" },
  { name: "create with a 121-character title",       as: "driver", event: "conversation:create", payload: () => ({ title: "t".repeat(121), body: "Help" }), code: "VALIDATION" },
  { name: "create with a NUL in the title",          as: "driver", event: "conversation:create", payload: () => ({ title: "a\u0000b", body: "Help" }), code: "VALIDATION" },
  { name: "create with an unknown category",         as: "driver", event: "conversation:create", payload: () => ({ body: "Help", category: "bogus" }), code: "VALIDATION" },
  { name: "create with category \"__proto__\"",      as: "driver", event: "conversation:create", payload: () => ({ body: "Help", category: "__proto__" }), code: "VALIDATION" },
  { name: "create with a numeric category",          as: "driver", event: "conversation:create", payload: () => ({ body: "Help", category: 3 }), code: "VALIDATION" },
  { name: "vehicle of 41 characters",                as: "driver", event: "profile:update", payload: () => ({ vehicle: "v".repeat(41), route: null }), code: "VALIDATION" },
  { name: "vehicle as a number",                     as: "driver", event: "profile:update", payload: () => ({ vehicle: 12, route: "Route 1" }), code: "VALIDATION" },
  { name: "route with a NUL character",              as: "driver", event: "profile:update", payload: () => ({ vehicle: "Bus 1", route: "Route\u00001" }), code: "VALIDATION" },
  { name: "profile without fields (JSON WS defaults them to null)", as: "driver", event: "profile:update", payload: () => ({}), code: "VALIDATION", only: "socket.io" },
  // control staff: rooms and workflow
  { name: "list an unknown room",                    as: "control", event: "conversation:list", payload: () => ({ room: "nope" }), code: "VALIDATION" },
  { name: "list with the room in an array",          as: "control", event: "conversation:list", payload: () => ({ room: ["general_support"] }), code: "VALIDATION" },
  { name: "join room ../admin",                      as: "control", event: "room:join", payload: () => ({ room: "../admin" }), code: "VALIDATION" },
  { name: "leave without a room",                    as: "control", event: "room:leave", payload: () => ({}), code: "VALIDATION" },
  { name: "take an unknown conversation",            as: "control", event: "conversation:take", payload: () => ({ conversationId: UNKNOWN_ID }), code: "NOT_FOUND" },
  { name: "take with a numeric conversationId",      as: "control", event: "conversation:take", payload: () => ({ conversationId: 7 }), code: "VALIDATION" },
  { name: "transfer without toUserId",               as: "control", event: "conversation:transfer", payload: () => ({ conversationId: ids.own }), code: "VALIDATION" },
  { name: "transfer to a driver",                    as: "control", event: "conversation:transfer", payload: () => ({ conversationId: ids.own, toUserId: ids.driver2 }), code: "NOT_FOUND" },
  { name: "transfer to an unknown user",             as: "control", event: "conversation:transfer", payload: () => ({ conversationId: ids.own, toUserId: UNKNOWN_ID }), code: "NOT_FOUND" },
  { name: "reopen a conversation that is open",      as: "control", event: "conversation:reopen", payload: () => ({ conversationId: ids.own }), code: "CONFLICT" },
  { name: "acknowledge a non-emergency",             as: "control", event: "emergency:acknowledge", payload: () => ({ conversationId: ids.own }), code: "CONFLICT" },
  { name: "a driver's take with a garbage payload",  as: "driver", event: "conversation:take", payload: () => ({ conversationId: { $gt: "" } }), code: "FORBIDDEN" },
  // user:deactivate has no JSON WebSocket type
  { name: "deactivate userId ../x",                  as: "admin", event: "user:deactivate", payload: () => ({ userId: "../x" }), code: "VALIDATION", only: "socket.io" },
  { name: "deactivate an unknown user",              as: "admin", event: "user:deactivate", payload: () => ({ userId: UNKNOWN_ID }), code: "NOT_FOUND", only: "socket.io" },
  { name: "deactivate with userId as an object",     as: "admin", event: "user:deactivate", payload: () => ({ userId: { id: ids.driver } }), code: "VALIDATION", only: "socket.io" },
  { name: "deactivate on the JSON WebSocket, bad id", as: "admin", event: "user:deactivate", payload: () => ({ user_id: "../x" }), code: "VALIDATION", only: "json-ws", seedType: "deactivate_user" },
  // Unknown events
  { name: "an event outside the protocol",           as: "driver", event: "message:delete", payload: () => ({ conversationId: ids.own }), code: "UNKNOWN_EVENT", seedType: "delete_message" },
  { name: "event name __proto__",                    as: "driver", event: "__proto__", payload: () => ({}), code: "UNKNOWN_EVENT", seedType: "__proto__" },
  { name: "event name constructor",                  as: "driver", event: "constructor", payload: () => ({}), code: "UNKNOWN_EVENT", seedType: "constructor" },
  // Socket.IO framing
  { name: "no payload, only the ack",                as: "driver", event: "message:send", payload: () => undefined, code: "VALIDATION", only: "socket.io", sioArgs: () => [] },
  { name: "an extra argument before the ack",        as: "driver", event: "message:send", payload: () => undefined, code: "VALIDATION", only: "socket.io", sioArgs: () => [without("body")(), "extra"] },
  { name: "a binary payload",                        as: "driver", event: "message:send", payload: () => undefined, code: "VALIDATION", only: "socket.io", sioArgs: () => [Buffer.from(JSON.stringify(msg({})()))] },
  { name: "a binary body",                           as: "driver", event: "message:send", payload: () => undefined, code: "VALIDATION", only: "socket.io", sioArgs: () => [msg({ body: Buffer.from("Hello") })()] },
];

function nest(depth: number): unknown {
  let value: unknown = "x";
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

const SEED_TYPE = new Map<string, string>([
  ["conversation:create", "create_support_conversation"],
  ["conversation:list", "get_active_conversations"],
  ["conversation:join", "join_conversation"],
  ["conversation:take", "take_conversation"],
  ["conversation:transfer", "transfer_conversation"],
  ["conversation:resolve", "resolve_conversation"],
  ["conversation:reopen", "reopen_conversation"],
  ["emergency:acknowledge", "acknowledge_emergency"],
  ["message:send", "send_chat_message"],
  ["message:list", "get_conversation_messages"],
  ["message:read", "mark_message_read"],
  ["typing:set", "typing_indicator"],
  ["room:join", "join_support_room"],
  ["room:leave", "leave_support_room"],
  ["profile:update", "update_profile"],
]);
const SEED_KEY = new Map<string, string>([
  ["conversationId", "conversation_id"],
  ["body", "content"],
  ["clientId", "client_id"],
  ["isNote", "is_note"],
  ["isTyping", "is_typing"],
  ["room", "room_type"],
  ["beforeSequence", "before_sequence"],
  ["afterSequence", "after_sequence"],
  ["messageId", "message_id"],
  ["toUserId", "to_user_id"],
  ["userId", "user_id"],
]);

/** The payload as the seed's `data`: top-level keys renamed; non-objects are sent as they are. */
function toSeedData(payload: unknown): unknown {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return payload;
  return Object.fromEntries(Object.entries(payload).map(([key, value]) => [SEED_KEY.get(key) ?? key, value]));
}

const casesFor = (transport: Transport) => CASES.filter((c) => c.only === undefined || c.only === transport);

before(async () => {
  server = await startTestServer({
    driver: { role: "BUS_DRIVER", name: "Dana", vehicle: "Bus 1", route: "Route 1" },
    driver2: { role: "BUS_DRIVER", name: "Drew" },
    control: { role: "CONTROL_STAFF", name: "Casey" },
    admin: { role: "CONTROL_ADMIN", name: "Alex" },
    observer: { role: "CONTROL_STAFF", name: "Olive" },
  });
  for (const key of ["driver", "driver2", "control", "admin", "observer"] as const) {
    if (key !== "driver2") sockets[key] = await connectSocketIo(server.url, { token: await server.token(key) });
  }
  for (const key of ["driver", "control", "admin"] as const) jsonClients[key] = await JsonWsClient.connect(server.url, await server.token(key));
  ids.driver = server.users.driver!.id;
  ids.driver2 = server.users.driver2!.id;
  ids.admin = server.users.admin!.id;

  const mine = await emitAck(sockets.driver, "conversation:create", { title: "Own", body: "Flat tyre", clientId: "setup-own" });
  assert.ok(mine.ok);
  ids.own = mine.data.conversation.id;
  const other = await connectSocketIo(server.url, { token: await server.token("driver2") });
  const theirs = await emitAck(other, "conversation:create", { title: "Foreign", body: "Engine light", clientId: "setup-foreign" });
  other.disconnect();
  assert.ok(theirs.ok);
  ids.foreign = theirs.data.conversation.id;
  ids.foreignMessage = theirs.data.message.id;

  baseline = await observeAll();
  assert.deepEqual(baseline, { [ids.own]: 1, [ids.foreign]: 1 });
  baselineHistory = { [ids.own]: await history(ids.own), [ids.foreign]: await history(ids.foreign) };
});

after(async () => {
  for (const client of [...Object.values(jsonClients), ...extraClients]) client.close();
  for (const socket of Object.values(sockets)) socket.disconnect();
  await server?.close();
});

void test("the table has at least 30 cases on each transport and a case for every kind of client event", () => {
  assert.ok(casesFor("socket.io").length >= 30, `${casesFor("socket.io").length} Socket.IO cases`);
  assert.ok(casesFor("json-ws").length >= 30, `${casesFor("json-ws").length} JSON WebSocket cases`);
  const bothTransports = CASES.filter((c) => c.only === undefined).length;
  assert.ok(bothTransports >= 30, `${bothTransports} cases run on both transports`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, "case names are unique");
  for (const c of casesFor("json-ws")) assert.ok(c.seedType ?? SEED_TYPE.get(c.event), `${c.name}: no JSON WebSocket type`);
});

void test("Socket.IO: every malformed payload gets a typed error, the socket stays connected, nothing is written", async () => {
  const failures: string[] = [];
  for (const c of casesFor("socket.io")) {
    const socket = sockets[c.as];
    await pace(c.as);
    try {
      const ack = await emitRaw(socket, c.event, c.sioArgs ? c.sioArgs() : [c.payload()]);
      assert.equal(ack.ok, false, `succeeded: ${JSON.stringify(ack).slice(0, 200)}`);
      assert.ok(!ack.ok);
      assert.equal(ack.error.code, c.code, `got ${ack.error.code} (${ack.error.message})`);
      assert.equal(typeof ack.error.message, "string");
      assert.ok(ack.error.message.length < 300, "the error message is short (no payload echoed back)");
      assert.equal(socket.connected, true, "the socket was disconnected");
      assert.deepEqual(await observeAll(), baseline, "a conversation appeared or its lastSequence moved");
    } catch (error) {
      failures.push(`${c.name}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(failures, [], `cases that did not hold:\n${failures.join("\n")}`);
  assert.deepEqual({ [ids.own]: await history(ids.own), [ids.foreign]: await history(ids.foreign) }, baselineHistory);
});

void test("JSON WebSocket: every malformed payload gets an error frame, the connection stays open, nothing is written", async () => {
  const failures: string[] = [];
  for (const c of casesFor("json-ws")) {
    const client = jsonClients[c.as];
    const type = c.seedType ?? SEED_TYPE.get(c.event)!;
    await pace(c.as);
    try {
      const reply = await client.request(type, toSeedData(c.payload()));
      assert.equal(reply.type, "error", `not an error: ${JSON.stringify(reply).slice(0, 200)}`);
      assert.equal(reply.request_type, type);
      assert.equal(reply.error?.code, c.code, `got ${reply.error?.code} (${reply.error?.message})`);
      assert.equal(typeof reply.error?.message, "string");
      assert.equal(client.ws.readyState, WebSocket.OPEN, "the connection was closed");
      assert.deepEqual(await observeAll(), baseline, "a conversation appeared or its lastSequence moved");
    } catch (error) {
      failures.push(`${c.name}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(failures, [], `cases that did not hold:\n${failures.join("\n")}`);
  assert.deepEqual({ [ids.own]: await history(ids.own), [ids.foreign]: await history(ids.foreign) }, baselineHistory);
});

// Frames the JSON gateway must refuse before any event runs. `raw` is sent as a text frame unless binary.
// prettier-ignore
const FRAMES: { name: string; raw: string | Buffer; code: ErrorCode; requestId?: string }[] = [
  { name: "malformed JSON",                 raw: "{nope", code: "VALIDATION" },
  { name: "truncated JSON",                 raw: '{"type":"get_active_conversations","data":{', code: "VALIDATION" },
  { name: "an empty text frame",            raw: "", code: "VALIDATION" },
  { name: "a JSON array",                   raw: '[{"type":"get_active_conversations"}]', code: "VALIDATION" },
  { name: "JSON null",                      raw: "null", code: "VALIDATION" },
  { name: "a JSON string",                  raw: '"get_active_conversations"', code: "VALIDATION" },
  { name: "a JSON number",                  raw: "42", code: "VALIDATION" },
  { name: "a frame without type",           raw: '{"data":{},"request_id":"f1"}', code: "VALIDATION", requestId: "f1" },
  { name: "type is a number",               raw: '{"type":5,"request_id":"f2"}', code: "VALIDATION", requestId: "f2" },
  { name: "type is null",                   raw: '{"type":null}', code: "VALIDATION" },
  { name: "type is an object",              raw: '{"type":{"name":"send_chat_message"}}', code: "VALIDATION" },
  { name: "an unknown type",                raw: '{"type":"drop_all_tables","request_id":"f3"}', code: "UNKNOWN_EVENT", requestId: "f3" },
  { name: "a Socket.IO event name as type", raw: '{"type":"message:send","data":{}}', code: "UNKNOWN_EVENT" },
  { name: "type toString",                  raw: '{"type":"toString"}', code: "UNKNOWN_EVENT" },
  { name: "type hasOwnProperty",            raw: '{"type":"hasOwnProperty"}', code: "UNKNOWN_EVENT" },
  { name: "data is a string",               raw: '{"type":"send_chat_message","data":"hello","request_id":"f4"}', code: "VALIDATION", requestId: "f4" },
  { name: "data is an array",               raw: '{"type":"get_conversation_messages","data":["x"]}', code: "VALIDATION" },
  { name: "data is null",                   raw: '{"type":"get_active_conversations","data":null}', code: "VALIDATION" },
  { name: "data is a number",               raw: '{"type":"get_active_conversations","data":1}', code: "VALIDATION" },
  { name: "data nested 30000 levels deep",  raw: `{"type":"send_chat_message","data":{"conversation_id":${"[".repeat(30000)}${"]".repeat(30000)}}}`, code: "VALIDATION" },
  { name: "a binary frame of valid JSON",   raw: Buffer.from('{"type":"get_active_conversations","data":{}}'), code: "VALIDATION" },
  { name: "a binary frame of random bytes", raw: Buffer.from([0xff, 0x00, 0xfe, 0x01, 0x80]), code: "VALIDATION" },
];

void test("JSON WebSocket: garbage frames get an error reply and the connection keeps answering requests", async () => {
  const client = jsonClients.driver;
  const failures: string[] = [];
  for (const frame of FRAMES) {
    try {
      await pace("driver");
      const before = client.frames.length;
      if (typeof frame.raw === "string") client.ws.send(frame.raw);
      else client.ws.send(frame.raw, { binary: true });
      const reply = await client.waitFor((f) => client.frames.indexOf(f) >= before && (f.type === "error" || f.type === "response"));
      assert.equal(reply.type, "error", JSON.stringify(reply).slice(0, 200));
      assert.equal(reply.error?.code, frame.code, `got ${reply.error?.code} (${reply.error?.message})`);
      assert.equal(reply.request_id, frame.requestId ?? null, "the request id is echoed when there is one");
      // Still open and still serving: a real request right after gets its answer.
      assert.equal(client.ws.readyState, WebSocket.OPEN);
      await pace("driver");
      const ok = await client.request("get_conversation_messages", { conversation_id: ids.own, limit: 5 });
      assert.equal(ok.type, "response");
      assert.equal(ok.ok, true);
      assert.deepEqual((ok.data?.messages as { id: string }[]).map((m) => m.id), baselineHistory[ids.own]);
    } catch (error) {
      failures.push(`${frame.name}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(failures, [], `frames that did not hold:\n${failures.join("\n")}`);
  assert.deepEqual(await observeAll(), baseline);
});

void test("after every case the API shows the database unchanged", async () => {
  assert.deepEqual(await observeAll(), baseline, "conversation count and lastSequence");
  assert.deepEqual({ [ids.own]: await history(ids.own), [ids.foreign]: await history(ids.foreign) }, baselineHistory, "histories");
  await pace("driver");
  const mine = await emitAck(sockets.driver, "conversation:list", {});
  assert.ok(mine.ok);
  assert.deepEqual(mine.data.conversations.map((c) => [c.id, c.lastSequence]), [[ids.own, 1]]);
  assert.equal(mine.data.conversations[0]?.creator.vehicle, "Bus 1", "no profile update went through");
});

void test("an id with surrounding spaces is read as the trimmed id, also in the read receipt pushed to the other side", async () => {
  const atDriver = nextEvent(sockets.driver, "read:updated");
  const atDriverJson = jsonClients.driver.waitFor((f) => f.type === "message_read");
  await pace("control");
  const ack = await emitAck(sockets.control, "message:read", { conversationId: `  ${ids.own}\t`, sequence: 1 });
  assert.ok(ack.ok, JSON.stringify(ack));
  assert.equal(ack.data.lastReadSequence, 1);
  const receipt = await atDriver;
  assert.equal(receipt.conversationId, ids.own, "the receipt names the conversation by its real id");
  assert.equal(receipt.user.id, server.users.control!.id);
  assert.equal((await atDriverJson).data?.conversation_id, ids.own);
  assert.deepEqual(await observeAll(), baseline, "reading writes no message");
});

const ONE_MB = 1024 * 1024;

void test("a 1 MB JSON WebSocket frame closes that connection with 1009; the server keeps serving", async () => {
  const big = await JsonWsClient.connect(server.url, await server.token("driver"));
  extraClients.push(big);
  const closed = new Promise<number>((resolve) => big.ws.once("close", (code) => resolve(code)));
  big.ws.send(JSON.stringify({ type: "send_chat_message", data: { conversation_id: ids.own, content: "x".repeat(ONE_MB), client_id: "big-ws" }, request_id: "big" }));
  assert.equal(await closed, 1009);
  assert.equal(big.frames.some((f) => f.request_id === "big"), false, "the oversized request got no reply");

  // The other connections are untouched, and a new one works end to end.
  assert.equal(jsonClients.driver.ws.readyState, WebSocket.OPEN);
  const fresh = await JsonWsClient.connect(server.url, await server.token("driver"));
  extraClients.push(fresh);
  await pace("driver");
  const sent = await fresh.request("send_chat_message", { conversation_id: ids.own, content: "Still here (ws)", client_id: "after-big-ws" });
  assert.equal(sent.type, "response", JSON.stringify(sent));
  assert.equal((sent.data?.message as { body: string }).body, "Still here (ws)");
  deliberateMessages += 1;
});

void test("a 1 MB Socket.IO packet disconnects that socket without a reply; the server keeps serving", async () => {
  const big = await connectSocketIo(server.url, { token: await server.token("driver") });
  const disconnected = new Promise<string>((resolve) => big.once("disconnect", (reason) => resolve(reason)));
  await pace("driver");
  const reply = emitAck(big, "message:send", { conversationId: ids.own, body: "x".repeat(ONE_MB), clientId: "big-sio" }).then(
    (ack) => ({ answered: true as const, ack }),
    (error: unknown) => ({ answered: false as const, error: (error as Error).message }),
  );
  const reason = await disconnected;
  assert.ok(reason === "transport close" || reason === "transport error", `disconnect reason ${reason}`);
  const outcome = await reply;
  assert.equal(outcome.answered, false, "the oversized packet was answered");
  big.disconnect();

  assert.equal(sockets.driver.connected, true, "the user's other socket is untouched");
  const fresh = await connectSocketIo(server.url, { token: await server.token("driver") });
  try {
    await pace("driver");
    const sent = await emitAck(fresh, "message:send", { conversationId: ids.own, body: "Still here (socket.io)", clientId: "after-big-sio" });
    assert.ok(sent.ok, JSON.stringify(sent));
    assert.equal(sent.data.duplicate, false);
    deliberateMessages += 1;
  } finally {
    fresh.disconnect();
  }
  assert.deepEqual(await observeAll(), { ...baseline, [ids.own]: (baseline[ids.own] ?? 0) + deliberateMessages });
});

void test("conversation:create with a clientId already used for a later message gets CONFLICT on both transports and stores nothing", async () => {
  await pace("driver");
  const opened = await emitAck(sockets.driver, "conversation:create", { title: "Reuse", body: "Opening", clientId: "reuse-open" });
  assert.ok(opened.ok, JSON.stringify(opened));
  ids.reuse = opened.data.conversation.id;
  await pace("driver");
  const sentSio = await emitAck(sockets.driver, "message:send", { conversationId: ids.reuse, body: "Later (socket.io)", clientId: "reuse-later-sio" });
  assert.ok(sentSio.ok, JSON.stringify(sentSio));
  await pace("driver");
  const sentWs = await jsonClients.driver.request("send_chat_message", { conversation_id: ids.reuse, content: "Later (ws)", client_id: "reuse-later-ws" });
  assert.equal(sentWs.type, "response", JSON.stringify(sentWs));
  reuseRows.conversations += 1;
  reuseRows.messages += 3;
  const before = await observeAll();
  assert.equal(before[ids.reuse], 3);

  await pace("driver");
  const sio = await emitAck(sockets.driver, "conversation:create", { title: "Again", body: "Another problem", clientId: "reuse-later-sio" });
  assert.equal(sio.ok, false, `succeeded: ${JSON.stringify(sio).slice(0, 300)}`);
  assert.ok(!sio.ok);
  assert.equal(sio.error.code, "CONFLICT", `got ${sio.error.code} (${sio.error.message})`);
  assert.match(sio.error.message, /client id/);
  assert.deepEqual(await observeAll(), before, "Socket.IO: a conversation appeared or a lastSequence moved");

  await pace("driver");
  const ws = await jsonClients.driver.request("create_support_conversation", { title: "Again", content: "Another problem", client_id: "reuse-later-ws" });
  assert.equal(ws.type, "error", `not an error: ${JSON.stringify(ws).slice(0, 300)}`);
  assert.equal(ws.request_type, "create_support_conversation");
  assert.equal(ws.error?.code, "CONFLICT", `got ${ws.error?.code} (${ws.error?.message})`);
  assert.deepEqual(await observeAll(), before, "JSON WebSocket: a conversation appeared or a lastSequence moved");

  // A genuine retry of the create (the opening message's clientId) is still answered with its conversation.
  await pace("driver");
  const retry = await emitAck(sockets.driver, "conversation:create", { title: "Reuse", body: "Opening", clientId: "reuse-open" });
  assert.ok(retry.ok, JSON.stringify(retry));
  assert.equal(retry.data.conversation.id, ids.reuse);
  assert.equal(retry.data.message.id, opened.data.message.id);
  assert.deepEqual(await observeAll(), before, "the retried create wrote nothing");
});

void test("the database holds the rows from before the table plus the deliberate writes, and nothing else", async () => {
  const before = Object.keys(baseline).length;
  const beforeMessages = Object.values(baseline).reduce((sum, n) => sum + n, 0);
  const state = await server.inspect(async (db) => ({
    conversations: await db.conversation.count(),
    messages: await db.message.count(),
    rows: await db.conversation.findMany({ select: { id: true, lastSequence: true, status: true, assigneeId: true, emergencyAckAt: true, _count: { select: { messages: true } } } }),
    bodies: await db.message.findMany({ orderBy: [{ conversationId: "asc" }, { sequence: "asc" }], select: { conversationId: true, body: true, clientId: true } }),
    driver: await db.user.findUniqueOrThrow({ where: { id: ids.driver }, select: { vehicle: true, route: true } }),
    inactive: await db.user.count({ where: { isActive: false } }),
    controlRooms: await db.user.findMany({ where: { role: { in: ["CONTROL_STAFF", "CONTROL_ADMIN"] } }, select: { monitoredRooms: true } }),
    workflowAudit: await db.auditEvent.count({ where: { OR: [{ action: { startsWith: "conversation." } }, { action: { startsWith: "emergency." } }, { action: "user.deactivated" }] } }),
  }));
  assert.equal(state.conversations, before + reuseRows.conversations, "conversation rows");
  assert.equal(state.messages, beforeMessages + deliberateMessages + reuseRows.messages, "message rows");
  assert.equal(deliberateMessages, 2);
  for (const row of state.rows) {
    assert.equal(row._count.messages, row.lastSequence, "one message per sequence");
    assert.equal(row.status, "OPEN");
    assert.equal(row.assigneeId, null);
    assert.equal(row.emergencyAckAt, null);
  }
  assert.deepEqual(
    state.bodies.filter((m) => m.conversationId === ids.own).map((m) => [m.clientId, m.body]),
    [["setup-own", "Flat tyre"], ["after-big-ws", "Still here (ws)"], ["after-big-sio", "Still here (socket.io)"]],
  );
  assert.deepEqual(
    state.bodies.filter((m) => m.conversationId === ids.reuse).map((m) => [m.clientId, m.body]),
    [["reuse-open", "Opening"], ["reuse-later-sio", "Later (socket.io)"], ["reuse-later-ws", "Later (ws)"]],
  );
  assert.deepEqual(state.driver, { vehicle: "Bus 1", route: "Route 1" });
  assert.equal(state.inactive, 0);
  assert.ok(state.controlRooms.every((u) => u.monitoredRooms.length === 0), "no room change was stored");
  assert.equal(state.workflowAudit, 0, "no workflow action or deactivation was recorded");
});
