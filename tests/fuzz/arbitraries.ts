import fc from "fast-check";
import { CLIENT_EVENTS, type ClientEventName } from "../../lib/realtime/events";
import { SEED_REQUEST_TYPES } from "../../lib/realtime/json-gateway";
import { CATEGORIES, CONVERSATION_FILTERS, ROLES, SUPPORT_ROOMS } from "../../lib/chat/types";
import { MAX_FRAME_BYTES } from "../../lib/chat/constants";
import { Bytes, Deep, Huge, Obj, Raw, Ref, type FuzzValue, type RefKind } from "./values";

// fast-check arbitraries for hostile payloads, per client event and per transport. A case is
// generated against symbolic ids (Ref) and resolved when it runs, against the actor that sends it.

export type Transport = "socket.io" | "json-ws";
export type ActorClass = "field" | "staff" | "admin";
export const ACTOR_CLASSES: readonly ActorClass[] = ["field", "staff", "admin"];

/** A key no server code reads: if it ever shows up in a reply, the server reflected a polluted key. */
export const SENTINEL = "fuzzPolluted";

/** The event name → the seed's JSON WebSocket type (every client event has one). */
export const SEED_TYPE_OF: Readonly<Record<ClientEventName, string>> = (() => {
  const map = {} as Record<ClientEventName, string>;
  for (const [type, seed] of Object.entries(SEED_REQUEST_TYPES)) map[seed.event] ??= type;
  return map;
})();

/** Who may get an ok result for each event; anyone else must get a typed error. */
const FIELD_ONLY: readonly ClientEventName[] = ["conversation:create", "profile:update"];
const EVERYONE: readonly ClientEventName[] = ["conversation:list", "conversation:join", "message:send", "message:list", "message:search", "message:read", "typing:set"];
const STAFF: readonly ClientEventName[] = [
  "conversation:take",
  "conversation:view",
  "conversation:transfer",
  "conversation:resolve",
  "conversation:reopen",
  "emergency:acknowledge",
  "room:join",
  "room:leave",
  "user:list",
  "user:context",
  "presence:list",
];
export function allowedClasses(event: ClientEventName): readonly ActorClass[] {
  if (FIELD_ONLY.includes(event)) return ["field"];
  if (EVERYONE.includes(event)) return ["field", "staff", "admin"];
  if (STAFF.includes(event)) return ["staff", "admin"];
  return ["admin"];
}

// ---- Building blocks ------------------------------------------------------------------------------

const PADS = [" ", "\t", "\n ", "\u00a0", "\u3000", "\ufeff", "\r\n"];
const pad = fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.constantFrom(...PADS) });
const ref = (...kinds: RefKind[]) => fc.tuple(fc.constantFrom(...kinds), pad).map(([kind, p]) => new Ref(kind, p));
const ALL_REFS: RefKind[] = ["ownConversation", "foreignConversation", "anyConversation", "ownMessage", "foreignMessage", "self", "otherField", "control", "victim", "unknown"];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
/** Short strings over all of Unicode, with lone surrogates mixed in. */
const wildString = fc.array(fc.oneof({ weight: 5, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) }, { weight: 1, arbitrary: loneSurrogate }), { maxLength: 8 }).map((parts) => parts.join(""));

export const NASTY_STRINGS = [
  "", " ", "\t\n", "NaN", "-NaN", "Infinity", "-Infinity", "-0", "0", "1e308", "1e309", "0x10", "1_000", " 42 ", "42", "9007199254740993",
  "null", "undefined", "true", "false", "[object Object]", "__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty",
  "__defineGetter__", "' OR '1'='1", "\"; DROP TABLE \"Message\"; --", "../../etc/passwd", "..\\..\\windows\\system32", "${7*7}", "{{7*7}}",
  "<script>alert(1)</script>", "%00", "\\", "abc\\", "%", "_", "%_\\%", "\u0000", "a\u0000b", "\uD800", "a\uDC00b", "\uDBFF\uDFFF", "\uFFFE\uFFFF",
  "\u202Eevil", "\u200B", "é", "😀", "Z̤̣͇̐͒a̵l̷g̸o", "🏳️‍🌈", "\r\n\r\n", "𝕏".repeat(50), "0000-01-01T00:00:00Z", "-000001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
];

