import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { randomUUID } from "node:crypto";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { AppError, toHttpStatus, toWireError, type WireError } from "../errors";
import { logger } from "../logger";
import { metrics } from "../metrics";
import { MAX_FRAME_BYTES } from "../chat/constants";
import { getMonitoredRooms } from "../chat/support-rooms";
import { isControlRole, type AuthUser } from "../chat/types";
import { authenticateHandshake } from "./authenticate";
import { dispatch, SHUTTING_DOWN } from "./dispatch";
import { rooms } from "./rooms";
import type { ClientEventName, Delivery, ServerEventName } from "./events";
import type { LocalSink } from "./broadcaster";
import type { OperationContext } from "./operations";
import type { RealtimeDeps } from "./deps";
import { coalesceWrites, tcpSocketOf } from "./coalesce";

// The seed's JSON WebSocket protocol at /api/websocket/connect?token=…, for existing clients.
// Frames are {"type", "data", "request_id"?}; payload keys are snake_case as in the seed. Each
// request is mapped onto the same operation the Socket.IO event runs.

export const JSON_WS_PATH = "/api/websocket/connect";
const HEARTBEAT_MS = 30_000;

type Data = Record<string, unknown>;
interface SeedType {
  event: ClientEventName;
  toInput: (data: Data) => unknown;
}

/** The seed's request types (and our additions) → Socket.IO event and input shape. */
export const SEED_REQUEST_TYPES: Record<string, SeedType> = {
  create_support_conversation: {
    event: "conversation:create",
    toInput: (d) => ({ title: d.title, body: d.content ?? d.body, category: d.category, clientId: d.client_id }),
  },
  send_chat_message: {
    event: "message:send",
    // Seed clients send no client id; without one a retry cannot be recognised, so each send is new.
    toInput: (d) => ({ conversationId: d.conversation_id, body: d.content ?? d.body, clientId: d.client_id ?? `ws:${randomUUID()}`, isNote: d.is_note }),
  },
  get_active_conversations: { event: "conversation:list", toInput: (d) => ({ room: d.room_type, limit: d.limit, afterId: d.after_id }) },
  join_support_room: { event: "room:join", toInput: (d) => ({ room: d.room_type }) },
  leave_support_room: { event: "room:leave", toInput: (d) => ({ room: d.room_type }) },
  get_conversation_messages: {
    event: "message:list",
    toInput: (d) => ({ conversationId: d.conversation_id, limit: d.limit, skip: d.skip, afterSequence: d.after_sequence, beforeSequence: d.before_sequence }),
  },
  search_messages: {
    event: "message:search",
    toInput: (d) => ({
      query: d.query,
      room: d.room_type,
      driver: d.driver,
      vehicle: d.vehicle,
      status: d.status,
      from: d.from,
      to: d.to,
      limit: d.limit,
      after: d.after,
    }),
  },
  join_conversation: { event: "conversation:join", toInput: (d) => ({ conversationId: d.conversation_id }) },
  typing_indicator: { event: "typing:set", toInput: (d) => ({ conversationId: d.conversation_id, isTyping: d.is_typing }) },
  viewing_conversation: { event: "conversation:view", toInput: (d) => ({ conversationId: d.conversation_id, isViewing: d.is_viewing }) },
  mark_message_read: {
    event: "message:read",
    toInput: (d) => ({ conversationId: d.conversation_id, messageId: d.message_id, sequence: d.sequence }),
  },
  take_conversation: { event: "conversation:take", toInput: (d) => ({ conversationId: d.conversation_id }) },
  transfer_conversation: { event: "conversation:transfer", toInput: (d) => ({ conversationId: d.conversation_id, toUserId: d.to_user_id }) },
  resolve_conversation: { event: "conversation:resolve", toInput: (d) => ({ conversationId: d.conversation_id }) },
  reopen_conversation: { event: "conversation:reopen", toInput: (d) => ({ conversationId: d.conversation_id }) },
  acknowledge_emergency: { event: "emergency:acknowledge", toInput: (d) => ({ conversationId: d.conversation_id }) },
  cancel_emergency: { event: "emergency:cancel", toInput: (d) => ({ conversationId: d.conversation_id }) },
  update_profile: { event: "profile:update", toInput: (d) => ({ vehicle: d.vehicle ?? null, route: d.route ?? null }) },
  get_presence: { event: "presence:list", toInput: () => ({}) },
  get_user_context: { event: "user:context", toInput: (d) => ({ userId: d.user_id }) },
  list_users: { event: "user:list", toInput: (d) => ({ role: d.role, includeInactive: d.include_inactive, search: d.search, limit: d.limit, offset: d.offset }) },
  create_user: {
    event: "user:create",
    toInput: (d) => ({ email: d.email, name: d.name, role: d.role, password: d.password, vehicle: d.vehicle, route: d.route }),
  },
  set_user_role: { event: "user:set-role", toInput: (d) => ({ userId: d.user_id, role: d.role }) },
  reset_user_password: { event: "user:reset-password", toInput: (d) => ({ userId: d.user_id, password: d.password }) },
  deactivate_user: { event: "user:deactivate", toInput: (d) => ({ userId: d.user_id }) },
  reactivate_user: { event: "user:reactivate", toInput: (d) => ({ userId: d.user_id }) },
  get_audit_log: { event: "audit:list", toInput: (d) => ({ limit: d.limit, before: d.before, afterId: d.after_id, search: d.search }) },
};

