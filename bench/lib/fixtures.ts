import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import pg from "pg";
import { createConversation } from "../../lib/chat/create-conversation";
import type { Role } from "../../lib/chat/types";
import {
  createTestDatabase,
  inspectDatabase,
  isPostgresAvailable as isServerAvailable,
  withDatabase,
  type PostgresAdmin,
  type TestDatabase,
} from "../../tests/helpers/database";
import { onCleanup } from "./processes";
import { mapLimit } from "./util";

// Databases and accounts for a benchmark run: a fresh PGlite directory or a fresh PostgreSQL database
// (dropped at the end), made and migrated by the tests' helpers, and accounts inserted in bulk.

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const PG_ADMIN: PostgresAdmin = { url: PG_ADMIN_URL, connectionTimeoutMillis: 5000 };
export const BENCH_PASSWORD = "bench-password-not-secret";
/**
 * Bench accounts store a bcrypt hash of cost 4 instead of the product's 12: the token route then
 * verifies in ~1 ms instead of ~0.3 s of one core, so hundreds of sign-ins don't dominate the run.
 * Sign-in cost is not what this benchmark measures; everything after the token is the product's path.
 */
const BENCH_HASH_COST = 4;

export type BenchDatabase = TestDatabase;

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost") throw new Error(`the benchmark only talks to 127.0.0.1, not ${host}`);
}

export async function isPostgresAvailable(): Promise<boolean> {
  try {
    assertLocal(PG_ADMIN_URL);
  } catch {
    return false;
  }
  return isServerAvailable(PG_ADMIN);
}

/** A scratch database (see createTestDatabase) whose drop also runs at cleanupAll. */
export async function createBenchDatabase(kind: "pglite" | "postgres"): Promise<BenchDatabase> {
  if (kind === "postgres") assertLocal(PG_ADMIN_URL);
  const database = await createTestDatabase(kind, { admin: PG_ADMIN, purpose: "bench" });
  const what = database.databaseUrl ? `PostgreSQL database ${new URL(database.databaseUrl).pathname.slice(1)}` : `PGlite directory ${database.dataDir}`;
  return { ...database, drop: onCleanup(what, () => database.drop()) };
}

export interface BenchUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Set for the accounts of a spec with `opensConversation`: the support conversation they opened. */
  conversationId?: string;
}

export interface UserSpec {
  prefix: string;
  role: Role;
  count: number;
  /** Each account opens one support conversation (through lib/chat's createConversation). */
  opensConversation?: boolean;
}

/**
 * Migrates the database in this process, inserts the accounts, opens the conversations, and closes it
 * again so the server can open it (PGlite: one process per directory). Conversations are opened by
 * the product's own createConversation (the rule behind conversation:create), after every account
 * exists, so all control staff are participants, exactly as when drivers open them over a socket.
 */
export async function prepareBenchDatabase(database: BenchDatabase, specs: readonly UserSpec[]): Promise<Record<string, BenchUser[]>> {
  return withDatabase(database, async (db) => {
    const passwordHash = bcrypt.hashSync(BENCH_PASSWORD, BENCH_HASH_COST);
    const created: Record<string, BenchUser[]> = {};
    for (const spec of specs) {
      const users: BenchUser[] = [];
      for (let i = 0; i < spec.count; i++) {
        const name = `${spec.prefix} ${i + 1}`;
        users.push({ id: `bench_${spec.prefix}_${i}_${randomBytes(4).toString("hex")}`, email: `${spec.prefix}-${i}@bench.local`, name, role: spec.role });
      }
      for (let i = 0; i < users.length; i += 500) {
        await db.user.createMany({
          data: users.slice(i, i + 500).map((user, j) => ({
            ...user,
            passwordHash,
            vehicle: spec.role === "BUS_DRIVER" ? `Bus ${i + j + 1}` : null,
            route: spec.role === "BUS_DRIVER" ? `Route ${((i + j) % 40) + 1}` : null,
          })),
        });
      }
      created[spec.prefix] = users;
    }
    for (const spec of specs) {
      if (!spec.opensConversation) continue;
      for (const [index, user] of (created[spec.prefix] ?? []).entries()) {
        const opened = await createConversation(
          { id: user.id, name: user.name, email: user.email, role: user.role },
          { body: `Bus ${index + 1}: starting my shift.`, clientId: `open-${index}` },
        );
        user.conversationId = opened.conversation.id;
      }
    }
    return created;
  }, { migrate: true });
}

let template: Promise<{ dataDir: string; users: Record<string, BenchUser[]> }> | undefined;

/**
 * A fresh PGlite directory with `specs`' accounts. The first call creates and migrates a template
 * (creating a PGlite directory is the slow part) and every call gets a copy of it, so the PGlite and
 * capacity scenarios of one run pay for it once. All calls of a run must pass the same `specs`.
 */
export async function createPgliteFromTemplate(specs: readonly UserSpec[]): Promise<{ database: BenchDatabase; users: Record<string, BenchUser[]> }> {
  template ??= (async () => {
    const source = await createBenchDatabase("pglite");
    return { dataDir: source.dataDir, users: await prepareBenchDatabase(source, specs) };
  })();
  const { dataDir, users } = await template;
  const database = await createBenchDatabase("pglite");
  fs.cpSync(path.join(dataDir, "pglite"), path.join(database.dataDir, "pglite"), { recursive: true });
  return { database, users };
}

/** The clientId of every row in "Message" (PGlite: the server must be stopped). */
export async function storedClientIds(database: BenchDatabase): Promise<Set<string>> {
  return inspectDatabase(database, async (db) => {
    const rows = await db.message.findMany({ select: { clientId: true } });
    return new Set(rows.map((row) => row.clientId));
  });
}

/** A direct PostgreSQL connection to the bench database, for row counts and backend pids during a run. */
export class PostgresObserver {
  readonly close: () => Promise<void>;

  private constructor(private readonly client: pg.Client) {
    // Closed before its database is dropped (cleanups run newest first); a dropped connection is not a crash.
    client.on("error", () => undefined);
    this.close = onCleanup("PostgreSQL observer connection", () => client.end());
  }

  static async connect(databaseUrl: string): Promise<PostgresObserver> {
    assertLocal(databaseUrl);
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    return new PostgresObserver(client);
  }

  async messageCount(): Promise<number> {
    const result = await this.client.query<{ n: number }>('SELECT count(*)::int AS n FROM "Message"');
    return result.rows[0]?.n ?? 0;
  }

  /** The server's backend processes on this database (not this observer's own). */
  async backendPids(): Promise<number[]> {
    const result = await this.client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    return result.rows.map((row) => row.pid);
  }

}

/** Tokens through the product's POST /api/auth/token, a few requests at a time. */
export async function fetchTokens(baseUrl: string, users: readonly BenchUser[], concurrency = 8): Promise<string[]> {
  return mapLimit(users, concurrency, async (user) => {
    const response = await fetch(`${baseUrl}/api/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: BENCH_PASSWORD }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`token for ${user.email}: ${response.status} ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    return token;
  });
}
