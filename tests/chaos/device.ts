import type { Role } from "../../lib/chat/types";
import { HISTORY_PAGE_MAX } from "../../lib/chat/constants";
import { SyncCursor } from "../../lib/chat/sync-cursor";
import { connect, ConnectionLost, RequestTimeout, toChatMessage, type ChatMessage, type Connection, type RequestName, type TransportKind, type WireError } from "./transport";
import type { Rng } from "./rng";

// One chaos client: a phone or a dashboard of one user, on one transport, behaving like the real
// clients (docs/websocket-chat-events.md §8, components/realtime/chat-store.ts):
// - every message gets a clientId once, sits in an outbox until acknowledged, and is sent oldest
//   first, each after the previous one's ack; a timeout or a disconnect means "retry the same
//   clientId after reconnecting"; RATE_LIMITED waits retryAfterMs; INTERNAL is retried;
// - after every (re)connect it lists its conversations and catches up each one with message:list
//   afterSequence, page by page until hasMore is false, from the sequence through which it holds
//   everything (lib/chat/sync-cursor.ts, as the web app: a live push moves it only when it follows
//   on from what is held; a push after a hole is kept aside and the conversation is caught up);
// - pushes and pages are deduplicated by message id; messages are released to the "screen" in
//   sequence order, and the checks look at that order.
// Everything it saw is kept for the checks at the end of the run.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTBOX_WHILE_OFFLINE = 5;

export interface DeviceSpec {
  name: string;
  userKey: string;
  userId: string;
  role: Role;
  isField: boolean;
  transport: TransportKind;
  /** Socket.IO only: long-polling first, then upgrade (as browsers do). */
  polling: boolean;
  /** Field devices open a conversation of their own with their first message. */
  opensConversation: boolean;
  /** Upper bound on what this device writes; the run normally stops the writing earlier. */
  maxMessages: number;
}

export interface DeviceEnv {
  runId: string;
  token: string;
  rng: Rng;
  /** The node URLs a load balancer would route this client to; one is picked per connection. */
  nodeUrls(): string[];
  deadline: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Longest pause between two sends of this device (a person typing). */
  thinkMs: number;
  onAck(): void;
}

/** A message this device meant to send. */
export interface Composed {
  clientId: string;
  /** 1, 2, 3 … in the order the user wrote them on this device. */
  n: number;
  kind: "create" | "message";
  /** Unset for "create" (the conversation does not exist yet). */
  conversationId?: string;
  body: string;
  isNote: boolean;
  attempts: number;
}

export interface AckRecord {
  clientId: string;
  n: number;
  conversationId: string;
  id: string;
  sequence: number;
  body: string;
  kind: string;
  isNote: boolean;
  /** The server answered duplicate: true (a retry of something already stored). */
  duplicate: boolean;
  attempts: number;
}

export interface Held {
  id: string;
  sequence: number;
  senderId: string;
  clientId: string;
  kind: string;
  firstVia: "push" | "catch-up" | "ack";
  receipts: number;
}

export interface ConnectionRecord {
  serial: number;
  url: string;
  openedAt: number;
  /** When its catch-up after connecting finished. */
  liveAt?: number;
  closedAt?: number;
}

export interface DeviceStats {
  connects: number;
  connectFailures: number;
  transportDrops: number;
  offlinePeriods: number;
  longestOfflineMs: number;
  sendAttempts: number;
  retries: number;
  duplicateAcks: number;
  rateLimited: number;
  serverErrors: number;
  timeouts: number;
  pushes: number;
  catchUpPages: number;
  catchUpMessages: number;
  /** Receipts of a message already held (push after catch-up, own message after its ack…): dropped by id. */
  droppedDuplicates: number;
  /** A live push whose sequence is below one pushed earlier on the same connection, same conversation (the client reorders). */
  pushInversions: number;
  /** Live pushes that came after a hole and were held back until it was filled. */
  heldBack: number;
  /** Catch-ups started because a live push showed a hole. */
  holeCatchUps: number;
}

class GoingOffline extends Error {
  override name = "GoingOffline";
}

