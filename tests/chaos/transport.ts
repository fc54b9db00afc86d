import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";

// One client connection on either transport, behind one small interface: requests with a timeout,
// pushed messages, and a way to have the network drop under the client. Socket.IO payloads are
// camelCase; JSON WebSocket frames are snake_case and are converted here, so the chaos clients only
// ever see the Socket.IO shapes.

export type TransportKind = "socket.io" | "ws";

/** The fields of a MessageView the chaos checks use. */
export interface ChatMessage {
  id: string;
  conversationId: string;
  sequence: number;
  previousPublicSequence: number;
  clientId: string;
  kind: string;
  body: string;
  senderId: string;
}

export interface WireError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type Reply = { ok: true; data: Record<string, unknown> } | { ok: false; error: WireError };

/** The connection closed (or was never open) before the reply came. */
export class ConnectionLost extends Error {
  override name = "ConnectionLost";
}

/** No reply within the request timeout, on a connection that still looks open. */
export class RequestTimeout extends Error {
  override name = "RequestTimeout";
}

export type RequestName = "message:send" | "message:list" | "conversation:list" | "conversation:create";

export interface Connection {
  readonly kind: TransportKind;
  readonly url: string;
  isOpen(): boolean;
  request(name: RequestName, input: Record<string, unknown>, timeoutMs: number): Promise<Reply>;
  /** The network drops under the client: Socket.IO `engine.close()`, `ws` `terminate()`. */
  drop(): void;
  close(): void;
  /** Resolves once the connection is closed, for whatever reason. */
  readonly closed: Promise<void>;
}

export interface ConnectOptions {
  url: string;
  token: string;
  timeoutMs: number;
  /** Socket.IO only: start on HTTP long-polling and upgrade, as browsers do (else WebSocket only). */
  polling?: boolean;
  onMessage(message: ChatMessage): void;
  onConversation(conversationId: string): void;
  /** A push the client could not understand (a malformed frame or view): a protocol violation. */
  onProtocolError(error: Error): void;
}

function guarded(options: ConnectOptions, handle: () => void): void {
  try {
    handle();
  } catch (error) {
    options.onProtocolError(error instanceof Error ? error : new Error(String(error)));
  }
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Deep copy with camelCase keys (JSON WebSocket → Socket.IO shapes). */
export function toCamelCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCamelCase);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), toCamelCase(v)]));
  return value;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A MessageView (camelCase) as the checks need it; throws on a malformed one, which is itself a finding. */
export function toChatMessage(raw: unknown): ChatMessage {
  if (!isRecord(raw) || !isRecord(raw.sender)) throw new Error(`malformed message view: ${JSON.stringify(raw)?.slice(0, 200)}`);
  const { id, conversationId, sequence, previousPublicSequence, clientId, kind, body } = raw;
  const senderId = raw.sender.id;
  if (
    typeof id !== "string" ||
    typeof conversationId !== "string" ||
    typeof sequence !== "number" ||
    typeof previousPublicSequence !== "number" ||
    typeof clientId !== "string" ||
    typeof kind !== "string" ||
    typeof body !== "string" ||
    typeof senderId !== "string"
  ) {
    throw new Error(`malformed message view: ${JSON.stringify(raw).slice(0, 200)}`);
  }
  return { id, conversationId, sequence, previousPublicSequence, clientId, kind, body, senderId };
}

function toReply(raw: unknown): Reply {
  if (isRecord(raw) && raw.ok === true && isRecord(raw.data)) return { ok: true, data: raw.data };
  if (isRecord(raw) && raw.ok === false && isRecord(raw.error) && typeof raw.error.code === "string") {
    return { ok: false, error: { code: raw.error.code, message: String(raw.error.message), details: isRecord(raw.error.details) ? raw.error.details : undefined } };
  }
  throw new Error(`malformed reply: ${JSON.stringify(raw)?.slice(0, 200)}`);
}

export function connect(kind: TransportKind, options: ConnectOptions): Promise<Connection> {
  return kind === "socket.io" ? connectSocketIo(options) : connectJsonWs(options);
}

