import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import pg from "pg";
import { closeDatabase, openDatabase } from "../../lib/db-open";
import { getDb } from "../../lib/db";
import { createConversation } from "../../lib/chat/create-conversation";
import type { Role } from "../../lib/chat/types";
import { onCleanup } from "./processes";
import { mapLimit } from "./util";

// Databases and accounts for a benchmark run: a fresh PGlite directory or a fresh PostgreSQL database
// (dropped at the end), migrated by lib/db-open like the tests do, and accounts inserted in bulk.

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const BENCH_PASSWORD = "bench-password-not-secret";
/**
 * Bench accounts store a bcrypt hash of cost 4 instead of the product's 12: the token route then
 * verifies in ~1 ms instead of ~0.3 s of one core, so hundreds of sign-ins don't dominate the run.
 * Sign-in cost is not what this benchmark measures; everything after the token is the product's path.
 */
const BENCH_HASH_COST = 4;

export interface BenchDatabase {
  kind: "pglite" | "postgres";
  dataDir: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost") throw new Error(`the benchmark only talks to 127.0.0.1, not ${host}`);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function isPostgresAvailable(): Promise<boolean> {
  try {
    assertLocal(PG_ADMIN_URL);
    await adminQuery("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

export async function createBenchDatabase(kind: "pglite" | "postgres"): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "transit-bench-"));
  const removeDir = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (kind === "pglite") {
    return { kind, dataDir, drop: onCleanup(`PGlite directory ${dataDir}`, removeDir) };
  }
  assertLocal(PG_ADMIN_URL);
  const name = `transit_bench_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const drop = onCleanup(`PostgreSQL database ${name}`, async () => {
    try {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await removeDir();
    }
  });
  return { kind, dataDir, databaseUrl: url.toString(), drop };
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
  await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: true });
  try {
    const passwordHash = bcrypt.hashSync(BENCH_PASSWORD, BENCH_HASH_COST);
    const created: Record<string, BenchUser[]> = {};
    for (const spec of specs) {
      const users: BenchUser[] = [];
      for (let i = 0; i < spec.count; i++) {
        const name = `${spec.prefix} ${i + 1}`;
        users.push({ id: `bench_${spec.prefix}_${i}_${randomBytes(4).toString("hex")}`, email: `${spec.prefix}-${i}@bench.local`, name, role: spec.role });
      }
      for (let i = 0; i < users.length; i += 500) {
        await getDb().user.createMany({
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
  } finally {
    await closeDatabase();
  }
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
  await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  try {
    const rows = await getDb().message.findMany({ select: { clientId: true } });
    return new Set(rows.map((row) => row.clientId));
  } finally {
    await closeDatabase();
  }
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