const NUMBER_LITERALS = ["-0", "1e308", "1e309", "-1e309", "1e-400", "5e-324", "1E2", "-0.0", "0.1e1", "100000000000000000000000000000", "1.0", "2147483648", "-2147483649", "9007199254740993"];
const numbers = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, -1, 0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, 1e308, Number.EPSILON),
  fc.constantFrom(...NUMBER_LITERALS).map((text) => new Raw(text)),
);

/** Strings from one unit repeated to a length: mostly below the frame cap, a few just over it. */
const HUGE_UNITS: [string, number][] = [["x", 1], ["é", 2], ["€", 3], ["😀", 4], [" ", 1], ["\u0000", 6], ["\uD800", 6], ["ab ", 1], ["\\", 2], ['"', 2]];
export const hugeString = fc
  .tuple(fc.constantFrom(...HUGE_UNITS), fc.double({ min: 0.02, max: 1.02, noNaN: true }))
  .map(([[unit, bytes], fraction]) => unit.repeat(Math.max(1, Math.floor((fraction * MAX_FRAME_BYTES) / (bytes * unit.length)))));

const POLLUTION_TARGETS = [SENTINEL, "isNote", "is_note", "role", "content", "body", "status", "category", "includeInactive", "limit", "isActive", "conversationId", "userId", "type", "data", "toString", "valueOf", "admin"];
const pollutionValue = fc.constantFrom<FuzzValue>(true, "CONTROL_ADMIN", "EMERGENCY", 1, "polluted", null);
/** An entry that tries to reach Object.prototype: __proto__, constructor.prototype or prototype. */
export const pollutionEntry: fc.Arbitrary<[string, FuzzValue]> = fc
  .tuple(fc.constantFrom("__proto__", "constructor", "prototype"), fc.uniqueArray(fc.constantFrom(...POLLUTION_TARGETS), { minLength: 1, maxLength: 3 }), pollutionValue)
  .map(([via, targets, value]) => {
    const inner = new Obj([...targets.map((t): [string, FuzzValue] => [t, value]), [SENTINEL, value]]);
    return via === "constructor" ? ["constructor", new Obj([["prototype", inner]])] : [via, inner];
  });

/** Objects that look like query operators (to Prisma, Mongo-style or otherwise), around a real id. */
const operatorObject = fc
  .tuple(fc.constantFrom("$ne", "$gt", "equals", "not", "in", "contains", "startsWith", "gt", "OR", "some"), ref(...ALL_REFS))
  .map(([op, id]) => new Obj([[op, op === "in" || op === "OR" ? [id, ""] : op === "not" || op === "$ne" ? "" : id]]));

const deepNest = (maxDepth: number) =>
  fc.tuple(fc.integer({ min: 20, max: maxDepth }), fc.constantFrom<"array" | "object">("array", "object"), fc.constantFrom<FuzzValue>("x", 1, null, new Obj([["__proto__", new Obj([[SENTINEL, true]])]]))).map(([depth, shape, leaf]) => new Deep(depth, shape, leaf));

const hugeArray = fc.tuple(fc.integer({ min: 100, max: 30_000 }), fc.constantFrom<FuzzValue>(0, null, "", 1e308, new Raw("-0"))).map(([count, item]) => new Huge(count, item));

/** Anything that should not be where it is put. Socket.IO nests less deeply (its client recurses). */
export function hostile(transport: Transport): fc.Arbitrary<FuzzValue> {
  const leaf: fc.Arbitrary<FuzzValue> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    numbers,
    fc.constantFrom(...NASTY_STRINGS),
    wildString,
    ref(...ALL_REFS),
    fc.constantFrom(...PADS).map((p) => new Ref("ownConversation", `${p}\u200b`)),
  );
  const small: fc.Arbitrary<FuzzValue> = fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NASTY_STRINGS), wildString), leaf), { maxLength: 4 }).map((entries) => new Obj(entries)) },
  );
  return fc.oneof(
    { weight: 10, arbitrary: leaf },
    { weight: 3, arbitrary: small },
    { weight: 2, arbitrary: hugeString },
    { weight: 2, arbitrary: pollutionEntry.map((entry) => new Obj([entry])) },
    { weight: 2, arbitrary: operatorObject },
    // socket.io-client walks payloads recursively (hasBinary): deeper nesting goes as raw frames (sioFrameKinds).
    { weight: 1, arbitrary: deepNest(transport === "socket.io" ? 800 : 20_000) },
    { weight: 1, arbitrary: hugeArray },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data) => new Bytes(data)) },
    { weight: 1, arbitrary: fc.array(small, { minLength: 1, maxLength: 3 }) },
  );
}

