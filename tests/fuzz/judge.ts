import { ERROR_CODES, type ErrorCode } from "../../lib/errors";
import { SUPPORT_ROOMS } from "../../lib/chat/types";
import type { ClientEventName } from "../../lib/realtime/events";
import { allowedClasses, SENTINEL, type ActorClass, type CaseLabel, type Transport } from "./arbitraries";

// Whether a reply is acceptable for a case. Pure functions: the integration test also feeds them
// bad replies to show that they reject them.

/** A reply in one shape for both transports (JSON WebSocket frames are mapped onto it). */
export type Reply = { ok: true; data: unknown } | { ok: false; error: { code: unknown; message: unknown } };

/** Codes that mean the server failed rather than refused: never acceptable for client input. */
export const SERVER_FAILURE_CODES: readonly ErrorCode[] = ["INTERNAL", "UNAVAILABLE"];
const ERROR_MESSAGE_MAX = 1000;

/**
 * conversation:create answered ok with a later message of an old conversation: its clientId was already
 * used for a message:send, and the server must answer CONFLICT rather than treat it as a retried create.
 */
const REUSED_CLIENT_ID = "expected CONFLICT (a clientId already used for a later message), got an ok result whose message is not the conversation's first";

/**
 * Server bugs the fuzzer found that are reported but not fixed yet. A case that fails only with one of
 * these is counted under the issue instead of failing the run, unless the run is strict
 * (`npm run fuzz -- --strict`, FUZZ_STRICT=1). Delete an entry once its bug is fixed. None are open now.
 */
export const KNOWN_ISSUES: readonly { match: RegExp; issue: string }[] = [];