async function connectSocketIo(options: ConnectOptions): Promise<Connection> {
  const socket: Socket = io(options.url, {
    auth: { token: options.token },
    reconnection: false,
    forceNew: true,
    transports: options.polling ? ["polling", "websocket"] : ["websocket"],
    timeout: options.timeoutMs,
  });
  socket.on("message:new", (payload: unknown) => guarded(options, () => options.onMessage(toChatMessage(payload))));
  socket.on("conversation:new", (payload: unknown) => {
    if (isRecord(payload) && typeof payload.id === "string") options.onConversation(payload.id);
  });
  const closed = new Promise<void>((resolve) => socket.once("disconnect", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new ConnectionLost(`no session:ready within ${options.timeoutMs} ms`)), options.timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      socket.disconnect();
      reject(error);
    }
    socket.once("session:ready", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (error: Error) => fail(new ConnectionLost(`connect_error: ${error.message}`)));
    socket.once("disconnect", (reason: string) => fail(new ConnectionLost(`disconnected before session:ready (${reason})`)));
  });

  return {
    kind: "socket.io",
    url: options.url,
    isOpen: () => socket.connected,
    request(name, input, timeoutMs) {
      if (!socket.connected) return Promise.reject(new ConnectionLost("not connected"));
      return new Promise<Reply>((resolve, reject) => {
        socket.timeout(timeoutMs).emit(name, input, (error: Error | null, reply: unknown) => {
          if (!error) {
            try {
              resolve(toReply(reply));
            } catch (malformed) {
              reject(malformed as Error);
            }
          } else if (!socket.connected || /disconnected/.test(error.message)) {
            reject(new ConnectionLost(`${name}: ${error.message}`));
          } else {
            reject(new RequestTimeout(`${name}: no ack within ${timeoutMs} ms`));
          }
        });
      });
    },
    drop: () => socket.io.engine?.close(),
    close: () => void socket.disconnect(),
    closed,
  };
}

const JSON_TYPES: Record<RequestName, string> = {
  "message:send": "send_chat_message",
  "message:list": "get_conversation_messages",
  "conversation:list": "get_active_conversations",
  "conversation:create": "create_support_conversation",
};

/** The Socket.IO input of the four requests as the seed protocol's `data`. */
function toJsonData(name: RequestName, input: Record<string, unknown>): Record<string, unknown> {
  switch (name) {
    case "message:send":
      return { conversation_id: input.conversationId, content: input.body, client_id: input.clientId, is_note: input.isNote };
    case "message:list":
      return { conversation_id: input.conversationId, after_sequence: input.afterSequence, limit: input.limit };
    case "conversation:list":
      return {};
    case "conversation:create":
      return { title: input.title, content: input.body, category: input.category, client_id: input.clientId };
  }
}

async function connectJsonWs(options: ConnectOptions): Promise<Connection> {
  const ws = new WebSocket(`${options.url.replace(/^http/, "ws")}/api/websocket/connect?token=${encodeURIComponent(options.token)}`);
  const pending = new Map<string, { resolve: (reply: Reply) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let isOpen = false;
  let established: (() => void) | undefined;
  let refused: ((error: Error) => void) | undefined;

  ws.on("error", (error) => refused?.(new ConnectionLost(`ws error: ${error.message}`)));
  ws.on("unexpected-response", (_request, response) => {
    refused?.(new ConnectionLost(`upgrade refused with HTTP ${response.statusCode ?? "?"}`));
    ws.terminate();
  });
  const closed = new Promise<void>((resolve) =>
    ws.on("close", () => {
      isOpen = false;
      refused?.(new ConnectionLost("closed before connection_established"));
      for (const [id, waiter] of pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new ConnectionLost(`request ${id}: connection closed`));
      }
      pending.clear();
      resolve();
    }),
  );
  ws.on("message", (raw: WebSocket.RawData) => guarded(options, () => onFrame(raw)));
  function onFrame(raw: WebSocket.RawData): void {
    const frame = JSON.parse(raw.toString()) as { type?: unknown; request_id?: unknown; data?: unknown; error?: unknown; ok?: unknown };
    if (frame.type === "connection_established") {
      isOpen = true;
      established?.();
      return;
    }
    if (frame.type === "new_message") {
      options.onMessage(toChatMessage(toCamelCase(frame.data)));
      return;
    }
    if (frame.type === "new_support_conversation") {
      if (isRecord(frame.data) && typeof frame.data.id === "string") options.onConversation(frame.data.id);
      return;
    }
    if ((frame.type === "response" || frame.type === "error") && typeof frame.request_id === "string") {
      const waiter = pending.get(frame.request_id);
      if (!waiter) return;
      pending.delete(frame.request_id);
      clearTimeout(waiter.timer);
      try {
        // `data` is snake_case; `error` keeps its camelCase details (docs §2).
        waiter.resolve(frame.type === "response" ? toReply({ ok: true, data: toCamelCase(frame.data) }) : toReply({ ok: false, error: frame.error }));
      } catch (malformed) {
        waiter.reject(malformed as Error);
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new ConnectionLost(`no connection_established within ${options.timeoutMs} ms`)), options.timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      established = refused = undefined;
      ws.terminate();
      reject(error);
    }
    established = () => {
      clearTimeout(timer);
      established = refused = undefined;
      resolve();
    };
    refused = fail;
  });

  return {
    kind: "ws",
    url: options.url,
    isOpen: () => isOpen && ws.readyState === WebSocket.OPEN,
    request(name, input, timeoutMs) {
      if (!isOpen || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ConnectionLost("not connected"));
      const requestId = `c${nextId++}`;
      return new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          reject(new RequestTimeout(`${name}: no reply within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(requestId, { resolve, reject, timer });
        ws.send(JSON.stringify({ type: JSON_TYPES[name], data: toJsonData(name, input), request_id: requestId }));
      });
    },
    drop: () => ws.terminate(),
    close: () => ws.terminate(),
    closed,
  };
}