// ---- Fields of each event -------------------------------------------------------------------------

interface FieldSpec {
  key: string;
  required: boolean;
  valid: fc.Arbitrary<FuzzValue>;
}
const field = (key: string, valid: fc.Arbitrary<FuzzValue>, required = true): FieldSpec => ({ key, valid, required });

const conversationId = ref("ownConversation", "ownConversation", "ownConversation", "foreignConversation", "anyConversation", "unknown");
const messageId = ref("ownMessage", "ownMessage", "foreignMessage", "unknown");
const userId = ref("self", "otherField", "control", "victim", "victim", "unknown");
const body = fc.oneof(fc.constantFrom("Hello", "Flat tyre at stop 12", "Running 5 min late", "  trimmed  "), fc.string({ minLength: 1, maxLength: 200, unit: "grapheme" }), wildString);
const clientId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
const sequence = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 30 }) }, { weight: 1, arbitrary: fc.constantFrom(2_147_483_647, 0) });
const text = (maxLength: number) => fc.oneof(fc.string({ maxLength }), fc.string({ maxLength, unit: "grapheme" }));
const isoDate = fc.oneof(
  fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("2020-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"),
);

export const EVENT_FIELDS: Readonly<Record<ClientEventName, FieldSpec[]>> = {
  "conversation:create": [
    field("title", text(120), false),
    field("body", body),
    field("category", fc.constantFrom<FuzzValue>(...CATEGORIES, ...CATEGORIES.map((c) => c.toLowerCase()), "Emergency"), false),
    field("clientId", clientId, false),
  ],
  "conversation:list": [
    field("room", fc.constantFrom(...SUPPORT_ROOMS), false),
    field("status", fc.constantFrom(...CONVERSATION_FILTERS), false),
    field("search", fc.oneof(text(100), fc.constantFrom("%", "_", "\\", "a\\", "%\\_", "Bus", "'", "\\\\")), false),
  ],
  "conversation:join": [field("conversationId", conversationId)],
  "conversation:take": [field("conversationId", conversationId)],
  "conversation:transfer": [field("conversationId", conversationId), field("toUserId", ref("control", "control", "self", "otherField", "victim", "unknown"))],
  "conversation:resolve": [field("conversationId", conversationId)],
  "conversation:reopen": [field("conversationId", conversationId)],
  "emergency:acknowledge": [field("conversationId", conversationId)],
  "emergency:cancel": [field("conversationId", conversationId)],
  "message:send": [field("conversationId", conversationId), field("body", body), field("clientId", clientId), field("isNote", fc.boolean(), false)],
  "message:list": [
    field("conversationId", conversationId),
    field("beforeSequence", sequence, false),
    field("afterSequence", sequence, false),
    field("limit", fc.integer({ min: 1, max: 100 }), false),
    field("skip", fc.integer({ min: 0, max: 50 }), false),
  ],
  "message:search": [
    // Words every actor's messages share, query syntax (quotes, -, or, :*, &, !) and hostile text.
    field("query", fc.oneof(text(100), fc.constantFrom("fuzz", "canary", '"a phrase', "-", "or or", "a:*", "a & !b", "'", "\\", "%", "()", "<b>x</b>"))),
    field("room", fc.constantFrom(...SUPPORT_ROOMS), false),
    field("driver", fc.oneof(text(100), fc.constantFrom("%", "_", "\\")), false),
    field("vehicle", text(100), false),
    field("status", fc.constantFrom("open", "resolved"), false),
    field("from", isoDate, false),
    field("to", isoDate, false),
    field("limit", fc.integer({ min: 1, max: 50 }), false),
    field("after", fc.constantFrom("2026-12-07T12:00:00.000Z|abc", "x|y", "|", "2026-13-40T99:00:00.000Z|id"), false),
  ],
  "message:read": [field("conversationId", conversationId), field("sequence", sequence, false), field("messageId", messageId, false)],
  "typing:set": [field("conversationId", conversationId), field("isTyping", fc.boolean())],
  "conversation:view": [field("conversationId", conversationId), field("isViewing", fc.boolean())],
  "room:join": [field("room", fc.constantFrom(...SUPPORT_ROOMS))],
  "room:leave": [field("room", fc.constantFrom(...SUPPORT_ROOMS))],
  "profile:update": [field("vehicle", fc.oneof(fc.constant(null), text(40))), field("route", fc.oneof(fc.constant(null), text(40)))],
  "user:deactivate": [field("userId", userId)],
  "user:reactivate": [field("userId", userId)],
  "user:create": [
    field("email", fc.tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom("example.test", "test.local")).map(([local, domain]) => `fuzz-${local}@${domain}`)),
    field("name", fc.string({ minLength: 1, maxLength: 80 })),
    field("role", fc.constantFrom(...ROLES)),
    field("password", fc.string({ minLength: 8, maxLength: 40 })),
    field("vehicle", fc.oneof(fc.constant(null), text(40)), false),
    field("route", fc.oneof(fc.constant(null), text(40)), false),
  ],
  "user:set-role": [field("userId", userId), field("role", fc.constantFrom(...ROLES))],
  "user:reset-password": [field("userId", userId), field("password", fc.string({ minLength: 8, maxLength: 40 }))],
  "user:list": [field("role", fc.constantFrom(...ROLES), false), field("includeInactive", fc.boolean(), false)],
  "user:context": [field("userId", userId)],
  "presence:list": [],
  "audit:list": [field("limit", fc.integer({ min: 1, max: 200 }), false), field("before", isoDate, false)],
};