/** Pushed event names on the JSON WebSocket. */
export const SEED_PUSH_TYPES: Record<Exclude<ServerEventName, "session:ready">, string> = {
  "message:new": "new_message",
  "conversation:new": "new_support_conversation",
  "conversation:updated": "conversation_updated",
  typing: "typing_indicator",
  viewing: "conversation_viewing",
  "read:updated": "message_read",
  "presence:updated": "presence_updated",
  "emergency:escalated": "emergency_escalated",
};

// The protocol's keys are few: convert each once (a bounded cache, in case a payload carries free keys).
const snakeKeys = new Map<string, string>();
function snake(key: string): string {
  let converted = snakeKeys.get(key);
  if (converted === undefined) {
    converted = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snakeKeys.size < 10_000) snakeKeys.set(key, converted);
  }
  return converted;
}

/** Deep copy with snake_case keys, as the seed's clients expect. */
export function toSnakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCase);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const copy: Record<string, unknown> = {};
    for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) copy[snake(key)] = toSnakeCase((value as Record<string, unknown>)[key]);
    return copy;
  }
  return value;
}

interface Connection {
  ws: WebSocket;
  user: AuthUser;
  rooms: Set<string>;
  isAlive: boolean;
}

export class JsonGateway implements LocalSink {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly byRoom = new Map<string, Set<Connection>>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly deps: RealtimeDeps) {
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
    metrics.countSockets("json-ws", () => this.wss.clients.size);
  }

  /** Handles an HTTP upgrade for JSON_WS_PATH. Refusals are HTTP 401 (auth) or 403 (origin, deactivated). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    authenticateHandshake(
      { token: url.searchParams.get("token") ?? undefined, cookieHeader: req.headers.cookie, origin: req.headers.origin, host: req.headers.host },
      this.deps.allowedOrigins,
    ).then(
      (user) => this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, user)),
      (error: unknown) => {
        const wire = toWireError(error, (unknown) => logger.error({ err: unknown }, "handshake failed"));
        logger.warn({ transport: "json-ws", code: wire.code, address: req.socket.remoteAddress }, "connection refused");
        const status = toHttpStatus(wire.code);
        const body = JSON.stringify({ type: "error", error: wire });
        socket.end(
          `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Error"}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      },
    );
  }

  private accept(ws: WebSocket, user: AuthUser): void {
    const conn: Connection = { ws, user, rooms: new Set(), isAlive: true };
    ws.on("pong", () => (conn.isAlive = true));
    ws.on("close", () => this.remove(conn));
    ws.on("error", (error) => logger.warn({ transport: "json-ws", userId: user.id, err: error.message }, "socket error"));
    this.add(conn, rooms.user(user.id));
    // Frames are accepted at once and handled after the room joins, so none is lost in between.
    const joined = (async () => {
      if (!isControlRole(user.role)) return;
      this.add(conn, rooms.control());
      for (const room of await getMonitoredRooms(user).catch(() => [])) this.add(conn, rooms.support(room));
    })();
    const ctx: OperationContext = { transport: "json-ws", user, broadcaster: this.deps.broadcaster, typing: this.deps.typing, viewing: this.deps.viewing, presence: this.deps.presence };
    ws.on("message", (raw, isBinary) => void joined.then(() => this.onFrame(conn, ctx, raw, isBinary)));
    void joined.then(() => {
      logger.info({ transport: "json-ws", userId: user.id, role: user.role }, "connected");
      this.send(conn, { type: "connection_established", data: { user: toSnakeCase(user) } });
      void this.deps.presence.connected({ id: user.id, name: user.name, role: user.role });
    });
  }

  private async onFrame(conn: Connection, ctx: OperationContext, raw: RawData, isBinary: boolean): Promise<void> {
    let frame: unknown;
    try {
      if (isBinary) throw new AppError("VALIDATION", "Frames must be JSON text.");
      frame = JSON.parse(raw.toString());
    } catch (error) {
      const wire = error instanceof AppError ? toWireError(error) : { code: "VALIDATION" as const, message: "The frame is not valid JSON." };
      this.send(conn, { type: "error", request_type: null, request_id: null, error: wire });
      return;
    }
    const isObject = (v: unknown): v is Data => typeof v === "object" && v !== null && !Array.isArray(v);
    const requestType = isObject(frame) && typeof frame.type === "string" ? frame.type : null;
    const requestId = isObject(frame) && (typeof frame.request_id === "string" || typeof frame.request_id === "number") ? frame.request_id : null;
    const fail = (error: WireError) => this.send(conn, { type: "error", request_type: requestType, request_id: requestId, error });

    if (!isObject(frame) || requestType === null) return fail({ code: "VALIDATION", message: 'A frame is {"type": string, "data": object}.' });
    const seed = Object.prototype.hasOwnProperty.call(SEED_REQUEST_TYPES, requestType) ? SEED_REQUEST_TYPES[requestType] : undefined;
    if (!seed) return fail({ code: "UNKNOWN_EVENT", message: `Unknown type "${requestType.slice(0, 64)}".` });
    const data = frame.data === undefined ? {} : frame.data;
    if (!isObject(data)) return fail({ code: "VALIDATION", message: "data must be an object." });

    // Tracked by the gate until the reply is written, so that shutdown waits for it.
    const ran = await this.deps.gate.run(async () => {
      const ack = await dispatch(seed.event, ctx, seed.toInput(data), this.deps.limiter);
      if (ack.ok) this.send(conn, { type: "response", request_type: requestType, request_id: requestId, ok: true, data: toSnakeCase(ack.data) });
      else fail(ack.error);
    });
    if (!ran) fail(SHUTTING_DOWN.error);
  }

  deliver(delivery: Delivery): void {
    if (delivery.event === "session:ready") return;
    const excluded = new Set<Connection>();
    for (const room of delivery.except ?? []) for (const conn of this.byRoom.get(room) ?? []) excluded.add(conn);
    const targets = new Set<Connection>();
    for (const room of delivery.to) for (const conn of this.byRoom.get(room) ?? []) if (!excluded.has(conn)) targets.add(conn);
    if (targets.size === 0) return;
    // Encoded once for the whole audience: a string would be converted to UTF-8 again for each socket.
    const frame = Buffer.from(JSON.stringify({ type: SEED_PUSH_TYPES[delivery.event], data: toSnakeCase(delivery.payload) }));
    for (const conn of targets) this.write(conn, frame);
  }

  joinRoom(userId: string, room: string): void {
    for (const conn of [...(this.byRoom.get(rooms.user(userId)) ?? [])]) this.add(conn, room);
  }

  leaveRoom(userId: string, room: string): void {
    for (const conn of [...(this.byRoom.get(rooms.user(userId)) ?? [])]) {
      conn.rooms.delete(room);
      this.byRoom.get(room)?.delete(conn);
    }
  }

  /** One entry per open connection on this node (presence counts connections). */
  connectedUsers(): { id: string; name: string; role: AuthUser["role"] }[] {
    return [...(this.allConnections())].map((conn) => ({ id: conn.user.id, name: conn.user.name, role: conn.user.role }));
  }

  private allConnections(): Set<Connection> {
    const all = new Set<Connection>();
    for (const members of this.byRoom.values()) for (const conn of members) all.add(conn);
    return all;
  }

  /** Closes a user's connections with code 4401 (session ended). */
  disconnectUser(userId: string, reason: string): void {
    for (const conn of [...(this.byRoom.get(rooms.user(userId)) ?? [])]) conn.ws.close(4401, reason.slice(0, 100));
  }

  /** Closes every connection with 1012 (service restart; clients reconnect and catch up), each when `schedule` says. */
  resyncAll(reason: string, schedule: (close: () => void) => void): void {
    for (const ws of this.wss.clients) schedule(() => ws.close(1012, reason.slice(0, 100)));
  }

  /** Closes every connection with 1001 (going away), for shutdown. */
  closeAll(reason: string): void {
    clearInterval(this.heartbeat);
    for (const conn of this.wss.clients) conn.close(1001, reason);
    this.wss.close();
  }

  private add(conn: Connection, room: string): void {
    conn.rooms.add(room);
    let members = this.byRoom.get(room);
    if (!members) this.byRoom.set(room, (members = new Set()));
    members.add(conn);
  }

  private remove(conn: Connection): void {
    for (const room of conn.rooms) {
      const members = this.byRoom.get(room);
      members?.delete(conn);
      if (members?.size === 0) this.byRoom.delete(room);
    }
    conn.rooms.clear();
    const { id, name, role } = conn.user;
    void this.deps.presence.isOnline(id).then((stillOnline) => {
      if (stillOnline) return;
      this.deps.typing.clearUser(id);
      this.deps.viewing.clearUser(id);
      void this.deps.presence.disconnected({ id, name, role });
    });
    logger.info({ transport: "json-ws", userId: conn.user.id }, "disconnected");
  }

  private send(conn: Connection, frame: unknown): void {
    this.write(conn, JSON.stringify(frame));
  }

  /** One text frame to an open connection, coalesced with the rest of this turn's writes to it. */
  private write(conn: Connection, data: string | Buffer): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    coalesceWrites(tcpSocketOf(conn.ws));
    conn.ws.send(data, { binary: false });
  }

  private checkAlive(): void {
    for (const conn of this.allConnections()) {
      if (!conn.isAlive) {
        conn.ws.terminate();
        continue;
      }
      conn.isAlive = false;
      conn.ws.ping();
    }
  }
}