/** The server refused a request with a code a retry cannot fix. */
class Refused extends Error {
  override name = "Refused";
  constructor(
    readonly request: RequestName,
    readonly error: WireError,
  ) {
    super(`${request} refused: ${error.code} ${error.message}`);
  }
}

export class Device {
  readonly composed: Composed[] = [];
  readonly outbox: Composed[] = [];
  readonly acks = new Map<string, AckRecord>();
  /** conversationId → message id → what this device holds. */
  readonly view = new Map<string, Map<string, Held>>();
  /** Conversations this device knows (field: its user's own; control: all it heard of). */
  readonly known = new Set<string>();
  /** Protocol violations seen by this client (malformed pushes, refusals, a push twice on one connection…). */
  readonly problems: string[] = [];
  readonly pushInversionExamples: string[] = [];
  /** This device's connections, oldest first (the last 1,000). */
  readonly connections: ConnectionRecord[] = [];
  /** conversationId → sequences in the order they were released to the screen. */
  readonly released = new Map<string, number[]>();
  readonly stats: DeviceStats = {
    connects: 0,
    connectFailures: 0,
    transportDrops: 0,
    offlinePeriods: 0,
    longestOfflineMs: 0,
    sendAttempts: 0,
    retries: 0,
    duplicateAcks: 0,
    rateLimited: 0,
    serverErrors: 0,
    timeouts: 0,
    pushes: 0,
    catchUpPages: 0,
    catchUpMessages: 0,
    droppedDuplicates: 0,
    pushInversions: 0,
    heldBack: 0,
    holeCatchUps: 0,
  };

  /** Per conversation: the sequence through which this device holds every message it may see. */
  private readonly cursor: SyncCursor<ChatMessage>;
  private conn: Connection | undefined;
  private serial = 0;
  private readonly livePushes = new Map<number, { maxByConversation: Map<string, number>; ids: Set<string> }>();
  private offlineUntil = 0;
  private sending = false;
  private stopWriting = false;
  private finalRequested = false;
  private synced = false;
  private aborted = false;

  constructor(
    readonly spec: DeviceSpec,
    private readonly env: DeviceEnv,
  ) {
    this.cursor = new SyncCursor(!spec.isField);
  }

  get name(): string {
    return this.spec.name;
  }

  get isConnected(): boolean {
    return this.conn?.isOpen() ?? false;
  }

  get hasSendInFlight(): boolean {
    return this.sending && this.isConnected;
  }

  get isOffline(): boolean {
    return Date.now() < this.offlineUntil;
  }

  /** Told to stop writing, and every message it wrote is acknowledged. */
  get isDrained(): boolean {
    return this.stopWriting && this.outbox.length === 0;
  }

