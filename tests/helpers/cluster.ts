import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createClient } from "redis";
import { createTestDatabase, isPostgresAvailable, PG_ADMIN_URL, prepareDatabase, type TestDatabase, type TestUser, type TestUserSpec } from "./database";
import { spawnServer, type RunningServer } from "./server";
import { emitAck, type ChatSocket, type JsonWsClient } from "./clients";
import type { Ack } from "../../lib/errors";
import type { AckData, ClientEventName } from "../../lib/realtime/events";
import type { MessageView } from "../../lib/chat/types";

// Several real server processes on one fresh PostgreSQL database and one Redis, as in production
// behind a load balancer. Each run has its own database and its own Redis prefix (keys, the
// adapter's stream and channels), so runs never see each other.

export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

async function isRedisAvailable(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Why a cluster cannot run on this machine (no PostgreSQL, no Redis), or null when it can. */
export async function missingClusterServices(): Promise<string | null> {
  const [hasPostgres, hasRedis] = await Promise.all([isPostgresAvailable(), isRedisAvailable(REDIS_TEST_URL)]);
  const missing = [
    ...(hasPostgres ? [] : [`PostgreSQL (${new URL(PG_ADMIN_URL).host}, TEST_PG_URL)`]),
    ...(hasRedis ? [] : [`Redis (${new URL(REDIS_TEST_URL).host}, TEST_REDIS_URL)`]),
  ];
  return missing.length > 0 ? `needs ${missing.join(" and ")}, not reachable` : null;
}

export interface TestCluster {
  nodes: Record<string, RunningServer>;
  users: Record<string, TestUser>;
  database: TestDatabase;
  /** This run's REDIS_PREFIX. */
  prefix: string;
  /** A token from POST /api/auth/token on `node` (any node's token is valid on every node). */
  token(key: string, node: string): Promise<string>;
  /** Reads PostgreSQL directly, bypassing the app. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops every node that still runs, drops the database and deletes this run's Redis keys. */
  close(): Promise<void>;
}

/**
 * A fresh PostgreSQL database with `users`, and one server process per name in `nodeNames`, all on
 * one Redis (the machine's, or `options.redisUrl`, e.g. a private redis-server a test restarts).
 */
export async function startCluster(users: Record<string, TestUserSpec>, nodeNames: readonly string[], options: { redisUrl?: string } = {}): Promise<TestCluster> {
  const redisUrl = options.redisUrl ?? REDIS_TEST_URL;
  const database = await createTestDatabase("postgres");
  const prefix = `transit-test-${randomBytes(6).toString("hex")}:`;
  const dataDirs: string[] = [];
  const nodes: Record<string, RunningServer> = {};
  const close = async () => {
    await Promise.all(Object.values(nodes).map((node) => node.stop()));
    await database.drop();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    await deleteRedisKeys(redisUrl, prefix).catch(() => undefined);
  };
  try {
    const created = await prepareDatabase(database, users);
    // Like separate machines: nothing shared but PostgreSQL, Redis and the secret.
    const started = await Promise.all(
      nodeNames.map((name) => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `transit-node-${name}-`));
        dataDirs.push(dataDir);
        return spawnServer({ database, env: { DATA_DIR: dataDir, REDIS_URL: redisUrl, REDIS_PREFIX: prefix } }).then((node) => [name, node] as const);
      }),
    );
    for (const [name, node] of started) nodes[name] = node;
    return {
      nodes,
      users: created,
      database,
      prefix,
      async token(key, node) {
        const user = created[key];
        const server = nodes[node];
        if (!user || !server) throw new Error(`no test user ${key} or node ${node}`);
        const response = await fetch(`${server.url}/api/auth/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: user.email, password: user.password }),
        });
        if (!response.ok) throw new Error(`token for ${key} on ${node}: ${response.status} ${await response.text()}`);
        return ((await response.json()) as { token: string }).token;
      },
      async query(sql, params) {
        const client = new pg.Client({ connectionString: database.databaseUrl });
        await client.connect();
        try {
          return (await client.query(sql, params)).rows;
        } finally {
          await client.end();
        }
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Every key under this run's prefix: the adapter's stream, sessions, rate-limit buckets. */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
  } finally {
    client.destroy();
  }
}

/** `call`, retrying RATE_LIMITED after the advertised wait (same input, as a client would); other errors throw. */
export async function callPaced<E extends ClientEventName>(socket: ChatSocket, event: E, input: unknown): Promise<AckData<E>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ack: Ack<AckData<E>> = await emitAck(socket, event, input);
    if (ack.ok) return ack.data;
    if (ack.error.code !== "RATE_LIMITED") throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
    await new Promise((resolve) => setTimeout(resolve, Number(ack.error.details?.retryAfterMs ?? 100)));
  }
  throw new Error(`${event} stayed rate limited`);
}

/** Every message after `afterSequence`, paging with message:list afterSequence. */
export async function listAfter(socket: ChatSocket, conversationId: string, afterSequence: number, limit = 100): Promise<MessageView[]> {
  const messages: MessageView[] = [];
  let cursor = afterSequence;
  for (let page = 0; page < 100; page++) {
    const listed = await callPaced(socket, "message:list", { conversationId, afterSequence: cursor, limit });
    messages.push(...listed.messages);
    const last = listed.messages.at(-1);
    if (!listed.hasMore || !last) return messages;
    cursor = last.sequence;
  }
  throw new Error("catch-up did not terminate");
}

export interface Received {
  conversationId: string;
  id: string;
  sequence: number;
  clientId: string;
  /** Which connection (or "catch-up") it came through. */
  via: string;
}

/**
 * Everything one participant received of `message:new`, across their successive connections (a
 * person on a phone that reconnects elsewhere), in arrival order; catch-up results are appended.
 */
export class Inbox {
  readonly received: Received[] = [];

  constructor(readonly name: string) {}

  watch(socket: ChatSocket, via: string): void {
    socket.on("message:new", (m) => this.received.push({ conversationId: m.conversationId, id: m.id, sequence: m.sequence, clientId: m.clientId, via }));
  }

  watchJson(client: JsonWsClient, via: string): void {
    client.ws.on("message", (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as { type: string; data?: { conversation_id: string; id: string; sequence: number; client_id: string } };
      if (frame.type !== "new_message" || !frame.data) return;
      const { conversation_id: conversationId, id, sequence, client_id: clientId } = frame.data;
      this.received.push({ conversationId, id, sequence, clientId, via });
    });
  }

  /** Catches up after a reconnect: everything after the last sequence this participant has, through `socket`. */
  async catchUp(socket: ChatSocket, conversationId: string, via = "catch-up"): Promise<MessageView[]> {
    const missed = await listAfter(socket, conversationId, this.last(conversationId));
    for (const m of missed) this.received.push({ conversationId, id: m.id, sequence: m.sequence, clientId: m.clientId, via });
    return missed;
  }

  in(conversationId: string): Received[] {
    return this.received.filter((r) => r.conversationId === conversationId);
  }

  has(messageId: string): boolean {
    return this.received.some((r) => r.id === messageId);
  }

  last(conversationId: string): number {
    return Math.max(0, ...this.in(conversationId).map((r) => r.sequence));
  }
}

/**
 * Kills a node the hard way (power loss, OOM kill): SIGKILL to the server process itself, which runs
 * under tsx (`RunningServer.stop("SIGKILL")` would kill only the tsx wrapper and leave the server
 * running). Resolves once the wrapper has seen it die.
 */
export async function killNode(node: RunningServer): Promise<void> {
  const pid = Number(/"pid":(\d+)[^\n]*"msg":"listening"/.exec(node.output())?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error("no pid in the node's listening line");
  const exited = new Promise<void>((resolve) => (node.process.exitCode !== null || node.process.signalCode !== null ? resolve() : node.process.once("exit", () => resolve())));
  process.kill(pid, "SIGKILL");
  await exited;
}

/** `promise`, or a failure naming `what` after `timeoutMs` (a liveness bound, not a performance threshold). */
export function within<T>(promise: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