/** The keys the JSON WebSocket reads for a field (the seed's snake_case; the body is `content` or `body`). */
export function seedKeys(key: string): string[] {
  if (key === "body") return ["content", "body"];
  if (key === "room") return ["room_type"];
  return [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

// ---- Payloads -------------------------------------------------------------------------------------

export type PayloadLabel = "valid" | "polluted-valid" | "one-fault" | "fields" | "proto-wrapped" | "non-object";
const OMIT = Symbol("omit");
interface Payload {
  value: FuzzValue;
  label: PayloadLabel;
}

function fieldEntry(spec: FieldSpec, transport: Transport, mode: "valid" | "mixed"): fc.Arbitrary<[string, FuzzValue][]> {
  const keys = transport === "json-ws" ? seedKeys(spec.key) : [spec.key];
  const key = transport === "socket.io" ? fc.oneof({ weight: 19, arbitrary: fc.constant(spec.key) }, { weight: 1, arbitrary: fc.constantFrom(...seedKeys(spec.key)) }) : fc.constantFrom(...keys);
  const present = (value: fc.Arbitrary<FuzzValue>) => fc.tuple(key, value).map(([k, v]): [string, FuzzValue][] => [[k, v]]);
  const omitted = fc.constant<[string, FuzzValue][]>([]);
  if (mode === "valid") return spec.required ? present(spec.valid) : fc.oneof(present(spec.valid), omitted);
  return fc.oneof({ weight: 11, arbitrary: present(spec.valid) }, { weight: 6, arbitrary: present(hostile(transport)) }, { weight: 3, arbitrary: omitted });
}

function extraEntry(event: ClientEventName, transport: Transport): fc.Arbitrary<[string, FuzzValue]> {
  const known = EVENT_FIELDS[event].flatMap((spec) => (transport === "json-ws" ? seedKeys(spec.key) : [spec.key]));
  return fc.oneof(
    { weight: 3, arbitrary: pollutionEntry },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...NASTY_STRINGS), wildString), hostile(transport)) },
    ...(known.length > 0 ? [{ weight: 2, arbitrary: fc.tuple(fc.constantFrom(...known), hostile(transport)) }] : []),
  );
}

