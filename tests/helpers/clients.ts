import assert from "node:assert/strict";
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

/** Settles as `promise` does, or rejects with "timed out waiting for `what`" after the timeout. */
export function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error instanceof Error ? error : new Error(String(error)))),
    );
  });
}

/** Resolves with the reason the socket gives when it next disconnects. */
export function disconnected(socket: ChatSocket): Promise<string> {
  return new Promise((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
}

/**
 * A `pace(key)` that waits until `gapMs` have passed since the last event of `key`. At one event per
 * 110 ms per user every rate-limit bucket (10/s refill) stays full, so nothing is RATE_LIMITED by accident.
 */
export function createPacer(gapMs: number): (key: string) => Promise<void> {
  const lastEventAt = new Map<string, number>();
  return async (key) => {
    const wait = (lastEventAt.get(key) ?? 0) + gapMs - Date.now();
    if (wait > 0) await sleep(wait);
    lastEventAt.set(key, Date.now());
  };
}

/** Like `call`, but a RATE_LIMITED answer is retried (same input) after the advertised wait, as a client would. */
export async function callPaced<E extends ClientEventName>(socket: ChatSocket, event: E, input: unknown): Promise<AckData<E>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ack: Ack<AckData<E>> = await emitAck(socket, event, input);
    if (ack.ok) return ack.data;
    if (ack.error.code !== "RATE_LIMITED") throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
    const wait = ack.error.details?.retryAfterMs;
    assert.equal(typeof wait, "number", "RATE_LIMITED carries details.retryAfterMs");
    await sleep(wait as number);
  }
  throw new Error(`${event} stayed rate limited`);
}

/** POST /api/auth/token with a user's credentials, raw: the caller reads the status and the body. */
export function requestToken(baseUrl: string, credentials: { email: string; password: string }): Promise<Response> {
  return fetch(`${baseUrl}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: credentials.email, password: credentials.password }),
  });
}

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

/** The JSON WebSocket's request, retried after RATE_LIMITED like callPaced. */
export async function requestPaced(client: JsonWsClient, type: string, data: unknown): Promise<JsonFrame> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const frame = await client.request(type, data);
    if (frame.type === "response") return frame;
    if (frame.error?.code !== "RATE_LIMITED") throw new Error(`${type} failed: ${frame.error?.code} ${frame.error?.message}`);
    const details = (frame.error as { details?: { retryAfterMs?: unknown } }).details;
    assert.equal(typeof details?.retryAfterMs, "number", "RATE_LIMITED carries details.retry_after_ms");
    await sleep(details?.retryAfterMs as number);
  }
  throw new Error(`${type} stayed rate limited`);
}
