import WebSocket from "ws";

// Minimal clients for the fuzzer: the seed's JSON WebSocket (one request in flight, the reply is the
// next response or error frame) and a raw engine.io connection for Socket.IO frames below the client.

export interface WsReplyFrame {
  type: "response" | "error";
  request_type?: unknown;
  request_id?: unknown;
  ok?: unknown;
  data?: unknown;
  error?: unknown;
}

export type WsWait = { kind: "frame"; frame: WsReplyFrame } | { kind: "closed"; code: number } | { kind: "timeout" };

const toWs = (url: string) => url.replace(/^http/, "ws");

function timeoutPromise<T>(ms: number, value: T): { promise: Promise<T>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(value), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/** A JSON WebSocket connection. Server pushes are ignored; replies are handed to the one waiter. */
export class JsonWsConnection {
  private waiter: ((frame: WsReplyFrame) => void) | null = null;
  private closeCode: number | null = null;
  private readonly closed: Promise<number>;
  /** Frames that could not be parsed as JSON (the server must never send one). */
  readonly unparsable: string[] = [];

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on("close", (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on("error", () => undefined);
    ws.on("message", (raw, isBinary) => {
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        this.unparsable.push(`${isBinary ? "binary " : ""}${raw.toString().slice(0, 200)}`);
        return;
      }
      const type = (frame as { type?: unknown } | null)?.type;
      if ((type === "response" || type === "error") && this.waiter) {
        const waiter = this.waiter;
        this.waiter = null;
        waiter(frame as WsReplyFrame);
      }
    });
  }

  static async open(baseUrl: string, token: string, timeoutMs: number): Promise<JsonWsConnection> {
    const ws = new WebSocket(`${toWs(baseUrl)}/api/websocket/connect?token=${encodeURIComponent(token)}`);
    const connection = new JsonWsConnection(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("JSON WebSocket: no connection_established in time")), timeoutMs);
      const onMessage = (raw: WebSocket.RawData) => {
        if (raw.toString().includes('"type":"connection_established"')) {
          clearTimeout(timer);
          ws.off("message", onMessage);
          resolve();
        }
      };
      ws.on("message", onMessage);
      ws.once("close", (code) => {
        clearTimeout(timer);
        reject(new Error(`JSON WebSocket closed with ${code} before it was established`));
      });
    });
    return connection;
  }

  get isOpen(): boolean {
    return this.closeCode === null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one frame and waits for the reply, the close of the connection, or the timeout. */
  async exchange(data: string | Uint8Array, mode: "text" | "binary", timeoutMs: number): Promise<WsWait> {
    if (this.waiter) throw new Error("one request at a time");
    const reply = new Promise<WsWait>((resolve) => (this.waiter = (frame) => resolve({ kind: "frame", frame })));
    const timer = timeoutPromise<WsWait>(timeoutMs, { kind: "timeout" });
    this.ws.send(data, { binary: mode === "binary" });
    const result = await Promise.race([reply, this.closed.then((code): WsWait => ({ kind: "closed", code })), timer.promise]);
    timer.cancel();
    this.waiter = null;
    return result;
  }

  close(): void {
    this.ws.close();
  }
}

export type RawOutcome = { kind: "answered"; ack: unknown } | { kind: "closed"; code: number } | { kind: "timeout" };

/**
 * A Socket.IO connection spoken by hand (engine.io v4 over WebSocket): open, CONNECT with the token,
 * wait for session:ready. Then `probe` sends one frame followed by a real request and reports
 * whether the request was answered or the connection closed.
 */
export class RawSocketIo {
  private readonly acks = new Map<number, (ack: unknown) => void>();
  private closeCode: number | null = null;
  private readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on("close", (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on("error", () => undefined);
    ws.on("message", (raw, isBinary) => {
      if (isBinary) return;
      const text = raw.toString();
      if (text === "2") ws.send("3");
      const ack = /^43(\d+)(\[.*)$/s.exec(text);
      if (ack) {
        const id = Number(ack[1]);
        const resolve = this.acks.get(id);
        this.acks.delete(id);
        let args: unknown;
        try {
          args = JSON.parse(ack[2]!);
        } catch {
          args = undefined;
        }
        resolve?.(Array.isArray(args) ? args[0] : args);
      }
    });
  }

  static async open(baseUrl: string, token: string, timeoutMs: number): Promise<RawSocketIo> {
    const ws = new WebSocket(`${toWs(baseUrl)}/socket.io/?EIO=4&transport=websocket`);
    const client = new RawSocketIo(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("raw Socket.IO: no session:ready in time")), timeoutMs);
      const onMessage = (raw: WebSocket.RawData) => {
        const text = raw.toString();
        if (text.startsWith("0")) ws.send(`40${JSON.stringify({ token })}`);
        else if (text.startsWith("44")) reject(new Error(`raw Socket.IO: connect_error ${text.slice(0, 200)}`));
        else if (text.startsWith('42["session:ready"')) {
          clearTimeout(timer);
          ws.off("message", onMessage);
          resolve();
        }
      };
      ws.on("message", onMessage);
      ws.once("close", (code) => {
        clearTimeout(timer);
        reject(new Error(`raw Socket.IO closed with ${code} during the handshake`));
      });
    });
    return client;
  }

  /** Sends `frame` as a text frame, then `42<id>["conversation:list",{}]`; resolves with what happened to the latter. */
  async probe(frame: string | Uint8Array, timeoutMs: number): Promise<RawOutcome> {
    const id = 900_001;
    const answered = new Promise<RawOutcome>((resolve) => this.acks.set(id, (ack) => resolve({ kind: "answered", ack })));
    const timer = timeoutPromise<RawOutcome>(timeoutMs, { kind: "timeout" });
    this.ws.send(frame, { binary: false });
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`42${id}["conversation:list",{}]`);
    const result = await Promise.race([answered, this.closed.then((code): RawOutcome => ({ kind: "closed", code })), timer.promise]);
    timer.cancel();
    return result;
  }

  /** Sends a frame that carries ack id `id` and resolves with its answer, the close, or the timeout. */
  async request(frame: string, id: number, timeoutMs: number): Promise<RawOutcome> {
    const answered = new Promise<RawOutcome>((resolve) => this.acks.set(id, (ack) => resolve({ kind: "answered", ack })));
    const timer = timeoutPromise<RawOutcome>(timeoutMs, { kind: "timeout" });
    this.ws.send(frame);
    const result = await Promise.race([answered, this.closed.then((code): RawOutcome => ({ kind: "closed", code })), timer.promise]);
    timer.cancel();
    return result;
  }

  get isOpen(): boolean {
    return this.closeCode === null;
  }

  close(): void {
    this.ws.terminate();
  }
}