export function payloadArb(event: ClientEventName, transport: Transport): fc.Arbitrary<Payload> {
  const specs = EVENT_FIELDS[event];
  const perField = (mode: "valid" | "mixed") => fc.tuple(...specs.map((spec) => fieldEntry(spec, transport, mode)));
  const entries = (mode: "valid" | "mixed") => perField(mode).map((parts) => parts.flat());
  const extras = fc.array(extraEntry(event, transport), { maxLength: 3 });
  // Several faults at once, and hostile extra keys.
  const mixed = fc
    .tuple(entries("mixed"), extras, fc.boolean())
    .map(([own, extra, extrasFirst]): Payload => ({ value: new Obj(extrasFirst ? [...extra, ...own] : [...own, ...extra]), label: "fields" }));
  // Exactly one field hostile or missing, the others valid: each fault on its own.
  const oneFault = fc
    .tuple(perField("valid"), fc.nat(), fc.oneof({ weight: 5, arbitrary: hostile(transport) }, { weight: 1, arbitrary: fc.constant(OMIT) }), extraEntry(event, transport))
    .map(([parts, at, fault, extra]): Payload => {
      const spec = specs[at % Math.max(1, specs.length)];
      if (!spec) return { value: new Obj([extra]), label: "one-fault" };
      const entry: [string, FuzzValue][] = fault === OMIT ? [] : [[transport === "json-ws" ? seedKeys(spec.key)[0]! : spec.key, fault]];
      return { value: new Obj(parts.map((part, i) => (i === at % specs.length ? entry : part)).flat()), label: "one-fault" };
    });
  // Valid fields with keys that try to reach Object.prototype beside them: must behave as without them.
  const pollutedValid = fc
    .tuple(entries("valid"), fc.array(pollutionEntry, { minLength: 1, maxLength: 2 }), fc.boolean())
    .map(([own, extra, extrasFirst]): Payload => ({ value: new Obj(extrasFirst ? [...extra, ...own] : [...own, ...extra]), label: "polluted-valid" }));
  return fc.oneof(
    { weight: 3, arbitrary: entries("valid").map((own): Payload => ({ value: new Obj(own), label: "valid" })) },
    { weight: 2, arbitrary: pollutedValid },
    { weight: 7, arbitrary: oneFault },
    { weight: 4, arbitrary: mixed },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("__proto__", "constructor", "prototype"), entries("valid"))
        .map(([via, own]): Payload => ({ value: new Obj([[via, via === "constructor" ? new Obj([["prototype", new Obj(own)]]) : new Obj(own)]]), label: "proto-wrapped" })),
    },
    { weight: 2, arbitrary: hostile(transport).map((value): Payload => ({ value, label: "non-object" })) },
  );
}

// ---- Cases ----------------------------------------------------------------------------------------

export type CaseLabel = PayloadLabel | "unknown-event" | "raw-packet" | "bad-frame" | "garbage-text" | "binary-frame" | "invalid-utf8" | "oversize" | "deep-text";

interface CaseBase {
  actor: ActorClass;
  label: CaseLabel;
  /** The client event the case is about (absent for unknown events and frame-level garbage). */
  event?: ClientEventName;
}
/** Socket.IO: `emit(event, ...args, ack)`. */
export interface SioEventCase extends CaseBase {
  transport: "socket.io";
  kind: "event";
  name: string;
  args: FuzzValue[];
}
/**
 * Socket.IO below the client: one raw engine.io frame on a fresh connection. With `ackId` the frame
 * is a request and its answer is judged; without, a probe request follows it and must be answered
 * (or the server must have closed the connection).
 */
export interface SioRawCase extends CaseBase {
  transport: "socket.io";
  kind: "raw";
  frame: string | Uint8Array;
  ackId?: number;
}
/** JSON WebSocket: a frame object (request_id appended unless `requestId` says otherwise). */
export interface WsFrameCase extends CaseBase {
  transport: "json-ws";
  kind: "frame";
  entries: [string, FuzzValue][];
  requestId: "auto" | "omit" | FuzzValue;
}
/** JSON WebSocket: a text frame as is, a binary frame, or bytes that are not UTF-8 sent as a text frame. */
export interface WsRawCase extends CaseBase {
  transport: "json-ws";
  kind: "text" | "binary" | "invalid-utf8";
  data: string | Uint8Array;
}
export type FuzzCase = SioEventCase | SioRawCase | WsFrameCase | WsRawCase;

