import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { WebSocket } from "ws";
import * as hdr from "hdr-histogram-js";
import type { BenchSocket } from "./contract";
import { mapLimit, sleep, waitUntil } from "./util";

// The load generator: authenticated socket.io-client connections (one per driver, K control staff),
// an open-loop sender and HDR histograms. Open loop: message k of a step is *due* at t0 + k/rate and
// its latency is measured from that due time, not from when the event loop got round to emitting it,
// so a stalled generator or server shows up as latency instead of silently sending less
// (coordinated omission). Message k is sent by driver k mod D, so each driver sends rate/D per second.

export interface ClientSpec {
  /** Socket.IO `auth`: `{ token }` for the product, `{ role, userId, conversationId }` for the baseline. */
  auth: Record<string, unknown>;
}

export interface DriverSpec extends ClientSpec {
  /** The driver's own support conversation (opened while the database was prepared). */
  conversationId: string;
}

/** Socket.IO (`message:send` with an ack) or the seed's JSON WebSocket (`send_chat_message` + `request_id`). */
export type BenchTransport = "socket.io" | "json-ws";
export const BENCH_TRANSPORTS: readonly BenchTransport[] = ["socket.io", "json-ws"];

export interface Topology {
  url: string;
  transport: BenchTransport;
  drivers: DriverSpec[];
  controls: ClientSpec[];
}

/** What the harness needs of a delivered message, on either transport. */
export interface Delivered {
  clientId: string;
  conversationId: string;
  sequence: number;
}

type SendReply = { ok: true } | { ok: false; error: { code: string } };

/** One benchmark connection, whatever its transport. */
export interface BenchClient {
  send(input: { conversationId: string; body: string; clientId: string }, onReply: (reply: SendReply) => void): void;
  onMessage(listener: (message: Delivered) => void): void;
  onDisconnect(listener: () => void): void;
  close(): void;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface StepLoad {
  label: string;
  targetRate: number;
  /** Wall time from the first due send to the end of the drain. */
  elapsedMs: number;
  sendWindowMs: number;
  sent: number;
  acked: number;
  ackErrors: Record<string, number>;
  unacked: number;
  expectedDeliveries: number;
  deliveries: number;
  /** Messages that reached all K+1 receivers. */
  fullyDelivered: number;
  duplicates: number;
  outOfOrder: number;
  /** A message:new for a benchmark message at a socket that should not hear it. */
  misrouted: number;
  ack: LatencySummary;
  deliver: LatencySummary;
  /** Largest lag of a send behind its due time (the generator's own backlog). */
  maxSendLagMs: number;
  generator: { eldP99Ms: number; eldMaxMs: number; cpuMs: number };
}

interface StepState {
  sent: number;
  acked: number;
  ackErrors: Record<string, number>;
  deliveries: number;
  fullyDelivered: number;
  duplicates: number;
  outOfOrder: number;
  misrouted: number;
  /** Messages still waiting for their ack or a delivery (errors count as settled). */
  open: number;
  maxSendLagMs: number;
  ackHistogram: hdr.Histogram;
  deliverHistogram: hdr.Histogram;
}

interface InFlight {
  step: StepState;
  driver: number;
  due: number;
  acked: boolean;
  failed: boolean;
  /** Slot 0: the driver's own socket; slot 1 + j: control socket j. */
  seen: Uint8Array;
  remaining: number;
  /** Acked and delivered everywhere (or failed). Kept until its step closes, to catch duplicates. */
  settled: boolean;
}

const CONNECT_TIMEOUT_MS = 30_000;

function histogram(): hdr.Histogram {
  // Microseconds, 1 µs .. 120 s at 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us / 10) / 100;
  if (h.totalCount === 0) return { count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    count: h.totalCount,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
  };
}

function connectSocketIo(url: string, auth: Record<string, unknown>): Promise<BenchClient> {
  const socket: BenchSocket = io(url, { transports: ["websocket"], auth, reconnection: false, forceNew: true, timeout: CONNECT_TIMEOUT_MS });
  const client: BenchClient = {
    send: (input, onReply) => socket.emit("message:send", input, (reply) => onReply(reply.ok ? { ok: true } : { ok: false, error: { code: reply.error.code } })),
    onMessage: (listener) => socket.on("message:new", (message) => listener(message)),
    onDisconnect: (listener) => socket.on("disconnect", () => listener()),
    close: () => {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error("no session:ready in time"));
    }, CONNECT_TIMEOUT_MS);
    socket.once("session:ready", () => {
      clearTimeout(timer);
      resolve(client);
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(error);
    });
  });
}

interface JsonFrame {
  type?: string;
  request_id?: number;
  ok?: boolean;
  error?: { code?: string };
  data?: { client_id?: string; conversation_id?: string; sequence?: number };
}

