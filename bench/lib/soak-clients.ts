import { io } from "socket.io-client";
import WebSocket from "ws";
import type { BenchSocket } from "./contract";
import { sleep } from "./util";

// The soak's clients: one small interface over both transports (Socket.IO and the seed's JSON
// WebSocket) that sends `message:send` and reports every `message:new` push, and a wrapper that
// reconnects after an unexpected disconnect, as a real phone or desk would. Callbacks, not promises:
// the soak keeps thousands of sends in flight and tracks their timeouts itself.

export type Transport = "socket.io" | "ws";

/** The fields of a pushed message the soak checks (camelCase on both transports). */
export interface PushedMessage {
  clientId: string;
  conversationId: string;
  sequence: number;
}

export interface SendInput {
  conversationId: string;
  body: string;
  clientId: string;
}

/** How a send ended: an ok ack, an error reply (its code), or the connection closing before any reply. */
export type SendReply = { kind: "ok" } | { kind: "error"; code: string } | { kind: "disconnected" };

interface Connection {
  isOpen(): boolean;
  /** `done` is called exactly once. */
  send(input: SendInput, done: (reply: SendReply) => void): void;
  close(): void;
}

interface ConnectionHandlers {
  onMessage(message: PushedMessage): void;
  /** Called once when an open connection closes (also after `close()`). */
  onClose(reason: string): void;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A pushed message view, from Socket.IO (camelCase) or the JSON WebSocket (snake_case); null if malformed. */
function toPushedMessage(raw: unknown): PushedMessage | null {
  if (!isRecord(raw)) return null;
  const clientId = raw.clientId ?? raw.client_id;
  const conversationId = raw.conversationId ?? raw.conversation_id;
  const sequence = raw.sequence;
  if (typeof clientId !== "string" || typeof conversationId !== "string" || typeof sequence !== "number") return null;
  return { clientId, conversationId, sequence };
}

function connectSocketIo(url: string, token: string, timeoutMs: number, handlers: ConnectionHandlers): Promise<Connection> {
  const socket: BenchSocket = io(url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true, timeout: timeoutMs });
  // Socket.IO drops plain ack callbacks on disconnect without calling them: fail them here instead.
  const pending = new Set<(reply: SendReply) => void>();
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`Socket.IO: no session:ready within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.disconnect();
      reject(error);
    }
    socket.on("message:new", (raw) => {
      const message = toPushedMessage(raw);
      if (message) handlers.onMessage(message);
    });
    socket.once("connect_error", (error) => fail(new Error(`Socket.IO connect_error: ${error.message}`)));
    socket.on("disconnect", (reason) => {
      if (!ready) return fail(new Error(`Socket.IO disconnected before session:ready (${reason})`));
      for (const done of pending) done({ kind: "disconnected" });
      pending.clear();
      handlers.onClose(reason);
    });
    socket.once("session:ready", () => {
      ready = true;
      clearTimeout(timer);
      resolve({
        isOpen: () => socket.connected,
        send(input, done) {
          if (!socket.connected) return done({ kind: "disconnected" });
          pending.add(done);
          socket.emit("message:send", input, (reply) => {
            if (!pending.delete(done)) return;
            done(reply.ok ? { kind: "ok" } : { kind: "error", code: reply.error.code });
          });
        },
        close: () => void socket.disconnect(),
      });
    });
  });
}

function connectJsonWs(url: string, token: string, timeoutMs: number, handlers: ConnectionHandlers): Promise<Connection> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/websocket/connect?token=${encodeURIComponent(token)}`);
  const pending = new Map<string, (reply: SendReply) => void>();
  let nextRequest = 1;
  return new Promise((resolve, reject) => {
    let established = false;
    const timer = setTimeout(() => fail(new Error(`JSON WebSocket: no connection_established within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on("error", () => undefined);
      ws.terminate();
      reject(error);
    }
    ws.on("error", (error) => {
      if (!established) fail(new Error(`JSON WebSocket error: ${error.message}`));
    });
    ws.on("unexpected-response", (_request, response) => fail(new Error(`JSON WebSocket upgrade refused with HTTP ${response.statusCode ?? "?"}`)));
    ws.on("close", (code, reason) => {
      if (!established) return fail(new Error(`JSON WebSocket closed before connection_established (${code})`));
      for (const done of pending.values()) done({ kind: "disconnected" });
      pending.clear();
      handlers.onClose(`close ${code}${reason.length > 0 ? ` ${reason.toString()}` : ""}`);
    });
    ws.on("message", (raw: WebSocket.RawData) => {
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (!isRecord(frame)) return;
      if (frame.type === "new_message") {
        const message = toPushedMessage(frame.data);
        if (message) handlers.onMessage(message);
      } else if ((frame.type === "response" || frame.type === "error") && typeof frame.request_id === "string") {
        const done = pending.get(frame.request_id);
        if (!done) return;
        pending.delete(frame.request_id);
        const code = isRecord(frame.error) && typeof frame.error.code === "string" ? frame.error.code : "MALFORMED_REPLY";
        done(frame.type === "response" && frame.ok === true ? { kind: "ok" } : { kind: "error", code });
      } else if (frame.type === "connection_established" && !established) {
        established = true;
        clearTimeout(timer);
        resolve({
          isOpen: () => ws.readyState === WebSocket.OPEN,
          send(input, done) {
            if (ws.readyState !== WebSocket.OPEN) return done({ kind: "disconnected" });
            const requestId = `s${nextRequest++}`;
            pending.set(requestId, done);
            const data = { conversation_id: input.conversationId, content: input.body, client_id: input.clientId };
            ws.send(JSON.stringify({ type: "send_chat_message", data, request_id: requestId }));
          },
          close: () => ws.close(),
        });
      }
    });
  });
}

export interface SoakClientOptions {
  url: string;
  token: string;
  transport: Transport;
  connectTimeoutMs: number;
  onMessage(message: PushedMessage): void;
  /** An open connection closed without `close()` being called; the client reconnects by itself. */
  onDisconnect(reason: string): void;
  /** A reconnect attempt failed (it is tried again after a pause). */
  onReconnectFailure(error: Error): void;
}

const RECONNECT_PAUSE_MS = 1000;

/** One user device: a connection on one transport that comes back after an unexpected disconnect. */
export class SoakClient {
  private connection: Connection | null = null;
  private isClosed = false;

  private constructor(private readonly options: SoakClientOptions) {}

  static async connect(options: SoakClientOptions): Promise<SoakClient> {
    const client = new SoakClient(options);
    client.connection = await client.open();
    return client;
  }

  get transport(): Transport {
    return this.options.transport;
  }

  isOpen(): boolean {
    return this.connection?.isOpen() ?? false;
  }

  send(input: SendInput, done: (reply: SendReply) => void): void {
    if (!this.connection) return done({ kind: "disconnected" });
    this.connection.send(input, done);
  }

  close(): void {
    this.isClosed = true;
    this.connection?.close();
    this.connection = null;
  }

  private open(): Promise<Connection> {
    const { url, token, transport, connectTimeoutMs, onMessage } = this.options;
    const handlers: ConnectionHandlers = { onMessage, onClose: (reason) => this.onClose(reason) };
    return transport === "socket.io" ? connectSocketIo(url, token, connectTimeoutMs, handlers) : connectJsonWs(url, token, connectTimeoutMs, handlers);
  }

  private onClose(reason: string): void {
    if (this.isClosed) return;
    this.connection = null;
    this.options.onDisconnect(reason);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    while (!this.isClosed) {
      await sleep(RECONNECT_PAUSE_MS);
      if (this.isClosed) return;
      try {
        const connection = await this.open();
        if (this.isClosed) return connection.close();
        this.connection = connection;
        return;
      } catch (error) {
        this.options.onReconnectFailure(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