function actorFor(event: ClientEventName | undefined): fc.Arbitrary<ActorClass> {
  if (!event) return fc.constantFrom(...ACTOR_CLASSES);
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...allowedClasses(event)) }, { weight: 1, arbitrary: fc.constantFrom(...ACTOR_CLASSES) });
}

const RESERVED = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);
const unknownEventName = fc
  .oneof(
    fc.constantFrom(...NASTY_STRINGS),
    fc.constantFrom(...Object.keys(SEED_REQUEST_TYPES), "message:delete", "MESSAGE:SEND", " message:send", "message:send\u0000", "message:send ", "user:delete", "admin:*"),
    wildString,
  )
  .filter((name) => !RESERVED.has(name) && !(CLIENT_EVENTS as readonly string[]).includes(name));

export function sioEventCase(event: ClientEventName): fc.Arbitrary<SioEventCase> {
  return fc
    .tuple(actorFor(event), payloadArb(event, "socket.io"), fc.constantFrom("one", "one", "one", "one", "one", "one", "none", "extra-after", "extra-before"), hostile("socket.io"))
    .map(([actor, payload, shape, extra]) => ({
      transport: "socket.io" as const,
      kind: "event" as const,
      actor,
      event,
      label: payload.label,
      name: event,
      args: shape === "none" ? [] : shape === "extra-after" ? [payload.value, extra] : shape === "extra-before" ? [extra, payload.value] : [payload.value],
    }));
}

const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80]];
/** Bytes that are certainly not UTF-8: random bytes around one invalid sequence. */
export const invalidUtf8 = fc
  .tuple(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...INVALID_UTF8), fc.uint8Array({ maxLength: 40 }), fc.boolean())
  .map(([before, bad, after, jsonish]) => {
    const prefix = jsonish ? Buffer.from('{"type":"send_chat_message","data":{"content":"') : Buffer.alloc(0);
    return new Uint8Array(Buffer.concat([prefix, Buffer.from(before.filter((b) => b < 0x80)), Buffer.from(bad), Buffer.from(after.filter((b) => b < 0x80))]));
  });

const RAW_PREFIXES = ["4", "40", "41", "42", "43", "44", "45", "46", "47", "4x", "1", "2", "3", "5", "6", "0", "", "42/", "42/admin,"];
const RAW_ACK_IDS = ["", "1", "77", "99999999999999999999", "-1", "abc", "1e3", " "];
const RAW_BODIES = [
  '["disconnect"]', '["connect"]', '["newListener","x"]', "[]", "[1]", '["message:send"', '{"__proto__":{"fuzzPolluted":1}}', '["__proto__",{}]',
  '["message:send",{"__proto__":{"isNote":true}}]', "null", '"x"', '[{"_placeholder":true,"num":0}]', '["message:send",{"_placeholder":true,"num":99}]',
];
const rawPacket = fc.tuple(fc.constantFrom(...RAW_PREFIXES), fc.constantFrom(...RAW_ACK_IDS), fc.oneof(fc.constantFrom(...RAW_BODIES), wildString)).map(([prefix, id, rest]) => `${prefix}${id}${rest}`);

