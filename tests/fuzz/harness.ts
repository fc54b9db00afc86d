import { randomBytes } from "node:crypto";
import type { ErrorCode } from "../../lib/errors";
import { MAX_FRAME_BYTES, RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "../../lib/chat/constants";
import type { ClientEventName } from "../../lib/realtime/events";
import { SEED_REQUEST_TYPES } from "../../lib/realtime/json-gateway";
import type { Role } from "../../lib/chat/types";
import type { Db } from "../../lib/db";
import bcrypt from "bcryptjs";
import { closeDatabase, openDatabase } from "../../lib/db/open";
import { getDb } from "../../lib/db";
import { issueToken } from "../../lib/auth/tokens";
import { databaseControls, spawnServer, TEST_SECRET, type RunningServer } from "../helpers/server";
import { createTestDatabase, TEST_PASSWORD, type TestDatabase } from "../helpers/database";
import { connectSocketIo, type ChatSocket } from "../helpers/clients";
import { generateCases, type ActorClass, type FuzzCase, type SioEventCase, type SioRawCase, type Transport, type WsFrameCase, type WsRawCase } from "./arbitraries";
import { field, frameToReply, judgeReply, KNOWN_ISSUES, type JudgeContext, type Outcome } from "./judge";
import { JsonWsConnection, RawSocketIo } from "./transport";
import { describe, hasBytes, toJs, toJsonText, type FuzzValue, type Ref } from "./values";

// Runs generated cases against a real server (tests/helpers/server.ts), on both transports, with
// many users so that the per-user rate limit rarely answers instead of validation. Between batches it
// proves the server still serves (health, real sends, authorization canaries); at the end it checks
// the database invariants.

export interface FuzzOptions {
  /** Cases per transport. */
  perTransport: number;
  seed: number;
  /** Cases in flight at once (each actor connection runs one at a time). */
  concurrency?: number;
  /** Cases between two rounds of liveness checks. */
  batchSize?: number;
  /** How long a reply may take before it counts as missing (a liveness bound, not a performance figure). */
  replyTimeoutMs?: number;
  /** Count cases that fail only with a known, reported server bug as failures too. */
  strict?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface FuzzReport {
  seed: number;
  database: string;
  durationMs: number;
  cases: number;
  casesByTransport: Record<Transport, number>;
  passed: number;
  failures: string[];
  ok: number;
  errorsByCode: Partial<Record<ErrorCode, number>>;
  /** Frames the transport refused (close 1007/1009, Socket.IO disconnect), by how. */
  refused: Record<string, number>;
  /** Raw Socket.IO frames: the probe after them was answered, or the server closed the connection. */
  raw: { answered: number; closed: number; left: number };
  /** Cases that failed only with a known, reported server bug (KNOWN_ISSUES), by issue (not counted as failures unless strict). */
  knownIssues: Record<string, number>;
  byEvent: Record<string, { cases: number; ok: number; errors: number }>;
  byLabel: Record<string, number>;
  /** Share of cases answered by something other than RATE_LIMITED (they reached validation or further). */
  exercisedShare: number;
  checks: CheckResult[];
  invariants: CheckResult[];
  /** Lines the server logged as "event failed" (unknown errors behind INTERNAL). */
  serverErrorsLogged: number;
}

// ---- Users and actors -----------------------------------------------------------------------------

const FIELD: [string, Role][] = [
  ["f1", "BUS_DRIVER"], ["f2", "BUS_DRIVER"], ["f3", "BUS_DRIVER"], ["f4", "BUS_DRIVER"], ["f5", "BUS_DRIVER"], ["f6", "BUS_DRIVER"], ["f7", "QUEUE_REGULATOR"], ["f8", "QUEUE_REGULATOR"],
];
const STAFF: [string, Role][] = [["s1", "CONTROL_STAFF"], ["s2", "CONTROL_STAFF"], ["s3", "CONTROL_STAFF"], ["s4", "CONTROL_STAFF"], ["s5", "CONTROL_STAFF"]];
const ADMINS: [string, Role][] = [["a1", "CONTROL_ADMIN"], ["a2", "CONTROL_ADMIN"], ["a3", "CONTROL_ADMIN"], ["a4", "CONTROL_ADMIN"]];
/** Targets of admin actions that end sessions (deactivate, role change, password reset): never connected. */
const VICTIMS: [string, Role][] = [["vf1", "BUS_DRIVER"], ["vf2", "QUEUE_REGULATOR"], ["vc1", "CONTROL_STAFF"]];
/** Users outside the fuzz whose requests prove, between batches, that the server still behaves. */
const CANARIES: [string, Role][] = [["canaryDriver", "BUS_DRIVER"], ["canaryControl", "CONTROL_STAFF"]];
const ADMIN_SESSION_ENDERS = new Set<ClientEventName>(["user:deactivate", "user:set-role", "user:reset-password"]);

/** The client-side copy of the server's token bucket, a little stricter, so that cases wait instead of being refused. */
class Bucket {
  private tokens = RATE_LIMIT_BURST - 2;
  private at = Date.now();
  private readonly rate = RATE_LIMIT_PER_SECOND * 0.9;

  available(now = Date.now()): number {
    this.tokens = Math.min(RATE_LIMIT_BURST - 2, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    return this.tokens;
  }
  take(count = 1): void {
    this.available();
    this.tokens -= count;
  }
  waitMs(count = 1): number {
    const missing = count - this.available();
    return missing <= 0 ? 0 : Math.ceil((missing / this.rate) * 1000);
  }
}

interface Actor {
  key: string;
  id: string;
  cls: ActorClass;
  token: string;
  sio: ChatSocket;
  ws: JsonWsConnection;
  bucket: Bucket;
  busy: Record<Transport, boolean>;
  conversations: string[];
  messages: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded generator, so that id choices replay with the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function emitWithAck(socket: ChatSocket, timeoutMs: number, name: string, args: unknown[]): Promise<unknown> {
  return (socket.timeout(timeoutMs) as unknown as { emitWithAck: (event: string, ...rest: unknown[]) => Promise<unknown> }).emitWithAck(name, ...args);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function ownProperty(value: unknown, key: string): unknown {
  return isObject(value) && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

// ---- The server ----------------------------------------------------------------------------------

interface FuzzServer extends RunningServer {
  database: TestDatabase;
  users: Record<string, { id: string; role: Role; token: string }>;
  /** Stops the server when it runs on PGlite (one process per directory), then reads the database. */
  inspect<T>(read: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const driverToken = (server: FuzzServer) => server.users.canaryDriver!.token;

/**
 * Like startTestServer, without its cost per user: the users are inserted with one cheap password
 * hash (bcrypt cost 4) and their tokens are issued here with the server's secret, instead of a
 * cost-12 hash and a sign-in each. The server itself is the real one (spawnServer).
 */
async function startFuzzServer(users: [string, Role][]): Promise<FuzzServer> {
  const database = await createTestDatabase();
  const created: FuzzServer["users"] = {};
  process.env.NEXTAUTH_SECRET = TEST_SECRET;
  await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: true });
  try {
    const passwordHash = await bcrypt.hash(TEST_PASSWORD, 4);
    for (const [key, role] of users) {
      const email = `${key.toLowerCase()}-${randomBytes(3).toString("hex")}@fuzz.test`;
      const name = `Fuzz ${key}`;
      const user = await getDb().user.create({ data: { email, name, role, passwordHash } });
      const { token } = await issueToken({ sub: user.id, name, email, role, ver: user.tokenVersion });
      created[key] = { id: user.id, role, token };
    }
  } finally {
    await closeDatabase();
  }
  const running = await spawnServer({ database });
  return {
    ...running,
    database,
    users: created,
    ...databaseControls(running, database),
  };
}

// ---- The run --------------------------------------------------------------------------------------

export class FuzzRun {
  private server!: FuzzServer;
  private readonly actors: Actor[] = [];
  private canaryDriver!: { id: string; sio: ChatSocket; ws: JsonWsConnection; bucket: Bucket };
  private canaryControl!: { sio: ChatSocket; bucket: Bucket };
  private canaryConversation = "";
  private canarySequence = 0;
  private readonly victims: { field: string[]; control: string[] } = { field: [], control: [] };
  /** Every conversation except the canary's, with its creator (a field actor key or null). */
  private readonly conversations = new Map<string, string | null>();
  private readonly allMessages: string[] = [];
  /** Ids the server acknowledged (fixtures, ok creates and sends, canary sends): the database must hold exactly these. */
  private readonly ackedConversations = new Set<string>();
  private readonly ackedMessages = new Set<string>();
  private readonly report: FuzzReport;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private canaryRound = 0;

  constructor(private readonly options: FuzzOptions) {
    this.timeoutMs = options.replyTimeoutMs ?? 30_000;
    this.log = options.log ?? (() => undefined);
    this.report = {
      seed: options.seed,
      database: "",
      durationMs: 0,
      cases: 0,
      casesByTransport: { "socket.io": 0, "json-ws": 0 },
      passed: 0,
      failures: [],
      ok: 0,
      errorsByCode: {},
      refused: {},
      raw: { answered: 0, closed: 0, left: 0 },
      knownIssues: {},
      byEvent: {},
      byLabel: {},
      exercisedShare: 0,
      checks: [],
      invariants: [],
      serverErrorsLogged: 0,
    };
  }

  async run(): Promise<FuzzReport> {
    const started = Date.now();
    const cases = generateCases(this.options.perTransport, this.options.seed);
    await this.setUp();
    this.log(`fuzz: set up in ${((Date.now() - started) / 1000).toFixed(1)} s (${this.actors.length} actors, ${this.conversations.size} conversations)`);
    try {
      this.report.database = this.server.database.kind;
      const batchSize = this.options.batchSize ?? 100;
      // Interleave the transports so that both run in every batch.
      const half = cases.length / 2;
      const queue: { index: number; c: FuzzCase }[] = [];
      for (let i = 0; i < half; i += 1) queue.push({ index: i, c: cases[i]! }, { index: half + i, c: cases[half + i]! });
      for (let from = 0; from < queue.length; from += batchSize) {
        const batchStarted = Date.now();
        await this.runBatch(queue.slice(from, from + batchSize));
        const checksStarted = Date.now();
        await this.checkLiveness();
        this.log(
          `fuzz: ${Math.min(from + batchSize, queue.length)}/${queue.length} cases, ${this.report.failures.length} failures ` +
            `(batch ${((checksStarted - batchStarted) / 1000).toFixed(1)} s, checks ${((Date.now() - checksStarted) / 1000).toFixed(1)} s)`,
        );
      }
      await this.finalChecks();
    } finally {
      await this.tearDown();
    }
    const rateLimited = this.report.errorsByCode.RATE_LIMITED ?? 0;
    this.report.exercisedShare = this.report.cases === 0 ? 0 : (this.report.cases - rateLimited) / this.report.cases;
    this.report.durationMs = Date.now() - started;
    return this.report;
  }

  // ---- Setup --------------------------------------------------------------------------------------

  private async setUp(): Promise<void> {
    const t0 = Date.now();
    this.server = await startFuzzServer([...FIELD, ...STAFF, ...ADMINS, ...VICTIMS, ...CANARIES]);
    this.log(`fuzz: database prepared and server up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const users = this.server.users;
    const actors = await Promise.all(
      [...FIELD, ...STAFF, ...ADMINS].map(async ([key, role]): Promise<Actor> => {
        const token = users[key]!.token;
        return {
          key,
          id: users[key]!.id,
          cls: role === "CONTROL_ADMIN" ? "admin" : role === "CONTROL_STAFF" ? "staff" : "field",
          token,
          sio: await connectSocketIo(this.server.url, { token }),
          ws: await JsonWsConnection.open(this.server.url, token, this.timeoutMs),
          bucket: new Bucket(),
          busy: { "socket.io": false, "json-ws": false },
          conversations: [],
          messages: [],
        };
      }),
    );
    this.actors.push(...actors);
    this.log(`fuzz: actors connected in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const [key, role] of VICTIMS) (role === "CONTROL_STAFF" ? this.victims.control : this.victims.field).push(users[key]!.id);

    // Two conversations per field actor, each with a second message, made through the API.
    await Promise.all(
      this.actors
        .filter((a) => a.cls === "field")
        .map(async (actor) => {
          for (let n = 1; n <= 2; n += 1) {
            actor.bucket.take(2);
            const created = await this.fixtureCall(actor.sio, "conversation:create", { title: `Fixture ${actor.key} ${n}`, body: `Opening ${n}`, clientId: `fixture-${n}` });
            const conversation = field(field(created, "conversation"), "id") as string;
            const sent = await this.fixtureCall(actor.sio, "message:send", { conversationId: conversation, body: `Second ${n}`, clientId: `fixture-second-${n}` });
            this.trackConversation(actor, conversation, field(field(created, "message"), "id") as string);
            this.trackMessage(conversation, field(field(sent, "message"), "id") as string);
          }
        }),
    );

    const driverToken = users.canaryDriver!.token;
    const controlToken = users.canaryControl!.token;
    this.canaryDriver = {
      id: users.canaryDriver!.id,
      sio: await connectSocketIo(this.server.url, { token: driverToken }),
      ws: await JsonWsConnection.open(this.server.url, driverToken, this.timeoutMs),
      bucket: new Bucket(),
    };
    this.canaryControl = { sio: await connectSocketIo(this.server.url, { token: controlToken }), bucket: new Bucket() };
    this.canaryDriver.bucket.take();
    const canary = await this.fixtureCall(this.canaryDriver.sio, "conversation:create", { title: "Canary", body: "Canary opening", clientId: "canary-0" });
    this.canaryConversation = field(field(canary, "conversation"), "id") as string;
    this.ackedConversations.add(this.canaryConversation);
    this.ackedMessages.add(field(field(canary, "message"), "id") as string);
    this.canarySequence = 1;
  }

  private async fixtureCall(socket: ChatSocket, event: ClientEventName, input: unknown): Promise<unknown> {
    const ack = (await emitWithAck(socket, this.timeoutMs, event, [input])) as { ok: boolean; data?: unknown; error?: unknown };
    if (!ack.ok) throw new Error(`fixture ${event} failed: ${JSON.stringify(ack.error)}`);
    return ack.data;
  }

  private trackConversation(actor: Actor | null, conversation: string, firstMessage: string): void {
    if (!this.conversations.has(conversation)) this.conversations.set(conversation, actor?.key ?? null);
    if (actor && !actor.conversations.includes(conversation)) actor.conversations.push(conversation);
    this.ackedConversations.add(conversation);
    this.trackMessage(conversation, firstMessage);
  }

  private trackMessage(conversation: string, message: string): void {
    if (this.ackedMessages.has(message)) return;
    this.ackedMessages.add(message);
    this.allMessages.push(message);
    const owner = this.actors.find((a) => a.key === this.conversations.get(conversation));
    owner?.messages.push(message);
  }

  private async tearDown(): Promise<void> {
    for (const actor of this.actors) {
      actor.sio.disconnect();
      actor.ws.close();
    }
    this.canaryDriver?.sio.disconnect();
    this.canaryDriver?.ws.close();
    this.canaryControl?.sio.disconnect();
    await this.server?.close();
  }

  // ---- Scheduling ---------------------------------------------------------------------------------

  private async acquire(cls: ActorClass, transport: Transport, tokens: number): Promise<Actor> {
    for (;;) {
      const free = this.actors.filter((a) => a.cls === cls && !a.busy[transport]);
      const ready = free.filter((a) => a.bucket.waitMs(tokens) === 0).sort((x, y) => y.bucket.available() - x.bucket.available());
      const chosen = ready[0];
      if (chosen) {
        chosen.busy[transport] = true;
        chosen.bucket.take(tokens);
        return chosen;
      }
      const wait = free.length > 0 ? Math.min(...free.map((a) => a.bucket.waitMs(tokens))) : 10;
      await sleep(Math.max(5, Math.min(wait, 100)));
    }
  }

  private async runBatch(batch: { index: number; c: FuzzCase }[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const item = batch[next++]!;
        const tokens = item.c.kind === "raw" ? 2 : 1;
        const actor = await this.acquire(item.c.actor, item.c.transport, tokens);
        try {
          await this.runCase(item.index, item.c, actor);
        } finally {
          actor.busy[item.c.transport] = false;
        }
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 6 }, worker));
  }

  // ---- Ids ----------------------------------------------------------------------------------------

  private resolver(actor: Actor, event: ClientEventName | undefined, index: number): (ref: Ref) => string {
    const random = rng(this.options.seed ^ Math.imul(index + 1, 0x9e3779b1));
    const pick = (list: readonly string[]): string => list[Math.floor(random() * list.length)] ?? `cm${randomBytes(12).toString("hex").slice(0, 23)}`;
    const otherField = this.actors.filter((a) => a.cls === "field" && a !== actor);
    const endsSessions = event !== undefined && ADMIN_SESSION_ENDERS.has(event);
    const all = [...this.conversations.keys()];
    return (ref) => {
      let id: string;
      switch (ref.ref) {
        case "ownConversation":
          id = pick(actor.cls === "field" ? actor.conversations : all);
          break;
        case "foreignConversation":
          id = pick(otherField.flatMap((a) => a.conversations));
          break;
        case "anyConversation":
          id = pick(all);
          break;
        case "ownMessage":
          id = pick(actor.cls === "field" ? actor.messages : this.allMessages);
          break;
        case "foreignMessage":
          id = pick(otherField.flatMap((a) => a.messages));
          break;
        case "self":
          // A password reset of oneself would end the actor's own session: aim it at a victim.
          id = event === "user:reset-password" ? pick(this.victims.field) : actor.id;
          break;
        case "otherField":
          id = endsSessions ? pick(this.victims.field) : pick(otherField.map((a) => a.id));
          break;
        case "control":
          id = endsSessions ? pick(this.victims.control) : pick(this.actors.filter((a) => a.cls !== "field").map((a) => a.id));
          break;
        case "victim":
          id = pick([...this.victims.field, ...this.victims.control]);
          break;
        case "unknown":
          id = `cm${Math.floor(random() * 1e12).toString(36).padEnd(23, "0")}`;
          break;
      }
      return `${ref.pad}${id}${ref.pad}`;
    };
  }

  // ---- Cases --------------------------------------------------------------------------------------

  private async runCase(index: number, c: FuzzCase, actor: Actor): Promise<void> {
    this.report.cases += 1;
    this.report.casesByTransport[c.transport] += 1;
    this.report.byLabel[`${c.transport} ${c.label}`] = (this.report.byLabel[`${c.transport} ${c.label}`] ?? 0) + 1;
    const eventKey = c.event ?? (c.kind === "event" ? "(unknown event)" : "(frame)");
    const stats = (this.report.byEvent[eventKey] ??= { cases: 0, ok: 0, errors: 0 });
    stats.cases += 1;
    let outcome: Outcome;
    let failure: string | null;
    let description = "";
    try {
      if (c.transport === "socket.io" && c.kind === "event") ({ outcome, failure, description } = await this.runSioEvent(index, c, actor));
      else if (c.transport === "socket.io") ({ outcome, failure, description } = await this.runSioRaw(c, actor));
      else if (c.kind === "frame") ({ outcome, failure, description } = await this.runWsFrame(index, c, actor));
      else ({ outcome, failure, description } = await this.runWsRaw(c, actor));
    } catch (error) {
      outcome = { kind: "failed" };
      failure = `harness error: ${(error as Error).stack ?? String(error)}`;
    }
    if (outcome.kind === "ok") {
      this.report.ok += 1;
      stats.ok += 1;
    } else if (outcome.kind === "error") {
      const code = outcome.code as ErrorCode;
      this.report.errorsByCode[code] = (this.report.errorsByCode[code] ?? 0) + 1;
      stats.errors += 1;
    } else if (outcome.kind === "refused") {
      this.report.refused[outcome.how] = (this.report.refused[outcome.how] ?? 0) + 1;
    } else if (outcome.kind === "raw") {
      this.report.raw[outcome.how] += 1;
    }
    const known = failure && !this.options.strict ? KNOWN_ISSUES.find((k) => k.match.test(failure!)) : undefined;
    if (known) {
      this.report.knownIssues[known.issue] = (this.report.knownIssues[known.issue] ?? 0) + 1;
      this.log(`KNOWN ISSUE #${index} ${c.transport} ${eventKey}: ${failure}\n    payload: ${description}`);
      failure = null;
    }
    if (failure) {
      const line = `#${index} ${c.transport} ${c.label} ${eventKey} as ${c.actor} (${actor.key}): ${failure}\n    payload: ${description}`;
      this.report.failures.push(line);
      this.log(`FAILED ${line}`);
    } else {
      this.report.passed += 1;
    }
  }

  private judgeContext(c: FuzzCase, actor: Actor, input: unknown): JudgeContext {
    const conversationId = ownProperty(input, "conversationId");
    return {
      transport: c.transport,
      label: c.label,
      event: c.event,
      actor: { cls: actor.cls, id: actor.id },
      ownConversations: new Set(actor.conversations),
      effectiveConversationId: typeof conversationId === "string" ? conversationId.trim() : undefined,
    };
  }

  /** Records what an ok result created, so that later cases can aim at it. */
  private learn(actor: Actor, event: ClientEventName | undefined, data: unknown): void {
    if (event === "conversation:create") {
      const conversation = field(field(data, "conversation"), "id");
      const message = field(field(data, "message"), "id");
      if (typeof conversation === "string" && typeof message === "string") this.trackConversation(actor, conversation, message);
    }
    if (event === "message:send") {
      const message = field(data, "message");
      const id = field(message, "id");
      const conversation = field(message, "conversationId");
      if (typeof id === "string" && typeof conversation === "string") this.trackMessage(conversation, id);
    }
  }

  private async runSioEvent(index: number, c: SioEventCase, actor: Actor): Promise<{ outcome: Outcome; failure: string | null; description: string }> {
    const resolve = this.resolver(actor, c.event, index);
    const args = c.args.map((arg) => toJs(arg, resolve));
    const description = `${JSON.stringify(c.name).slice(0, 80)} ${c.args.map((a) => describe(a)).join(" , ")}`;
    // The frame the client will write: "42" + ack id + JSON of [event, ...args] (binary packets are estimated).
    const nextId = (actor.sio as unknown as { ids?: number }).ids ?? 0;
    const bytes = Buffer.byteLength(`42${nextId}${JSON.stringify([c.name, ...args])}`);
    const uncertain = c.args.some(hasBytes) && Math.abs(bytes - MAX_FRAME_BYTES) < 2048;
    const tooBig = bytes > MAX_FRAME_BYTES;

    const socket = actor.sio;
    let disconnectReason: string | null = null;
    const disconnected = new Promise<string>((resolveReason) => socket.once("disconnect", (reason) => resolveReason((disconnectReason = reason))));
    const reply = emitWithAck(socket, this.timeoutMs, c.name, args).then(
      (ack) => ({ answered: true as const, ack }),
      (error: unknown) => ({ answered: false as const, error: (error as Error).message }),
    );
    const result = await reply;
    if (!result.answered) {
      if (disconnectReason === null && result.error === "socket has been disconnected") await disconnected;
      await this.reconnectSio(actor);
      if (disconnectReason !== null && (tooBig || uncertain)) return { outcome: { kind: "refused", how: "socket.io disconnect (frame over the cap)" }, failure: null, description };
      return {
        outcome: { kind: "failed" },
        failure: disconnectReason !== null ? `the server disconnected the socket (${disconnectReason}) for a ${bytes}-byte frame` : `no reply (${result.error})`,
        description,
      };
    }
    socket.off("disconnect");
    if (tooBig && !uncertain) return { outcome: { kind: "failed" }, failure: `a ${bytes}-byte frame above the ${MAX_FRAME_BYTES}-byte cap was answered`, description };
    const input = c.args.length > 0 ? args[0] : undefined;
    const ctx = this.judgeContext(c, actor, input);
    if (!c.event) ctx.expectCode = "UNKNOWN_EVENT";
    return this.settle(actor, c.event, ctx, result.ack, description);
  }

  private settle(actor: Actor, event: ClientEventName | undefined, ctx: JudgeContext, ack: unknown, description: string): { outcome: Outcome; failure: string | null; description: string } {
    const failure = judgeReply(ctx, ack);
    const reply = ack as { ok?: boolean; data?: unknown; error?: { code?: unknown } };
    if (!failure && reply.ok === true) this.learn(actor, event, reply.data);
    const outcome: Outcome = failure ? { kind: "failed" } : reply.ok === true ? { kind: "ok" } : { kind: "error", code: String(reply.error?.code) };
    return { outcome, failure, description };
  }

  private async reconnectSio(actor: Actor): Promise<void> {
    actor.sio.removeAllListeners();
    actor.sio.disconnect();
    actor.sio = await connectSocketIo(this.server.url, { token: actor.token });
  }

  private async reconnectWs(actor: Actor): Promise<void> {
    actor.ws.close();
    actor.ws = await JsonWsConnection.open(this.server.url, actor.token, this.timeoutMs);
  }

  private async runSioRaw(c: SioRawCase, actor: Actor): Promise<{ outcome: Outcome; failure: string | null; description: string }> {
    const description = typeof c.frame === "string" ? `raw ${JSON.stringify(c.frame).slice(0, 200)} (${c.frame.length} chars)` : `raw bytes ${Buffer.from(c.frame).toString("hex").slice(0, 200)}`;
    const raw = await RawSocketIo.open(this.server.url, actor.token, this.timeoutMs);
    try {
      // A well-formed DISCONNECT of the namespace is the client leaving: nothing comes back, and a
      // request right behind it may be dropped by Socket.IO (it handles the DISCONNECT a tick later).
      if (typeof c.frame === "string" && c.ackId !== undefined) {
        const result = await raw.request(c.frame, c.ackId, this.timeoutMs);
        if (Buffer.byteLength(c.frame) > MAX_FRAME_BYTES) {
          if (result.kind === "closed" && result.code === 1009) return { outcome: { kind: "refused", how: "socket.io close 1009 (frame over the cap)" }, failure: null, description };
          return { outcome: { kind: "failed" }, failure: `a frame over the cap: expected close 1009, got ${JSON.stringify(result).slice(0, 200)}`, description };
        }
        if (result.kind !== "answered") return { outcome: { kind: "failed" }, failure: `no answer to a well-formed request (${JSON.stringify(result)})`, description };
        const ctx: JudgeContext = { transport: "socket.io", label: c.label, event: c.event, actor: { cls: actor.cls, id: actor.id }, ownConversations: new Set(actor.conversations) };
        return this.settle(actor, c.event, ctx, result.ack, description);
      }
      if (typeof c.frame === "string" && /^41\d*$/.test(c.frame)) {
        raw.ws.send(c.frame);
        return { outcome: { kind: "raw", how: "left" }, failure: null, description };
      }
      const result = await raw.probe(c.frame, this.timeoutMs);
      if (result.kind === "timeout") return { outcome: { kind: "failed" }, failure: "neither an answer to the probe after the frame nor a close", description };
      if (typeof c.frame !== "string") {
        // Not UTF-8 in a text frame: the WebSocket layer must close with 1007.
        if (result.kind === "closed" && result.code === 1007) return { outcome: { kind: "refused", how: "socket.io close 1007 (invalid UTF-8)" }, failure: null, description };
        return { outcome: { kind: "failed" }, failure: `invalid UTF-8: expected close 1007, got ${JSON.stringify(result)}`, description };
      }
      if (result.kind === "closed") return { outcome: { kind: "raw", how: "closed" }, failure: null, description };
      const failure = judgeReply({ transport: "socket.io", label: c.label, event: "conversation:list", actor: { cls: actor.cls, id: actor.id }, ownConversations: new Set(actor.conversations) }, result.ack);
      return { outcome: failure ? { kind: "failed" } : { kind: "raw", how: "answered" }, failure: failure && `probe: ${failure}`, description };
    } finally {
      raw.close();
    }
  }

  private wsFrameText(index: number, c: WsFrameCase, actor: Actor): { text: string; resolve: (ref: Ref) => string } {
    const resolve = this.resolver(actor, c.event, index);
    const entries: [string, FuzzValue][] = [...c.entries];
    if (c.requestId === "auto") entries.push(["request_id", `fz${index}`]);
    else if (c.requestId !== "omit") entries.push(["request_id", c.requestId]);
    const body = entries.map(([key, value]) => `${JSON.stringify(key)}:${toJsonText(value, resolve)}`).join(",");
    return { text: `{${body}}`, resolve };
  }

  private async runWsFrame(index: number, c: WsFrameCase, actor: Actor): Promise<{ outcome: Outcome; failure: string | null; description: string }> {
    const { text } = this.wsFrameText(index, c, actor);
    const description = c.entries.map(([key, value]) => `${key}=${describe(value)}`).join(" ") + ` request_id=${typeof c.requestId === "string" ? c.requestId : describe(c.requestId)}`;
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_FRAME_BYTES) return this.expectWsClose(actor, text, "text", 1009, description);

    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const requestType = isObject(parsed) && typeof parsed.type === "string" ? parsed.type : null;
    const rawId = ownProperty(parsed, "request_id");
    const requestId = typeof rawId === "string" || typeof rawId === "number" ? (JSON.parse(JSON.stringify(rawId)) as string | number | null) : null;
    const result = await actor.ws.exchange(text, "text", this.timeoutMs);
    if (result.kind !== "frame") {
      await this.reconnectWs(actor);
      return { outcome: { kind: "failed" }, failure: result.kind === "closed" ? `the connection closed with ${result.code} for a ${bytes}-byte frame` : "no reply", description };
    }
    const reply = frameToReply(result.frame, { requestType, requestId });
    if (typeof reply === "string") return { outcome: { kind: "failed" }, failure: reply, description };

    const data = ownProperty(parsed, "data");
    const input = data === undefined ? {} : data;
    const ctx = this.judgeContext(c, actor, isObject(input) ? { conversationId: ownProperty(input, "conversation_id") } : input);
    // The type decides whether this is a request at all; a known type runs its event.
    const seed = requestType !== null && Object.prototype.hasOwnProperty.call(SEED_REQUEST_TYPES, requestType) ? SEED_REQUEST_TYPES[requestType] : undefined;
    ctx.event = seed?.event;
    if (!seed) ctx.expectCode = requestType === null ? "VALIDATION" : "UNKNOWN_EVENT";
    else if (!isObject(input)) ctx.expectCode = "VALIDATION";
    return this.settle(actor, ctx.event, ctx, reply, description);
  }

  private async expectWsClose(actor: Actor, data: string | Uint8Array, mode: "text" | "binary", code: number, description: string) {
    const result = await actor.ws.exchange(data, mode, this.timeoutMs);
    await this.reconnectWs(actor);
    if (result.kind === "closed" && result.code === code) {
      return { outcome: { kind: "refused" as const, how: `json-ws close ${code} (${code === 1009 ? "frame over the cap" : "invalid UTF-8"})` }, failure: null, description };
    }
    return { outcome: { kind: "failed" as const }, failure: `expected close ${code}, got ${JSON.stringify(result).slice(0, 200)}`, description };
  }

  private async runWsRaw(c: WsRawCase, actor: Actor): Promise<{ outcome: Outcome; failure: string | null; description: string }> {
    const description = typeof c.data === "string" ? `${c.kind} ${JSON.stringify(c.data.slice(0, 200))} (${c.data.length} chars)` : `${c.kind} ${Buffer.from(c.data).toString("hex").slice(0, 200)}`;
    if (c.kind === "invalid-utf8") return this.expectWsClose(actor, c.data, "text", 1007, description);
    const bytes = typeof c.data === "string" ? Buffer.byteLength(c.data) : c.data.length;
    if (bytes > MAX_FRAME_BYTES) return this.expectWsClose(actor, c.data, c.kind === "binary" ? "binary" : "text", 1009, description);
    const result = await actor.ws.exchange(c.data, c.kind === "binary" ? "binary" : "text", this.timeoutMs);
    if (result.kind !== "frame") {
      await this.reconnectWs(actor);
      return { outcome: { kind: "failed" }, failure: result.kind === "closed" ? `the connection closed with ${result.code}` : "no reply", description };
    }
    // Garbage is never a request: the reply must be an error (VALIDATION, or UNKNOWN_EVENT for an object with an unknown type).
    let parsed: unknown = null;
    try {
      parsed = c.kind === "text" ? JSON.parse(c.data as string) : null;
    } catch {
      parsed = null;
    }
    const requestType = isObject(parsed) && typeof parsed.type === "string" ? parsed.type : null;
    const rawId = ownProperty(parsed, "request_id");
    const reply = frameToReply(result.frame, { requestType, requestId: typeof rawId === "string" || typeof rawId === "number" ? rawId : null });
    if (typeof reply === "string") return { outcome: { kind: "failed" }, failure: reply, description };
    const ctx: JudgeContext = { transport: "json-ws", label: c.label, actor: { cls: actor.cls, id: actor.id }, ownConversations: new Set(actor.conversations), expectCode: requestType === null ? "VALIDATION" : "UNKNOWN_EVENT" };
    return this.settle(actor, undefined, ctx, reply, description);
  }

  // ---- Liveness between batches -------------------------------------------------------------------

  private check(name: string, ok: boolean, detail?: string): void {
    this.report.checks.push(ok ? { name, ok } : { name, ok, detail });
  }

  private async canaryWait(bucket: Bucket, tokens: number): Promise<void> {
    const wait = bucket.waitMs(tokens);
    if (wait > 0) await sleep(wait);
    bucket.take(tokens);
  }

  private async checkLiveness(): Promise<void> {
    this.canaryRound += 1;
    const round = this.canaryRound;
    this.check("server process is running", this.server.process.exitCode === null && this.server.process.signalCode === null, `exit ${this.server.process.exitCode}`);
    try {
      const health = await fetch(`${this.server.url}/api/health`);
      const body = (await health.json()) as unknown;
      this.check("GET /api/health answers 200 {status: ok}", health.status === 200 && field(body, "status") === "ok", `${health.status} ${JSON.stringify(body)}`);
    } catch (error) {
      this.check("GET /api/health answers 200 {status: ok}", false, (error as Error).message);
    }

    const driver = this.canaryDriver;
    await this.canaryWait(driver.bucket, 5);
    // A real send on each transport, no isNote, `body` (not `content`) on the JSON WebSocket: a
    // polluted prototype (isNote, content, role…) would change what is stored.
    const sioBody = `canary socket.io ${round}`;
    try {
      const ack = await emitWithAck(driver.sio, this.timeoutMs, "message:send", [{ conversationId: this.canaryConversation, body: sioBody, clientId: `canary-sio-${round}` }]);
      const message = field(field(ack, "data"), "message");
      const good = field(ack, "ok") === true && field(message, "body") === sioBody && field(message, "kind") === "TEXT" && field(message, "sequence") === this.canarySequence + 1 && field(field(message, "sender"), "id") === driver.id;
      this.check("a real Socket.IO send is stored as sent, next in sequence", good, JSON.stringify(ack).slice(0, 300));
      if (good) {
        this.canarySequence += 1;
        this.ackedMessages.add(field(message, "id") as string);
      }
    } catch (error) {
      this.check("a real Socket.IO send is stored as sent, next in sequence", false, (error as Error).message);
    }
    const wsBody = `canary json-ws ${round}`;
    const wsReply = await driver.ws.exchange(JSON.stringify({ type: "send_chat_message", data: { conversation_id: this.canaryConversation, body: wsBody, client_id: `canary-ws-${round}` }, request_id: `canary-${round}` }), "text", this.timeoutMs);
    {
      const frame = wsReply.kind === "frame" ? wsReply.frame : null;
      const message = field(frame?.data, "message");
      const good = frame?.type === "response" && frame.request_id === `canary-${round}` && field(message, "body") === wsBody && field(message, "kind") === "TEXT" && field(message, "sequence") === this.canarySequence + 1;
      this.check("a real JSON WebSocket send is stored as sent, next in sequence", good, JSON.stringify(wsReply).slice(0, 300));
      if (good) {
        this.canarySequence += 1;
        this.ackedMessages.add(field(message, "id") as string);
      }
      if (wsReply.kind !== "frame") driver.ws = await JsonWsConnection.open(this.server.url, driverToken(this.server), this.timeoutMs);
    }
    try {
      const mine = await emitWithAck(driver.sio, this.timeoutMs, "conversation:list", [{}]);
      const list = (field(field(mine, "data"), "conversations") as unknown[] | undefined) ?? [];
      this.check(
        "a driver still lists only their own conversation",
        field(mine, "ok") === true && list.length === 1 && field(list[0], "id") === this.canaryConversation && field(list[0], "lastSequence") === this.canarySequence,
        JSON.stringify(mine).slice(0, 300),
      );
      for (const event of ["user:list", "presence:list"] as const) {
        const denied = await emitWithAck(driver.sio, this.timeoutMs, event, [{}]);
        this.check(`a driver still gets FORBIDDEN for ${event}`, field(field(denied, "error"), "code") === "FORBIDDEN", JSON.stringify(denied).slice(0, 300));
      }
    } catch (error) {
      this.check("the canary driver's requests are answered", false, (error as Error).message);
    }
    // Control sees exactly the canary's messages, in order, with nothing in between.
    await this.canaryWait(this.canaryControl.bucket, 1);
    try {
      const page = await emitWithAck(this.canaryControl.sio, this.timeoutMs, "message:list", [{ conversationId: this.canaryConversation, afterSequence: this.canarySequence - 2, limit: 100 }]);
      const messages = (field(field(page, "data"), "messages") as unknown[] | undefined) ?? [];
      this.check(
        "control staff see the canary's messages in order",
        JSON.stringify(messages.map((m) => [field(m, "sequence"), field(m, "body")])) === JSON.stringify([[this.canarySequence - 1, sioBody], [this.canarySequence, wsBody]]),
        JSON.stringify(page).slice(0, 300),
      );
    } catch (error) {
      this.check("control staff see the canary's messages in order", false, (error as Error).message);
    }
  }

  // ---- After the run ------------------------------------------------------------------------------

  private invariant(name: string, ok: boolean, detail?: string): void {
    this.report.invariants.push(ok ? { name, ok } : { name, ok, detail });
  }

  private async finalChecks(): Promise<void> {
    // A new connection on each transport works after everything the run sent.
    const actor = this.actors[0]!;
    try {
      const socket = await connectSocketIo(this.server.url, { token: actor.token });
      socket.disconnect();
      const ws = await JsonWsConnection.open(this.server.url, actor.token, this.timeoutMs);
      ws.close();
      this.check("new connections on both transports are accepted after the run", true);
    } catch (error) {
      this.check("new connections on both transports are accepted after the run", false, (error as Error).message);
    }
    this.report.serverErrorsLogged = (this.server.output().match(/"msg":"event failed"/g) ?? []).length;
    this.check("the server logged no unknown error for any event", this.report.serverErrorsLogged === 0, `${this.report.serverErrorsLogged} "event failed" lines`);
    for (const a of this.actors) {
      a.sio.disconnect();
      a.ws.close();
    }

    const count = async (db: Db, sql: string): Promise<number> => Number(((await db.$queryRawUnsafe(sql)) as { n: bigint | number }[])[0]?.n ?? -1);
    const state = await this.server.inspect(async (db) => ({
      orphanMessagesConversation: await count(db, `SELECT count(*) AS n FROM "Message" m LEFT JOIN "Conversation" c ON c.id = m."conversationId" WHERE c.id IS NULL`),
      orphanMessagesSender: await count(db, `SELECT count(*) AS n FROM "Message" m LEFT JOIN "User" u ON u.id = m."senderId" WHERE u.id IS NULL`),
      orphanParticipantsConversation: await count(db, `SELECT count(*) AS n FROM "Participant" p LEFT JOIN "Conversation" c ON c.id = p."conversationId" WHERE c.id IS NULL`),
      orphanParticipantsUser: await count(db, `SELECT count(*) AS n FROM "Participant" p LEFT JOIN "User" u ON u.id = p."userId" WHERE u.id IS NULL`),
      orphanConversations: await count(
        db,
        `SELECT count(*) AS n FROM "Conversation" c WHERE NOT EXISTS (SELECT 1 FROM "User" u WHERE u.id = c."creatorId")
           OR (c."assigneeId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "User" u WHERE u.id = c."assigneeId"))`,
      ),
      sequenceViolations: await count(
        db,
        `SELECT count(*) AS n FROM "Conversation" c
           LEFT JOIN (SELECT "conversationId", count(*) AS total, count(DISTINCT sequence) AS distinct_total, min(sequence) AS lo, max(sequence) AS hi
                        FROM "Message" GROUP BY "conversationId") s ON s."conversationId" = c.id
          WHERE COALESCE(s.total, 0) <> c."lastSequence" OR COALESCE(s.distinct_total, 0) <> c."lastSequence"
             OR (c."lastSequence" > 0 AND (s.lo <> 1 OR s.hi <> c."lastSequence"))`,
      ),
      readPointerViolations: await count(
        db,
        `SELECT count(*) AS n FROM "Participant" p JOIN "Conversation" c ON c.id = p."conversationId" WHERE p."lastReadSequence" > c."lastSequence" OR p."lastReadSequence" < 0`,
      ),
      fieldNotes: await count(db, `SELECT count(*) AS n FROM "Message" m JOIN "User" u ON u.id = m."senderId" WHERE m.kind = 'NOTE' AND u.role IN ('BUS_DRIVER', 'QUEUE_REGULATOR')`),
      fieldWritesElsewhere: await count(
        db,
        `SELECT count(*) AS n FROM "Message" m JOIN "User" u ON u.id = m."senderId" JOIN "Conversation" c ON c.id = m."conversationId"
          WHERE m.kind = 'TEXT' AND u.role IN ('BUS_DRIVER', 'QUEUE_REGULATOR') AND m."senderId" <> c."creatorId"`,
      ),
      conversations: ((await db.$queryRawUnsafe(`SELECT id FROM "Conversation"`)) as { id: string }[]).map((r) => r.id),
      messages: ((await db.$queryRawUnsafe(`SELECT id FROM "Message" WHERE kind <> 'SYSTEM'`)) as { id: string }[]).map((r) => r.id),
      canaryLast: (await db.conversation.findUnique({ where: { id: this.canaryConversation }, select: { lastSequence: true } }))?.lastSequence,
    }));
    this.invariant("no message without its conversation", state.orphanMessagesConversation === 0, String(state.orphanMessagesConversation));
    this.invariant("no message without its sender", state.orphanMessagesSender === 0, String(state.orphanMessagesSender));
    this.invariant("no participant without its conversation", state.orphanParticipantsConversation === 0, String(state.orphanParticipantsConversation));
    this.invariant("no participant without its user", state.orphanParticipantsUser === 0, String(state.orphanParticipantsUser));
    this.invariant("no conversation without its creator or assignee", state.orphanConversations === 0, String(state.orphanConversations));
    this.invariant("sequences are 1..lastSequence in every conversation (no gap, no duplicate)", state.sequenceViolations === 0, `${state.sequenceViolations} conversations`);
    this.invariant("read pointers are between 0 and lastSequence", state.readPointerViolations === 0, `${state.readPointerViolations} participants`);
    this.invariant("no staff note written by field staff", state.fieldNotes === 0, String(state.fieldNotes));
    this.invariant("field staff wrote only in conversations they created", state.fieldWritesElsewhere === 0, String(state.fieldWritesElsewhere));
    const missingConversations = [...this.ackedConversations].filter((id) => !state.conversations.includes(id));
    const extraConversations = state.conversations.filter((id) => !this.ackedConversations.has(id));
    this.invariant("every acknowledged conversation is stored, and no other", missingConversations.length === 0 && extraConversations.length === 0, `missing ${missingConversations.length}, unacknowledged ${extraConversations.length}`);
    const stored = new Set(state.messages);
    const missingMessages = [...this.ackedMessages].filter((id) => !stored.has(id));
    const extraMessages = state.messages.filter((id) => !this.ackedMessages.has(id));
    this.invariant("every acknowledged message is stored, and no other (SYSTEM messages aside)", missingMessages.length === 0 && extraMessages.length === 0, `missing ${missingMessages.length}, unacknowledged ${extraMessages.length}`);
    this.invariant("the canary conversation holds exactly the canary's sends", state.canaryLast === this.canarySequence, `lastSequence ${state.canaryLast}, expected ${this.canarySequence}`);
  }
}

/** Runs the fuzzer once and returns its report (the server and its database are gone afterwards). */
export function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  return new FuzzRun(options).run();
}

/** The report as printed lines, ending with `fuzz: N passed, M failed`. */
export function formatReport(report: FuzzReport): string[] {
  const lines: string[] = [];
  const failedChecks = [...report.checks, ...report.invariants].filter((c) => !c.ok);
  lines.push(`fuzz: seed ${report.seed}, database ${report.database}, ${(report.durationMs / 1000).toFixed(1)} s`);
  lines.push(`cases: ${report.cases} (socket.io ${report.casesByTransport["socket.io"]}, json-ws ${report.casesByTransport["json-ws"]})`);
  lines.push(`  ok results: ${report.ok}`);
  const codes = Object.entries(report.errorsByCode).sort((a, b) => b[1] - a[1]);
  lines.push(`  typed errors: ${codes.reduce((sum, [, n]) => sum + n, 0)} (${codes.map(([code, n]) => `${code} ${n}`).join(", ")})`);
  lines.push(`  refused by the transport: ${Object.values(report.refused).reduce((a, b) => a + b, 0)} (${Object.entries(report.refused).map(([how, n]) => `${how}: ${n}`).join("; ")})`);
  lines.push(`  raw Socket.IO frames: probe answered ${report.raw.answered}, connection closed ${report.raw.closed}, namespace left (DISCONNECT packet) ${report.raw.left}`);
  lines.push(`  reached validation or further (not RATE_LIMITED): ${(report.exercisedShare * 100).toFixed(1)}%`);
  lines.push(`  by event: ${Object.entries(report.byEvent).map(([event, s]) => `${event} ${s.cases} (${s.ok} ok)`).join(", ")}`);
  lines.push(`  by kind: ${Object.entries(report.byLabel).map(([label, n]) => `${label} ${n}`).join(", ")}`);
  lines.push(`liveness checks between batches: ${report.checks.filter((c) => c.ok).length}/${report.checks.length} held`);
  lines.push(`database invariants: ${report.invariants.filter((c) => c.ok).length}/${report.invariants.length} held`);
  for (const inv of report.invariants) lines.push(`  ${inv.ok ? "ok  " : "FAIL"} ${inv.name}${inv.ok ? "" : `: ${inv.detail}`}`);
  lines.push(`server "event failed" log lines: ${report.serverErrorsLogged}`);
  for (const [issue, n] of Object.entries(report.knownIssues)) lines.push(`KNOWN ISSUE (reported, not counted as a failure; --strict counts it) × ${n}: ${issue}`);
  for (const check of failedChecks.filter((c) => !report.invariants.includes(c))) lines.push(`FAILED CHECK ${check.name}: ${check.detail}`);
  for (const failure of report.failures.slice(0, 50)) lines.push(`FAILED ${failure}`);
  if (report.failures.length > 50) lines.push(`… and ${report.failures.length - 50} more failed cases`);
  const passed = report.passed + report.checks.length + report.invariants.length - failedChecks.length;
  const failed = report.failures.length + failedChecks.length;
  lines.push(`fuzz: ${passed} passed, ${failed} failed`);
  return lines;
}