/** The seed's protocol: `?token=` (product) or the baseline's `?role=&userId=&conversationId=`. */
function connectJsonWs(url: string, auth: Record<string, unknown>): Promise<BenchClient> {
  const query = new URLSearchParams(Object.entries(auth).map(([key, value]) => [key, String(value)]));
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/websocket/connect?${query}`);
  const pending = new Map<number, (reply: SendReply) => void>();
  const messageListeners: ((message: Delivered) => void)[] = [];
  let nextRequest = 1;
  const client: BenchClient = {
    send: (input, onReply) => {
      const requestId = nextRequest++;
      pending.set(requestId, onReply);
      ws.send(JSON.stringify({ type: "send_chat_message", request_id: requestId, data: { conversation_id: input.conversationId, content: input.body, client_id: input.clientId } }));
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onDisconnect: (listener) => void ws.on("close", () => listener()),
    close: () => {
      ws.removeAllListeners();
      ws.on("error", () => undefined);
      ws.close();
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no connection_established in time"));
    }, CONNECT_TIMEOUT_MS);
    ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as JsonFrame;
      if (frame.type === "new_message" && frame.data) {
        const message = { clientId: String(frame.data.client_id), conversationId: String(frame.data.conversation_id), sequence: Number(frame.data.sequence) };
        for (const listener of messageListeners) listener(message);
      } else if ((frame.type === "response" || frame.type === "error") && typeof frame.request_id === "number") {
        const reply = pending.get(frame.request_id);
        pending.delete(frame.request_id);
        reply?.(frame.ok ? { ok: true } : { ok: false, error: { code: frame.error?.code ?? "UNKNOWN" } });
      } else if (frame.type === "connection_established") {
        clearTimeout(timer);
        resolve(client);
      }
    });
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.once("unexpected-response", (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`handshake refused: HTTP ${res.statusCode}`));
    });
  });
}

function connectOne(url: string, auth: Record<string, unknown>, transport: BenchTransport): Promise<BenchClient> {
  return transport === "json-ws" ? connectJsonWs(url, auth) : connectSocketIo(url, auth);
}

/** Opens one socket per `auths` entry, `concurrency` handshakes at a time; sockets keep the input order. */
export async function connectMany(url: string, auths: readonly Record<string, unknown>[], concurrency = 20, transport: BenchTransport = "socket.io"): Promise<BenchClient[]> {
  const opened: BenchClient[] = [];
  try {
    return await mapLimit(auths, concurrency, async (auth) => {
      const client = await connectOne(url, auth, transport);
      opened.push(client);
      return client;
    });
  } catch (error) {
    for (const client of opened) client.close();
    throw error;
  }
}

export class LoadHarness {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly driverLastSequence: Int32Array;
  private readonly controlLastSequence: Map<string, number>[];
  private readonly eventLoop = monitorEventLoopDelay({ resolution: 10 });
  private nextMessage = 0;
  /** Acks and deliveries of benchmark messages that arrived after their step was closed. */
  lateAcks = 0;
  lateDeliveries = 0;
  /** Client ids of every message acked ok (in or after its step), to check against the database. */
  readonly ackedClientIds = new Set<string>();
  disconnects = 0;

  private constructor(
    private readonly drivers: BenchClient[],
    private readonly controls: BenchClient[],
    private readonly conversations: string[],
    private readonly runId: string,
  ) {
    this.driverLastSequence = new Int32Array(drivers.length);
    this.controlLastSequence = controls.map(() => new Map());
    drivers.forEach((client, index) => {
      client.onMessage((message) => this.onDelivery(message, 0, index));
      client.onDisconnect(() => this.disconnects++);
    });
    controls.forEach((client, index) => {
      client.onMessage((message) => this.onDelivery(message, 1 + index, -1));
      client.onDisconnect(() => this.disconnects++);
    });
    this.eventLoop.enable();
  }

  get receiversPerMessage(): number {
    return 1 + this.controls.length;
  }

  get socketCount(): number {
    return this.drivers.length + this.controls.length;
  }

  /** Connects control staff first (so they are in the control room before any message), then the drivers. */
  static async connect(topology: Topology, runId: string): Promise<LoadHarness> {
    if (topology.drivers.some((driver) => !driver.conversationId)) throw new Error("every driver needs a conversation");
    const controls = await connectMany(topology.url, topology.controls.map((c) => c.auth), 20, topology.transport);
    try {
      const drivers = await connectMany(topology.url, topology.drivers.map((d) => d.auth), 20, topology.transport);
      return new LoadHarness(drivers, controls, topology.drivers.map((d) => d.conversationId), runId);
    } catch (error) {
      for (const client of controls) client.close();
      throw error;
    }
  }

  private onDelivery(message: Delivered, slot: number, driverIndex: number): void {
    const flight = this.inFlight.get(message.clientId);
    if (!flight) {
      if (message.clientId.startsWith(`${this.runId}-m`)) this.lateDeliveries++;
      return;
    }
    const step = flight.step;
    if (slot === 0 && flight.driver !== driverIndex) {
      step.misrouted++;
      return;
    }
    if (flight.seen[slot] === 1) {
      step.duplicates++;
      return;
    }
    flight.seen[slot] = 1;
    const latencyUs = Math.max(1, Math.round((performance.now() - flight.due) * 1000));
    step.deliverHistogram.recordValue(latencyUs);
    step.deliveries++;

    // Order per receiver and conversation: sequences must only grow.
    if (slot === 0) {
      if (message.sequence < (this.driverLastSequence[driverIndex] ?? 0)) step.outOfOrder++;
      else this.driverLastSequence[driverIndex] = message.sequence;
    } else {
      const last = this.controlLastSequence[slot - 1] as Map<string, number>;
      if (message.sequence < (last.get(message.conversationId) ?? 0)) step.outOfOrder++;
      else last.set(message.conversationId, message.sequence);
    }

    flight.remaining--;
    if (flight.remaining === 0) {
      step.fullyDelivered++;
      this.settle(flight);
    }
  }

  private settle(flight: InFlight): void {
    if (flight.settled) return;
    if (!flight.failed && (!flight.acked || flight.remaining > 0)) return;
    flight.settled = true;
    flight.step.open--;
  }

  private send(step: StepState, index: number, due: number): void {
    const driver = index % this.drivers.length;
    const client = this.drivers[driver] as BenchClient;
    const conversationId = this.conversations[driver] as string;
    const clientId = `${this.runId}-m${this.nextMessage++}`;
    const flight: InFlight = { step, driver, due, acked: false, failed: false, seen: new Uint8Array(this.receiversPerMessage), remaining: this.receiversPerMessage, settled: false };
    this.inFlight.set(clientId, flight);
    step.sent++;
    step.open++;
    const lag = performance.now() - due;
    if (lag > step.maxSendLagMs) step.maxSendLagMs = lag;
    const body = `Bus ${driver + 1}: running ${index % 15} min late at stop ${index % 97}, passengers waiting.`;
    client.send({ conversationId, body, clientId }, (reply) => {
      if (reply.ok) this.ackedClientIds.add(clientId);
      if (this.inFlight.get(clientId) !== flight) {
        if (reply.ok) this.lateAcks++;
        return;
      }
      const latencyUs = Math.max(1, Math.round((performance.now() - due) * 1000));
      if (reply.ok) {
        flight.acked = true;
        step.acked++;
        step.ackHistogram.recordValue(latencyUs);
      } else {
        flight.failed = true;
        step.ackErrors[reply.error.code] = (step.ackErrors[reply.error.code] ?? 0) + 1;
      }
      this.settle(flight);
    });
  }

  /**
   * One step of offered load: `rate` messages/s for `durationMs`, then up to `drainMs` for the
   * outstanding acks and deliveries. Anything still outstanding after that is counted as not
   * delivered and later arrivals as `late`.
   */
  async runStep(label: string, rate: number, durationMs: number, drainMs: number): Promise<StepLoad> {
    const step: StepState = {
      sent: 0,
      acked: 0,
      ackErrors: {},
      deliveries: 0,
      fullyDelivered: 0,
      duplicates: 0,
      outOfOrder: 0,
      misrouted: 0,
      open: 0,
      maxSendLagMs: 0,
      ackHistogram: histogram(),
      deliverHistogram: histogram(),
    };
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    const intervalMs = 1000 / rate;
    this.eventLoop.reset();
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now() + 5;
    let index = 0;
    while (index < total) {
      const now = performance.now();
      while (index < total && t0 + index * intervalMs <= now) {
        this.send(step, index, t0 + index * intervalMs);
        index++;
      }
      if (index < total) await sleep(Math.max(0, t0 + index * intervalMs - performance.now()));
    }
    const sendWindowMs = performance.now() - t0;
    await waitUntil(() => step.open === 0, drainMs, 10);
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpuBefore);

    // Close the step: whatever is still open is not delivered within the step.
    let unacked = 0;
    for (const [clientId, flight] of this.inFlight) {
      if (flight.step !== step) continue;
      if (!flight.acked && !flight.failed) unacked++;
      this.inFlight.delete(clientId);
    }
    // Duplicates of this step's messages that arrive later count as late deliveries.
    const eldP99Ms = this.eventLoop.count > 0 ? this.eventLoop.percentile(99) / 1e6 : 0;
    const eldMaxMs = this.eventLoop.count > 0 ? this.eventLoop.max / 1e6 : 0;
    const result: StepLoad = {
      label,
      targetRate: rate,
      elapsedMs,
      sendWindowMs,
      sent: step.sent,
      acked: step.acked,
      ackErrors: step.ackErrors,
      unacked,
      expectedDeliveries: step.sent * this.receiversPerMessage,
      deliveries: step.deliveries,
      fullyDelivered: step.fullyDelivered,
      duplicates: step.duplicates,
      outOfOrder: step.outOfOrder,
      misrouted: step.misrouted,
      ack: summarize(step.ackHistogram),
      deliver: summarize(step.deliverHistogram),
      maxSendLagMs: Math.round(step.maxSendLagMs * 100) / 100,
      generator: { eldP99Ms: Math.round(eldP99Ms * 100) / 100, eldMaxMs: Math.round(eldMaxMs * 100) / 100, cpuMs: Math.round((cpu.user + cpu.system) / 1000) },
    };
    step.ackHistogram.destroy();
    step.deliverHistogram.destroy();
    return result;
  }

  close(): void {
    for (const client of [...this.drivers, ...this.controls]) client.close();
    this.eventLoop.disable();
  }
}