/** Frame-level case kinds, taken in turn (so that each appears in every run long enough to hold them). */
export function sioFrameKinds(): fc.Arbitrary<SioEventCase | SioRawCase>[] {
  const actor = actorFor(undefined);
  const unknown = fc.tuple(actor, unknownEventName, hostile("socket.io")).map(
    ([a, name, payload]): SioEventCase => ({ transport: "socket.io", kind: "event", actor: a, label: "unknown-event", name, args: [payload] }),
  );
  const raw = fc.tuple(actor, rawPacket).map(([a, frame]): SioRawCase => ({ transport: "socket.io", kind: "raw", actor: a, label: "raw-packet", frame }));
  const notUtf8 = fc.tuple(actor, invalidUtf8).map(([a, frame]): SioRawCase => ({ transport: "socket.io", kind: "raw", actor: a, label: "invalid-utf8", frame }));
  // A message whose packet is just over the cap (the event is real: the server must still refuse the frame).
  const oversize = fc.tuple(fc.constantFrom<ActorClass>("field", "staff"), fc.integer({ min: 1, max: 4096 })).map(
    ([a, over]): SioEventCase => ({
      transport: "socket.io",
      kind: "event",
      actor: a,
      event: "message:send",
      label: "oversize",
      name: "message:send",
      args: [new Obj([["conversationId", new Ref("ownConversation")], ["body", "z".repeat(MAX_FRAME_BYTES + over)], ["clientId", "oversize"]])],
    }),
  );
  // Nesting far deeper than socket.io-client could serialise, as a well-formed request with an ack id.
  const deep = fc
    .tuple(actor, fc.constantFrom<ClientEventName>("message:send", "conversation:join", "user:reactivate", "audit:list", "message:read"), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.constantFrom("array", "object"))
    .map(([a, event, fraction, shape]): SioRawCase => {
      // Up to the frame cap: an array level is 2 bytes, an object level 6 (`{"a":` and `}`).
      const depth = Math.floor((fraction * (MAX_FRAME_BYTES - 200)) / (shape === "array" ? 2 : 6));
      const nest = shape === "array" ? `${"[".repeat(depth)}"x"${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}"x"${"}".repeat(depth)}`;
      const key = EVENT_FIELDS[event][0]?.key ?? "x";
      return { transport: "socket.io", kind: "raw", actor: a, event, label: "deep-text", ackId: 77, frame: `4277${JSON.stringify([event, {}]).replace("{}", `{${JSON.stringify(key)}:${nest}}`)}` };
    });
  return [unknown, raw, notUtf8, unknown, deep, oversize];
}

const requestIdArb: fc.Arbitrary<"auto" | "omit" | FuzzValue> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<"auto">("auto") },
  { weight: 1, arbitrary: fc.constant<"omit">("omit") },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 2, arbitrary: hostile("json-ws") },
);

export function wsEventCase(event: ClientEventName): fc.Arbitrary<WsFrameCase> {
  const type = SEED_TYPE_OF[event];
  return fc
    .tuple(actorFor(event), payloadArb(event, "json-ws"), fc.constantFrom("data", "data", "data", "data", "data", "data", "data", "data", "no-data"), fc.array(pollutionEntry, { maxLength: 1 }), requestIdArb)
    .map(([actor, payload, dataShape, topExtras, requestId]) => ({
      transport: "json-ws" as const,
      kind: "frame" as const,
      actor,
      event,
      label: payload.label,
      entries: [["type", type], ...(dataShape === "data" ? ([["data", payload.value]] as [string, FuzzValue][]) : []), ...topExtras],
      requestId,
    }));
}

/** A well-formed request of exactly `size` bytes. */
function oversizeFrame(size: number): string {
  const base = JSON.stringify({ type: "send_chat_message", data: { conversation_id: "x", content: "" } });
  return base.replace('"content":""', `"content":"${"y".repeat(size - base.length)}"`);
}