  /** Wrote as much as it may (maxMessages). */
  get isAtLimit(): boolean {
    return this.composed.length >= this.spec.maxMessages;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  /** The network drops under the client (mid-send, if a send is in flight). */
  dropTransport(): boolean {
    if (!this.conn?.isOpen()) return false;
    this.stats.transportDrops += 1;
    this.conn.drop();
    return true;
  }

  /**
   * Another screen of the same user floods the server (history scrolling gone wild): 40 reads at
   * once, then 10 more every 200 ms for 2 s, on this connection. That empties the user's rate-limit
   * bucket and keeps it empty, so this device's own sends and catch-up meet RATE_LIMITED meanwhile.
   * Resolves with how many of the flood's reads were refused with RATE_LIMITED.
   */
  async flood(): Promise<number> {
    const conn = this.conn;
    const conversationId = [...this.known][0];
    if (!conn?.isOpen() || !conversationId) return 0;
    const fire = (count: number) =>
      Promise.all(
        Array.from({ length: count }, () =>
          conn.request("message:list", { conversationId, limit: 1 }, this.env.requestTimeoutMs).then(
            (reply) => (!reply.ok && reply.error.code === "RATE_LIMITED" ? 1 : 0),
            () => 0,
          ),
        ),
      );
    const waves = [fire(40)];
    for (let i = 0; i < 10 && conn.isOpen(); i++) {
      await sleep(200);
      waves.push(fire(10));
    }
    const refused = (await Promise.all(waves)).flat();
    return refused.reduce<number>((total, n) => total + n, 0);
  }

  /** The phone loses the network for `ms`; the user keeps writing into the outbox meanwhile. */
  goOffline(ms: number): void {
    this.offlineUntil = Date.now() + ms;
    this.stats.offlinePeriods += 1;
    this.stats.longestOfflineMs = Math.max(this.stats.longestOfflineMs, ms);
    this.conn?.drop();
  }

  /** The phone has the network again. */
  comeBack(): void {
    this.offlineUntil = 0;
  }

  /** The user stops writing; what is in the outbox is still sent. */
  requestStopWriting(): void {
    this.stopWriting = true;
  }

  /** Send what is in the outbox, catch up once more, and finish. */
  requestFinalSync(): void {
    this.stopWriting = true;
    this.finalRequested = true;
  }

  close(): void {
    this.conn?.close();
  }

  /** The run is over (or failed): stop at once, wherever the client is. */
  abort(): void {
    this.aborted = true;
    this.offlineUntil = 0;
    this.conn?.close();
  }

  /** Runs until the final sync is done (or the deadline passes, which is reported as a problem). */
  async run(): Promise<void> {
    let failures = 0;
    while (!this.synced && !this.aborted) {
      if (Date.now() > this.env.deadline) {
        this.problems.push(`did not finish before the deadline (outbox ${this.outbox.length}, written ${this.composed.length})`);
        return;
      }
      if (this.isOffline) {
        await this.writeWhileOffline();
        continue;
      }
      let conn: Connection;
      try {
        conn = await this.open();
        failures = 0;
      } catch (error) {
        if (!(error instanceof ConnectionLost)) throw error;
        this.stats.connectFailures += 1;
        failures += 1;
        await sleep(Math.min(100 * 2 ** failures, 2000) * this.env.rng.between(0.5, 1.5));
        continue;
      }
      const record = this.connections.at(-1);
      try {
        await this.catchUp(conn);
        if (record) record.liveAt = Date.now();
        await this.work(conn);
      } catch (error) {
        if (error instanceof RequestTimeout) this.stats.timeouts += 1;
        else if (!(error instanceof ConnectionLost || error instanceof GoingOffline)) throw error;
      } finally {
        conn.close();
        this.conn = undefined;
        if (record) record.closedAt = Date.now();
      }
      if (!this.synced) await sleep(this.env.rng.between(50, 400));
    }
  }

  private async open(): Promise<Connection> {
    const url = this.env.rng.pick(this.env.nodeUrls());
    const serial = ++this.serial;
    const conn = await connect(this.spec.transport, {
      url,
      token: this.env.token,
      timeoutMs: this.env.connectTimeoutMs,
      polling: this.spec.polling,
      onMessage: (message) => this.onPush(message, serial),
      onConversation: (id) => this.known.add(id),
      onProtocolError: (error) => this.problems.push(`protocol: ${error.message}`),
    });
    this.stats.connects += 1;
    this.conn = conn;
    this.connections.push({ serial, url, openedAt: Date.now() });
    if (this.connections.length > 1000) this.connections.shift();
    return conn;
  }

  /** Sends the outbox in order, writing new messages, until the connection goes or the run ends. */
  private async work(conn: Connection): Promise<void> {
    for (;;) {
      if (this.aborted || Date.now() > this.env.deadline) throw new ConnectionLost("aborted or past the deadline");
      if (this.isOffline) throw new GoingOffline();
      if (!conn.isOpen()) throw new ConnectionLost("connection closed");
      if (this.finalRequested && this.outbox.length === 0) {
        await this.catchUp(conn);
        this.synced = true;
        return;
      }
      // A live push showed a hole: fill it before going on.
      for (const conversationId of this.cursor.conversationsWithHoles()) {
        this.stats.holeCatchUps += 1;
        await this.catchUpConversation(conn, conversationId);
      }
      if (this.outbox.length === 0) this.write();
      const item = this.outbox[0];
      if (!item) {
        await Promise.race([sleep(100), conn.closed]);
        continue;
      }
      await sleep(this.env.rng.between(0, this.env.thinkMs));
      await this.send(conn, item);
    }
  }

  private async writeWhileOffline(): Promise<void> {
    while (this.isOffline && !this.aborted) {
      if (this.outbox.length < OUTBOX_WHILE_OFFLINE) this.write();
      await sleep(Math.min(this.offlineUntil - Date.now(), this.env.rng.between(300, 1500)));
    }
  }

  /** The user writes the next message (into the outbox). False if there is nothing to write yet. */
  private write(): boolean {
    if (this.stopWriting || this.composed.length >= this.spec.maxMessages) return false;
    const n = this.composed.length + 1;
    const clientId = `${this.env.runId}.${this.spec.name}.${n}`;
    const filler = "x".repeat(this.env.rng.int(0, 120));
    const body = `chaos ${clientId} ${filler}`.trim();
    let item: Composed;
    if (this.spec.opensConversation && n === 1) {
      item = { clientId, n, kind: "create", body, isNote: false, attempts: 0 };
    } else {
      const targets = [...this.known];
      if (targets.length === 0) return false;
      const isNote = !this.spec.isField && this.env.rng.chance(0.1);
      item = { clientId, n, kind: "message", conversationId: this.env.rng.pick(targets), body, isNote, attempts: 0 };
    }
    this.composed.push(item);
    this.outbox.push(item);
    return true;
  }

  private async send(conn: Connection, item: Composed): Promise<void> {
    this.sending = true;
    item.attempts += 1;
    this.stats.sendAttempts += 1;
    if (item.attempts > 1) this.stats.retries += 1;
    try {
      const input =
        item.kind === "create"
          ? { title: `Chaos ${this.spec.name}`, body: item.body, clientId: item.clientId }
          : { conversationId: item.conversationId, body: item.body, clientId: item.clientId, ...(item.isNote ? { isNote: true } : {}) };
      let data: Record<string, unknown>;
      try {
        data = await this.call(conn, item.kind === "create" ? "conversation:create" : "message:send", input);
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        // Never expected in this run: the message is given up, which the checks report.
        this.problems.push(`${item.clientId}: ${error.message}`);
        this.outbox.shift();
        return;
      }
      const message = toChatMessage(data.message);
      const duplicate = data.duplicate === true;
      if (message.clientId !== item.clientId) this.problems.push(`${item.clientId}: acknowledged with clientId ${message.clientId}`);
      if (item.conversationId && message.conversationId !== item.conversationId) this.problems.push(`${item.clientId}: acknowledged in another conversation`);
      if (duplicate) this.stats.duplicateAcks += 1;
      this.acks.set(item.clientId, {
        clientId: item.clientId,
        n: item.n,
        conversationId: message.conversationId,
        id: message.id,
        sequence: message.sequence,
        body: message.body,
        kind: message.kind,
        isNote: item.isNote,
        duplicate,
        attempts: item.attempts,
      });
      this.outbox.shift();
      this.known.add(message.conversationId);
      this.hold(message, "ack");
      // As the web client: the opening message of one's own new conversation is the start of it.
      if (item.kind === "create") this.release(this.cursor.start(message));
      this.env.onAck();
    } finally {
      this.sending = false;
    }
  }

  /** One request, retried on RATE_LIMITED (after retryAfterMs) and on INTERNAL; other refusals throw Refused. */
  private async call(conn: Connection, name: RequestName, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (let attempt = 1; attempt <= 500; attempt++) {
      if (this.aborted || Date.now() > this.env.deadline) throw new ConnectionLost("aborted or past the deadline");
      const reply = await conn.request(name, input, this.env.requestTimeoutMs);
      if (reply.ok) return reply.data;
      const { code } = reply.error;
      if (code === "RATE_LIMITED") {
        this.stats.rateLimited += 1;
        const wait = Number(reply.error.details?.retryAfterMs);
        if (!(wait > 0)) this.problems.push(`${name}: RATE_LIMITED without a positive details.retryAfterMs`);
        await sleep(wait > 0 ? wait : 100);
        continue;
      }
      if (code === "INTERNAL" || code === "UNAVAILABLE") {
        // The database may be restarting or its connections were cut: retrying the same request is safe (§8).
        this.stats.serverErrors += 1;
        if (attempt % 20 === 0) throw new ConnectionLost(`${name}: ${code} ${attempt} times`);
        await sleep(Math.min(100 * attempt, 2000));
        continue;
      }
      throw new Refused(name, reply.error);
    }
    throw new ConnectionLost(`${name}: still rate limited after 500 attempts`);
  }

  /** conversation:list, then every known conversation from syncedThrough until hasMore is false. */
  private async catchUp(conn: Connection): Promise<void> {
    let listed: Record<string, unknown>;
    try {
      listed = await this.call(conn, "conversation:list", {});
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      this.problems.push(error.message);
      return;
    }
    const conversations = Array.isArray(listed.conversations) ? (listed.conversations as unknown[]) : [];
    for (const c of conversations) {
      if (c && typeof c === "object" && typeof (c as { id?: unknown }).id === "string") this.known.add((c as { id: string }).id);
    }
    for (const conversationId of [...this.known]) await this.catchUpConversation(conn, conversationId);
  }

  private async catchUpConversation(conn: Connection, conversationId: string): Promise<void> {
    for (let page = 0; page < 10_000; page++) {
      const after = this.cursor.syncedThrough(conversationId);
      let data: Record<string, unknown>;
      try {
        data = await this.call(conn, "message:list", { conversationId, afterSequence: after, limit: HISTORY_PAGE_MAX });
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        this.problems.push(`${conversationId}: ${error.message}`);
        return;
      }
      this.stats.catchUpPages += 1;
      const messages = (Array.isArray(data.messages) ? (data.messages as unknown[]) : []).map(toChatMessage);
      let previous = after;
      for (const message of messages) {
        if (message.conversationId !== conversationId) this.problems.push(`catch-up of ${conversationId} returned a message of ${message.conversationId}`);
        if (message.sequence <= previous) this.problems.push(`catch-up of ${conversationId} after ${after}: sequence ${message.sequence} after ${previous}`);
        previous = message.sequence;
        this.stats.catchUpMessages += 1;
        this.hold(message, "catch-up");
      }
      this.release(this.cursor.page(conversationId, after, messages));
      if (data.hasMore !== true || messages.length === 0) return;
    }
    this.problems.push(`catch-up of ${conversationId} did not end after 10,000 pages`);
  }

  private onPush(message: ChatMessage, serial: number): void {
    this.stats.pushes += 1;
    this.known.add(message.conversationId);
    let seen = this.livePushes.get(serial);
    if (!seen) {
      seen = { maxByConversation: new Map(), ids: new Set() };
      this.livePushes.set(serial, seen);
      this.livePushes.delete(serial - 2);
    }
    if (seen.ids.has(message.id)) this.problems.push(`message ${message.id} (${message.clientId}) pushed twice on one connection`);
    seen.ids.add(message.id);
    const max = seen.maxByConversation.get(message.conversationId) ?? 0;
    if (message.sequence < max) {
      this.stats.pushInversions += 1;
      if (this.pushInversionExamples.length < 5) this.pushInversionExamples.push(`${message.conversationId}: ${message.sequence} pushed after ${max}`);
    } else {
      seen.maxByConversation.set(message.conversationId, message.sequence);
    }
    this.hold(message, "push");
    const released = this.cursor.live(message);
    if (released.length === 0 && this.cursor.hasHole(message.conversationId) && message.sequence > this.cursor.syncedThrough(message.conversationId)) this.stats.heldBack += 1;
    this.release(released);
  }

  private hold(message: ChatMessage, via: Held["firstVia"]): void {
    let inConversation = this.view.get(message.conversationId);
    if (!inConversation) this.view.set(message.conversationId, (inConversation = new Map()));
    const held = inConversation.get(message.id);
    if (held) {
      held.receipts += 1;
      this.stats.droppedDuplicates += 1;
      if (held.sequence !== message.sequence) this.problems.push(`message ${message.id} seen with sequences ${held.sequence} and ${message.sequence}`);
      return;
    }
    inConversation.set(message.id, {
      id: message.id,
      sequence: message.sequence,
      senderId: message.senderId,
      clientId: message.clientId,
      kind: message.kind,
      firstVia: via,
      receipts: 1,
    });
  }

  /** Messages reach the screen in this order. */
  private release(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      let order = this.released.get(message.conversationId);
      if (!order) this.released.set(message.conversationId, (order = []));
      order.push(message.sequence);
    }
  }
}
