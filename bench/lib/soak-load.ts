import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import * as hdr from "hdr-histogram-js";
import { SoakClient, type PushedMessage, type SendReply, type Transport } from "./soak-clients";
import { mapLimit, sleep } from "./util";

// The soak's load: drivers send, control staff receive, on a mix of both transports, open loop at a
// fixed rate for as long as asked. Message k is *due* at t0 + k/rate and sent by driver k mod D;
// latencies run from the due time, so a stalled generator or server shows up as latency rather than
// as fewer sends. Figures are collected per report interval (by when they were observed) and for the
// whole run; every acked message must reach every control staff connection and the driver's own.

export interface SoakParticipant {
  token: string;
  transport: Transport;
}

export interface SoakDriver extends SoakParticipant {
  /** The driver's own support conversation. */
  conversationId: string;
}

export interface LatencyFigures {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What one report interval saw (counts by when the event was observed, not when the message was sent). */
export interface IntervalLoad {
  sent: number;
  acked: number;
  /** Error replies by code (RATE_LIMITED, INTERNAL, …). */
  ackErrors: Record<string, number>;
  /** Sends with no reply within the ack timeout. */
  timeouts: number;
  /** Sends whose connection closed (or was closed) before the reply. */
  sendsLost: number;
  disconnects: number;
  reconnectFailures: number;
  duplicates: number;
  outOfOrder: number;
  /** A driver received a message of a conversation that is not theirs. */
  misrouted: number;
  /** Acks that arrived after their send had been counted as timed out. */
  lateAcks: number;
  ack: LatencyFigures;
  /** Send (due time) → message:new at a control staff connection: the end-to-end path. */
  deliver: LatencyFigures;
  /** Largest lag of a send behind its due time: the generator's own backlog. */
  maxSendLagMs: number;
  generatorEldP99Ms: number;
}

/** The run's verdict once sending stopped and the drain is over. */
export interface FinalLoad {
  sent: number;
  acked: number;
  /** Acked messages that did not reach every control staff connection. */
  lostAtControl: number;
  /** Acked messages that did not come back to the driver's own connection. */
  lostAtDriver: number;
  /** Missing (message, control connection) pairs behind `lostAtControl`. */
  missingControlDeliveries: number;
  /** Sends that never got any reply, not even after their timeout. */
  neverAnswered: number;
  /** Client ids of every acked message, to check against the database. */
  ackedClientIds: string[];
}

interface Flight {
  index: number;
  driver: number;
  due: number;
  isAcked: boolean;
  /** An error reply, a lost connection or a timeout without a later ack. */
  isFailed: boolean;
  isTimedOut: boolean;
  /** Some reply came (ok or error) or the connection closed under it. */
  isAnswered: boolean;
  /** Control connections that received it (1 each). */
  controlSeen: Uint8Array;
  controlMissing: number;
  isSeenByDriver: boolean;
}

/**
 * What became of each message index, one byte each for the whole run (0 while it is open): delivered
 * everywhere (a later push of it is a duplicate), or failed without an ack.
 */
const SETTLED_DELIVERED = 1;
const SETTLED_FAILED = 2;

function histogram(): hdr.Histogram {
  // Microseconds, 1 µs .. 10 min at 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

function figures(h: hdr.Histogram): LatencyFigures {
  const ms = (us: number) => Math.round(us / 10) / 100;
  if (h.totalCount === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  return { count: h.totalCount, p50Ms: ms(h.getValueAtPercentile(50)), p95Ms: ms(h.getValueAtPercentile(95)), p99Ms: ms(h.getValueAtPercentile(99)), maxMs: ms(h.maxValue) };
}

class IntervalCounters {
  sent = 0;
  acked = 0;
  ackErrors: Record<string, number> = {};
  timeouts = 0;
  sendsLost = 0;
  disconnects = 0;
  reconnectFailures = 0;
  duplicates = 0;
  outOfOrder = 0;
  misrouted = 0;
  lateAcks = 0;
  maxSendLagMs = 0;
  readonly ack = histogram();
  readonly deliver = histogram();
}

export interface SoakLoadOptions {
  url: string;
  drivers: SoakDriver[];
  controls: SoakParticipant[];
  /** Prefix of this run's client ids. */
  runId: string;
  /** A send with no reply after this long counts as a timeout error (a later ack is still recorded). */
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  log: (line: string) => void;
}

const TIMEOUT_SWEEP_MS = 500;

export class SoakLoad {
  private readonly inFlight = new Map<number, Flight>();
  private settled = new Uint8Array(1 << 16);
  private readonly ackedIndices: number[] = [];
  private readonly driverLastSequence: number[];
  private readonly controlLastSequence: Map<string, number>[];
  private readonly eventLoop = monitorEventLoopDelay({ resolution: 10 });
  private interval = new IntervalCounters();
  private readonly totalAck = histogram();
  private readonly totalDeliver = histogram();
  private drivers: SoakClient[] = [];
  private controls: SoakClient[] = [];
  private nextIndex = 0;
  private totalSent = 0;
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(private readonly options: SoakLoadOptions) {
    this.driverLastSequence = options.drivers.map(() => 0);
    this.controlLastSequence = options.controls.map(() => new Map());
  }

  /** Connects the control staff first (so they hear every message), then the drivers. */
  static async connect(options: SoakLoadOptions): Promise<SoakLoad> {
    const load = new SoakLoad(options);
    try {
      load.controls = await mapLimit(options.controls, 10, (control, index) => load.connectOne(control, (message) => load.onControlMessage(index, message)));
      load.drivers = await mapLimit(options.drivers, 10, (driver, index) => load.connectOne(driver, (message) => load.onDriverMessage(index, message)));
    } catch (error) {
      load.close();
      throw error;
    }
    load.eventLoop.enable();
    load.sweeper = setInterval(() => load.sweepTimeouts(), TIMEOUT_SWEEP_MS);
    return load;
  }

  get connectionCount(): { socketIo: number; ws: number } {
    const all = [...this.drivers, ...this.controls];
    const socketIo = all.filter((client) => client.transport === "socket.io").length;
    return { socketIo, ws: all.length - socketIo };
  }

  private connectOne(participant: SoakParticipant, onMessage: (message: PushedMessage) => void): Promise<SoakClient> {
    return SoakClient.connect({
      url: this.options.url,
      token: participant.token,
      transport: participant.transport,
      connectTimeoutMs: this.options.connectTimeoutMs,
      onMessage,
      onDisconnect: (reason) => {
        this.interval.disconnects++;
        this.options.log(`  ! ${participant.transport} connection closed (${reason}); reconnecting`);
      },
      onReconnectFailure: () => this.interval.reconnectFailures++,
    });
  }

  private indexOf(clientId: string): number | null {
    const prefix = `${this.options.runId}-m`;
    if (!clientId.startsWith(prefix)) return null;
    const index = Number(clientId.slice(prefix.length));
    return Number.isInteger(index) && index >= 0 && index < this.nextIndex ? index : null;
  }

  private onControlMessage(control: number, message: PushedMessage): void {
    const index = this.indexOf(message.clientId);
    if (index === null) return;
    const last = this.controlLastSequence[control] as Map<string, number>;
    if (message.sequence < (last.get(message.conversationId) ?? 0)) this.interval.outOfOrder++;
    else last.set(message.conversationId, message.sequence);
    const flight = this.inFlight.get(index);
    if (!flight) {
      if (this.settled[index] === SETTLED_DELIVERED) this.interval.duplicates++;
      return;
    }
    if (flight.controlSeen[control] === 1) {
      this.interval.duplicates++;
      return;
    }
    flight.controlSeen[control] = 1;
    flight.controlMissing--;
    const latencyUs = Math.max(1, Math.round((performance.now() - flight.due) * 1000));
    this.interval.deliver.recordValue(latencyUs);
    this.totalDeliver.recordValue(latencyUs);
    this.settle(flight);
  }

  private onDriverMessage(driver: number, message: PushedMessage): void {
    const index = this.indexOf(message.clientId);
    if (index === null) return;
    if (message.conversationId !== this.options.drivers[driver]?.conversationId) {
      this.interval.misrouted++;
      return;
    }
    if (message.sequence < (this.driverLastSequence[driver] ?? 0)) this.interval.outOfOrder++;
    else this.driverLastSequence[driver] = message.sequence;
    const flight = this.inFlight.get(index);
    if (!flight) {
      if (this.settled[index] === SETTLED_DELIVERED) this.interval.duplicates++;
      return;
    }
    if (flight.isSeenByDriver) {
      this.interval.duplicates++;
      return;
    }
    flight.isSeenByDriver = true;
    this.settle(flight);
  }

  private onReply(flight: Flight, reply: SendReply): void {
    flight.isAnswered = true;
    if (reply.kind === "ok") {
      const latencyUs = Math.max(1, Math.round((performance.now() - flight.due) * 1000));
      if (flight.isTimedOut) {
        // Already counted as a timeout error; the message is stored after all and must be delivered.
        this.interval.lateAcks++;
        flight.isFailed = false;
      } else {
        this.interval.acked++;
        this.interval.ack.recordValue(latencyUs);
        this.totalAck.recordValue(latencyUs);
      }
      flight.isAcked = true;
      this.ackedIndices.push(flight.index);
    } else {
      // A timed-out send was already counted once, as a timeout.
      if (!flight.isTimedOut && reply.kind === "error") this.interval.ackErrors[reply.code] = (this.interval.ackErrors[reply.code] ?? 0) + 1;
      else if (!flight.isTimedOut) this.interval.sendsLost++;
      flight.isFailed = true;
    }
    this.settle(flight);
  }

  private settle(flight: Flight): void {
    if (flight.isAcked && flight.controlMissing === 0 && flight.isSeenByDriver) {
      this.settled[flight.index] = SETTLED_DELIVERED;
      this.inFlight.delete(flight.index);
    } else if (flight.isFailed && flight.isAnswered) {
      // An error reply or a lost connection: this send is over (a timed-out one may still be acked).
      this.settled[flight.index] = SETTLED_FAILED;
      this.inFlight.delete(flight.index);
    }
  }

  private sweepTimeouts(): void {
    const cutoff = performance.now() - this.options.ackTimeoutMs;
    for (const flight of this.inFlight.values()) {
      if (flight.isAcked || flight.isFailed || flight.due > cutoff) continue;
      flight.isTimedOut = true;
      flight.isFailed = true;
      this.interval.timeouts++;
    }
  }

  private send(due: number): void {
    const index = this.nextIndex++;
    if (index >= this.settled.length) {
      const grown = new Uint8Array(this.settled.length * 2);
      grown.set(this.settled);
      this.settled = grown;
    }
    const driverIndex = index % this.drivers.length;
    const driver = this.drivers[driverIndex] as SoakClient;
    const conversationId = this.options.drivers[driverIndex]?.conversationId ?? "";
    const flight: Flight = {
      index,
      driver: driverIndex,
      due,
      isAcked: false,
      isFailed: false,
      isTimedOut: false,
      isAnswered: false,
      controlSeen: new Uint8Array(this.controls.length),
      controlMissing: this.controls.length,
      isSeenByDriver: false,
    };
    this.inFlight.set(index, flight);
    this.interval.sent++;
    this.totalSent++;
    const lag = performance.now() - due;
    if (lag > this.interval.maxSendLagMs) this.interval.maxSendLagMs = lag;
    const body = `Bus ${driverIndex + 1}: running ${index % 15} min late at stop ${index % 97}, passengers waiting.`;
    driver.send({ conversationId, body, clientId: `${this.options.runId}-m${index}` }, (reply) => this.onReply(flight, reply));
  }

  /** Sends `rate` messages/s, open loop, for `durationMs` (or until `shouldStop` holds). */
  async run(rate: number, durationMs: number, shouldStop: () => boolean = () => false): Promise<void> {
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    const gapMs = 1000 / rate;
    const t0 = performance.now();
    let k = 0;
    while (k < total && !shouldStop()) {
      const now = performance.now();
      while (k < total && t0 + k * gapMs <= now) {
        this.send(t0 + k * gapMs);
        k++;
      }
      if (k < total) await sleep(Math.max(0, t0 + k * gapMs - performance.now()));
    }
  }

  /** Messages sent and not yet settled (acked and delivered everywhere, or failed). */
  get openCount(): number {
    return this.inFlight.size;
  }

  /** Closes the current interval and starts the next. */
  takeInterval(): IntervalLoad {
    const c = this.interval;
    this.interval = new IntervalCounters();
    const eldP99Ms = this.eventLoop.count > 0 ? Math.round(this.eventLoop.percentile(99) / 1e4) / 100 : 0;
    this.eventLoop.reset();
    const result: IntervalLoad = {
      sent: c.sent,
      acked: c.acked,
      ackErrors: c.ackErrors,
      timeouts: c.timeouts,
      sendsLost: c.sendsLost,
      disconnects: c.disconnects,
      reconnectFailures: c.reconnectFailures,
      duplicates: c.duplicates,
      outOfOrder: c.outOfOrder,
      misrouted: c.misrouted,
      lateAcks: c.lateAcks,
      ack: figures(c.ack),
      deliver: figures(c.deliver),
      maxSendLagMs: Math.round(c.maxSendLagMs * 100) / 100,
      generatorEldP99Ms: eldP99Ms,
    };
    c.ack.destroy();
    c.deliver.destroy();
    return result;
  }

  /** Latencies over the whole run. */
  totals(): { ack: LatencyFigures; deliver: LatencyFigures } {
    return { ack: figures(this.totalAck), deliver: figures(this.totalDeliver) };
  }

  /** After the drain: what was acked but not delivered everywhere, and what was never answered. */
  finish(): FinalLoad {
    let lostAtControl = 0;
    let lostAtDriver = 0;
    let missingControlDeliveries = 0;
    let neverAnswered = 0;
    for (const flight of this.inFlight.values()) {
      if (flight.isAcked) {
        if (flight.controlMissing > 0) lostAtControl++;
        missingControlDeliveries += flight.controlMissing;
        if (!flight.isSeenByDriver) lostAtDriver++;
      } else if (!flight.isAnswered) {
        neverAnswered++;
      }
    }
    return {
      sent: this.totalSent,
      acked: this.ackedIndices.length,
      lostAtControl,
      lostAtDriver,
      missingControlDeliveries,
      neverAnswered,
      ackedClientIds: this.ackedIndices.map((index) => `${this.options.runId}-m${index}`),
    };
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const client of [...this.drivers, ...this.controls]) client.close();
    this.eventLoop.disable();
  }
}