export interface JudgeContext {
  transport: Transport;
  label: CaseLabel;
  event?: ClientEventName;
  actor: { cls: ActorClass; id: string };
  /** Field actors: the conversations they created (the only ones they may read or write). */
  ownConversations: ReadonlySet<string>;
  /** The conversation id the server will read from the payload (trimmed), when the case has one. */
  effectiveConversationId?: string;
  /** A code the protocol promises for this case (e.g. UNKNOWN_EVENT for an unknown event). */
  expectCode?: ErrorCode;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A field of a reply's data in camelCase or, as the JSON WebSocket sends it, snake_case. */
export function field(value: unknown, key: string): unknown {
  if (!isObject(value)) return undefined;
  if (key in value) return value[key];
  return value[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

/** Own keys named like the pollution sentinel anywhere in a reply (iterative: replies may be large). */
export function findSentinel(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) stack.push(...item);
    else if (isObject(item)) {
      if (Object.prototype.hasOwnProperty.call(item, SENTINEL)) return true;
      stack.push(...Object.values(item));
    }
  }
  return false;
}

const CONVERSATION_EVENTS = new Set<ClientEventName>(["conversation:join", "message:send", "message:list", "message:read", "typing:set"]);
const WORKFLOW_EVENTS = new Set<ClientEventName>(["conversation:join", "conversation:take", "conversation:transfer", "conversation:resolve", "conversation:reopen", "emergency:acknowledge"]);

/** What an ok result of an event must look like (light: the keys each event promises). */
function shapeProblem(event: ClientEventName, data: unknown): string | null {
  const isString = (v: unknown) => typeof v === "string" && v.length > 0;
  const isCount = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
  if (!isObject(data)) return "data is not an object";
  if (WORKFLOW_EVENTS.has(event)) return isString(field(field(data, "conversation"), "id")) ? null : "no conversation.id";
  switch (event) {
    case "conversation:create": {
      if (!isString(field(field(data, "conversation"), "id"))) return "no conversation.id";
      const sequence = field(field(data, "message"), "sequence");
      return sequence === 1 ? null : `${REUSED_CLIENT_ID} (sequence ${JSON.stringify(sequence)})`;
    }
    case "conversation:list":
      return Array.isArray(field(data, "conversations")) ? null : "no conversations array";
    case "message:send": {
      const message = field(data, "message");
      const sequence = field(message, "sequence");
      return isString(field(message, "id")) && isCount(sequence) && (sequence as number) >= 1 && typeof field(data, "duplicate") === "boolean" ? null : "no message with a sequence";
    }
    case "message:list":
      return Array.isArray(field(data, "messages")) && typeof field(data, "hasMore") === "boolean" ? null : "no messages page";
    case "message:search": {
      const next = field(data, "next");
      return Array.isArray(field(data, "hits")) && (next === null || typeof next === "string") ? null : "no search page";
    }
    case "message:read":
      return isCount(field(data, "lastReadSequence")) ? null : "no lastReadSequence";
    case "typing:set":
      return typeof field(data, "isTyping") === "boolean" ? null : "no isTyping";
    case "conversation:view":
      return typeof field(data, "isViewing") === "boolean" ? null : "no isViewing";
    case "room:join":
    case "room:leave": {
      const rooms = field(data, "rooms");
      return Array.isArray(rooms) && rooms.every((r) => (SUPPORT_ROOMS as readonly unknown[]).includes(r)) ? null : "rooms are not support rooms";
    }
    case "profile:update":
    case "user:create":
    case "user:set-role":
    case "user:context":
      return isString(field(field(data, "user"), "id")) ? null : "no user.id";
    case "user:deactivate":
    case "user:reactivate":
    case "user:reset-password":
      return isString(field(data, "userId")) ? null : "no userId";
    case "user:list":
      return Array.isArray(field(data, "users")) ? null : "no users array";
    case "presence:list":
      return Array.isArray(field(data, "online")) ? null : "no online array";
    case "audit:list":
      return Array.isArray(field(data, "events")) ? null : "no events array";
    default:
      return null;
  }
}

/** The field-staff rules an ok result must keep: own conversations only, no staff notes. */
function fieldProblem(ctx: JudgeContext, event: ClientEventName, data: unknown): string | null {
  if (CONVERSATION_EVENTS.has(event)) {
    if (ctx.effectiveConversationId !== undefined && !ctx.ownConversations.has(ctx.effectiveConversationId)) {
      return `ok for conversation ${ctx.effectiveConversationId}, which the field actor did not create`;
    }
  }
  if (event === "message:send" && field(field(data, "message"), "kind") === "NOTE") return "a field actor wrote a staff note";
  if (event === "message:list") {
    for (const message of (field(data, "messages") as unknown[]) ?? []) {
      if (field(message, "kind") === "NOTE") return "a field actor was shown a staff note";
      const conversationId = field(message, "conversationId");
      if (typeof conversationId === "string" && !ctx.ownConversations.has(conversationId)) return `a field actor was shown a message of ${conversationId}`;
    }
  }
  if (event === "message:search") {
    for (const hit of (field(data, "hits") as unknown[]) ?? []) {
      if (field(hit, "isNote") !== false) return "a field actor found a staff note";
      const conversationId = field(hit, "conversationId");
      if (typeof conversationId !== "string" || !ctx.ownConversations.has(conversationId)) return `a field actor found a message of ${String(conversationId)}`;
    }
  }
  if (event === "conversation:list") {
    for (const conversation of (field(data, "conversations") as unknown[]) ?? []) {
      if (field(field(conversation, "creator"), "id") !== ctx.actor.id) return "a field actor was shown another user's conversation";
    }
  }
  return null;
}

/** Null when the reply is acceptable for the case, else why not. */
export function judgeReply(ctx: JudgeContext, reply: unknown): string | null {
  if (!isObject(reply) || typeof reply.ok !== "boolean") return `not an ack: ${JSON.stringify(reply)?.slice(0, 200)}`;
  if (findSentinel(reply)) return `the reply reflects the polluted key "${SENTINEL}"`;
  if (reply.ok === false) {
    const error = reply.error;
    if (!isObject(error)) return "ok:false without an error object";
    const code = error.code;
    if (typeof code !== "string" || !Object.prototype.hasOwnProperty.call(ERROR_CODES, code)) return `error code ${JSON.stringify(code)} is not in ERROR_CODES`;
    if (SERVER_FAILURE_CODES.includes(code as ErrorCode)) return `${code} for client input (${String(error.message).slice(0, 120)})`;
    if (typeof error.message !== "string" || error.message.length === 0) return "the error has no message";
    if (error.message.length > ERROR_MESSAGE_MAX) return `the error message is ${error.message.length} characters (payload echoed?)`;
    if (ctx.expectCode && code !== ctx.expectCode && code !== "RATE_LIMITED") return `expected ${ctx.expectCode}, got ${code}`;
    return null;
  }
  if (ctx.expectCode) return `expected ${ctx.expectCode}, got an ok result`;
  if (!ctx.event) return "an ok result for a frame that is not a request";
  if (!allowedClasses(ctx.event).includes(ctx.actor.cls)) return `${ctx.event} succeeded for a ${ctx.actor.cls} actor`;
  const shape = shapeProblem(ctx.event, reply.data);
  if (shape) return `${ctx.event}: ${shape}`;
  if (ctx.actor.cls === "field") return fieldProblem(ctx, ctx.event, reply.data);
  return null;
}

/** The outcome of a case, for counting. */
export type Outcome =
  | { kind: "ok" }
  | { kind: "error"; code: string }
  | { kind: "refused"; how: string }
  | { kind: "raw"; how: "answered" | "closed" | "left" }
  | { kind: "failed" };

/** A JSON WebSocket reply frame as an ack, after checking the frame's own fields. */
export function frameToReply(frame: { type: string; ok?: unknown; data?: unknown; error?: unknown; request_type?: unknown; request_id?: unknown }, expect: { requestType: string | null; requestId: string | number | null }): Reply | string {
  if (frame.request_type !== expect.requestType) return `request_type ${JSON.stringify(frame.request_type)?.slice(0, 80)}, expected ${JSON.stringify(expect.requestType)?.slice(0, 80)}`;
  if (frame.request_id !== expect.requestId) return `request_id ${JSON.stringify(frame.request_id)?.slice(0, 80)}, expected ${JSON.stringify(expect.requestId)?.slice(0, 80)}`;
  if (frame.type === "response") return frame.ok === true ? { ok: true, data: frame.data } : "a response frame without ok: true";
  return { ok: false, error: (frame.error ?? {}) as { code: unknown; message: unknown } };
}