const garbageText = fc.oneof(
  fc.constantFrom("", "{", "}", "[", '{"type":', "[1,2", "nul", "{'type':'get_presence'}", '{"type":"get_presence",}', '{"type":"get_presence"}}', "\u0000", "\ufeff{}", " ", "NaN", "-0", "1e309", '"get_presence"', "[]", "null", "true", '{"type":"get_presence","data":{}} {"type":"get_presence"}'),
  wildString,
  fc.string({ unit: "binary", maxLength: 200 }),
);
const badType = fc.oneof(
  fc.constantFrom<FuzzValue>("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "message:send", "SEND_CHAT_MESSAGE", " send_chat_message", "send_chat_message\u0000", ""),
  hostile("json-ws"),
);

export function wsFrameKinds(): fc.Arbitrary<WsFrameCase | WsRawCase>[] {
  const actor = actorFor(undefined);
  const badFrame = fc.tuple(actor, badType, hostile("json-ws"), fc.array(pollutionEntry, { maxLength: 1 }), requestIdArb).map(
    ([a, type, data, extras, requestId]): WsFrameCase => ({ transport: "json-ws", kind: "frame", actor: a, label: "bad-frame", entries: [["type", type], ["data", data], ...extras], requestId }),
  );
  const garbage = fc.tuple(actor, garbageText).map(([a, data]): WsRawCase => ({ transport: "json-ws", kind: "text", actor: a, label: "garbage-text", data }));
  const binary = fc
    .tuple(actor, fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(new Uint8Array(Buffer.from('{"type":"get_presence","data":{}}')))))
    .map(([a, data]): WsRawCase => ({ transport: "json-ws", kind: "binary", actor: a, label: "binary-frame", data }));
  const notUtf8 = fc.tuple(actor, invalidUtf8).map(([a, data]): WsRawCase => ({ transport: "json-ws", kind: "invalid-utf8", actor: a, label: "invalid-utf8", data }));
  const oversize = fc
    .tuple(actor, fc.integer({ min: MAX_FRAME_BYTES + 1, max: MAX_FRAME_BYTES + 4096 }))
    .map(([a, size]): WsRawCase => ({ transport: "json-ws", kind: "text", actor: a, label: "oversize", data: oversizeFrame(size) }));
  const deepText = fc.tuple(actor, fc.integer({ min: 1000, max: 30_000 }), fc.constantFrom("send_chat_message", "get_conversation_messages", "create_user")).map(
    ([a, depth, type]): WsFrameCase => ({
      transport: "json-ws",
      kind: "frame",
      actor: a,
      label: "deep-text",
      entries: [["type", type], ["data", new Obj([["conversation_id", new Deep(depth, "array", "x")], ["content", new Deep(Math.min(depth, 500), "object", "x")]])]],
      requestId: "auto",
    }),
  );
  return [badFrame, garbage, notUtf8, binary, badFrame, oversize, garbage, deepText];
}

/**
 * `perTransport` cases for each transport: client events in turn (so every event gets its share
 * whatever the seed), with frame-level cases (unknown events, raw packets, garbage frames) as every
 * eighth case. Deterministic for a seed.
 */
export function generateCases(perTransport: number, seed: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const frameEvery = 8;
  const frameCount = Math.floor(perTransport / frameEvery);
  const eventCount = perTransport - frameCount;
  const perEvent = (i: number) => Math.floor(eventCount / CLIENT_EVENTS.length) + (i < eventCount % CLIENT_EVENTS.length ? 1 : 0);
  for (const transport of ["socket.io", "json-ws"] as const) {
    const events: FuzzCase[][] = CLIENT_EVENTS.map((event, i) => {
      const arb: fc.Arbitrary<FuzzCase> = transport === "socket.io" ? sioEventCase(event) : wsEventCase(event);
      const n = perEvent(i);
      return n > 0 ? fc.sample(arb, { numRuns: n, seed: (seed + i * 7919 + (transport === "json-ws" ? 104_729 : 0)) | 0 }) : [];
    });
    const kinds: fc.Arbitrary<FuzzCase>[] = transport === "socket.io" ? sioFrameKinds() : wsFrameKinds();
    const kindSamples = kinds.map((arb, k) => {
      const n = Math.floor(frameCount / kinds.length) + (k < frameCount % kinds.length ? 1 : 0);
      return n > 0 ? fc.sample(arb, { numRuns: n, seed: (seed + k * 31 + (transport === "json-ws" ? 7 : 3)) | 0 }) : [];
    });
    const frames: FuzzCase[] = [];
    for (let round = 0; frames.length < frameCount; round += 1) for (const samples of kindSamples) if (samples[round]) frames.push(samples[round]!);
    const eventCases: FuzzCase[] = [];
    for (let round = 0; eventCases.length < eventCount; round += 1) for (const bucket of events) if (bucket[round]) eventCases.push(bucket[round]!);
    const list: FuzzCase[] = [];
    let f = 0;
    let e = 0;
    for (let k = 0; k < perTransport; k += 1) {
      if (((k + 1) % frameEvery === 0 && f < frames.length) || e >= eventCases.length) list.push(frames[f++]!);
      else list.push(eventCases[e++]!);
    }
    out.push(...list);
  }
  return out;
}
