import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import type { Ack } from "../../lib/errors";
import type { AckData, ClientEventName, ClientToServerEvents, ServerEventName, ServerToClientEvents } from "../../lib/realtime/events";

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io-client over WebSocket, resolved once the server says the session is ready. */
export async function connectSocketIo(
  url: string,
  options: { token?: string; cookie?: string; origin?: string } = {},
): Promise<ChatSocket> {
  const extraHeaders: Record<string, string> = {};
  if (options.cookie) extraHeaders.cookie = options.cookie;
  if (options.origin) extraHeaders.origin = options.origin;
  const socket: ChatSocket = io(url, {
    transports: ["websocket"],
    auth: options.token ? { token: options.token } : {},
    extraHeaders,
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("session:ready", () => resolve());
    socket.once("connect_error", (error) => reject(error));
  });
  return socket;
}

/** The typed connect_error data of a refused handshake. */
export async function expectRefusal(url: string, options: { token?: string; cookie?: string; origin?: string }): Promise<{ code: string; message: string }> {
  try {
    const socket = await connectSocketIo(url, options);
    socket.disconnect();
  } catch (error) {
    return (error as Error & { data: { code: string; message: string } }).data;
  }
  throw new Error("the handshake was accepted");
}

export function emitAck<E extends ClientEventName>(socket: ChatSocket, event: E, input: unknown, timeoutMs = 10_000): Promise<Ack<AckData<E>>> {
  return (socket.timeout(timeoutMs) as unknown as { emitWithAck: (event: string, input: unknown) => Promise<Ack<AckData<E>>> }).emitWithAck(event, input);
}

/** Emits and asserts success, returning the ack's data. */
export async function call<E extends ClientEventName>(socket: ChatSocket, event: E, input: unknown): Promise<AckData<E>> {
  const ack = await emitAck(socket, event, input);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** Collects every event of a kind a socket receives, for later assertions. */
export function record<E extends ServerEventName>(socket: ChatSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  (socket.on as (event: string, listener: (payload: unknown) => void) => void)(event, (payload) => seen.push(payload as Parameters<ServerToClientEvents[E]>[0]));
  return seen;
}

export function nextEvent<E extends ServerEventName>(socket: ChatSocket, event: E, timeoutMs = 5000): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    (socket.once as (event: string, listener: (payload: unknown) => void) => void)(event, (payload) => {
      clearTimeout(timer);
      resolve(payload as Parameters<ServerToClientEvents[E]>[0]);
    });
  });
}

/** Waits until `predicate` holds, polling; fails with `what` after the timeout. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface JsonFrame {
  type: string;
  data?: Record<string, unknown> & { [key: string]: unknown };
  request_type?: string | null;
  request_id?: string | number | null;
  ok?: boolean;
  error?: { code: string; message: string };
}

/** A plain `ws` client speaking the seed's JSON protocol. */
export class JsonWsClient {
  readonly frames: JsonFrame[] = [];
  private nextId = 1;
  private waiters: { match: (frame: JsonFrame) => boolean; resolve: (frame: JsonFrame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as JsonFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static async connect(baseUrl: string, token: string, headers: Record<string, string> = {}): Promise<JsonWsClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/websocket/connect?token=${encodeURIComponent(token)}`, { headers });
    const client = new JsonWsClient(ws);
    await client.waitFor((f) => f.type === "connection_established");
    return client;
  }

  waitFor(match: (frame: JsonFrame) => boolean, timeoutMs = 5000): Promise<JsonFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching frame in time")), timeoutMs);
      this.waiters.push({ match, resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
    });
  }

  /** Sends `{type, data, request_id}` and resolves with the reply that echoes the id. */
  request(type: string, data: unknown): Promise<JsonFrame> {
    const requestId = `r${this.nextId++}`;
    this.ws.send(JSON.stringify({ type, data, request_id: requestId }));
    return this.waitFor((f) => f.request_id === requestId && (f.type === "response" || f.type === "error"));
  }

  /** Sends a raw text frame and resolves with the next error or response frame after it. */
  sendRaw(text: string): Promise<JsonFrame> {
    const before = this.frames.length;
    this.ws.send(text);
    return this.waitFor((f) => this.frames.indexOf(f) >= before && (f.type === "response" || f.type === "error"));
  }

  close(): void {
    this.ws.close();
  }
}
