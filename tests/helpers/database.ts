import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { closeDatabase, openDatabase } from "../../lib/db/open";
import { getDb, type Db } from "../../lib/db";
import { createUser } from "../../lib/users/create-user";
import type { Role } from "../../lib/chat/types";

// Every test file gets its own database: a fresh PGlite directory by default, or a fresh PostgreSQL
// database when TEST_DB=postgres (dropped afterwards).

export const TEST_DB = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  kind: "pglite" | "postgres";
  dataDir: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

/** The PostgreSQL server the throwaway databases are created on, and how long to try to reach it. */
export interface PostgresAdmin {
  url: string;
  /** Give up connecting after this long (default: pg's, which waits as long as the OS does). */
  connectionTimeoutMillis?: number;
}

/** Where scratch databases go and what they are called; the defaults are the tests'. */
export interface ScratchDatabaseOptions {
  /** Default: PG_ADMIN_URL (TEST_PG_URL). */
  admin?: PostgresAdmin;
  /** Names the directory `transit-<purpose>-…` and the PostgreSQL database `transit_<purpose>_…` (default "test"). */
  purpose?: string;
}

const TEST_PG_ADMIN: PostgresAdmin = { url: PG_ADMIN_URL };

export async function adminQuery(sql: string, admin: PostgresAdmin = TEST_PG_ADMIN): Promise<void> {
  const client = new pg.Client({ connectionString: admin.url, connectionTimeoutMillis: admin.connectionTimeoutMillis });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function isPostgresAvailable(admin: PostgresAdmin = TEST_PG_ADMIN): Promise<boolean> {
  try {
    await adminQuery("SELECT 1", admin);
    return true;
  } catch {
    return false;
  }
}

/** A new, empty PostgreSQL database on the local server. */
export async function createPostgresDatabase(options: ScratchDatabaseOptions = {}): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const { admin = TEST_PG_ADMIN, purpose = "test" } = options;
  const name = `transit_${purpose}_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`, admin);
  const url = new URL(admin.url);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, admin) };
}

/** A fresh data directory, plus a fresh PostgreSQL database for "postgres"; `drop` removes both. */
export async function createTestDatabase(kind: "pglite" | "postgres" = TEST_DB, options: ScratchDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `transit-${options.purpose ?? "test"}-`));
  const removeDir = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (kind === "pglite") {
    return { kind, dataDir, drop: removeDir };
  }
  const created = await createPostgresDatabase(options);
  return {
    kind,
    dataDir,
    databaseUrl: created.url,
    drop: async () => {
      try {
        await created.drop();
      } finally {
        await removeDir();
      }
    },
  };
}

export interface TestUserSpec {
  role: Role;
  name?: string;
  vehicle?: string;
  route?: string;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  role: Role;
}

export const TEST_PASSWORD = "correct-horse-battery";

/**
 * Opens the database in this process (migrating it first if `migrate`), runs `work`, and closes it
 * again, so the server process can open it next (PGlite allows one process per directory).
 */
export async function withDatabase<T>(database: TestDatabase, work: (db: Db) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: options.migrate });
  try {
    return await work(getDb());
  } finally {
    await closeDatabase();
  }
}

/** Migrates the database and creates users, in this process (see withDatabase). */
export async function prepareDatabase(database: TestDatabase, users: Record<string, TestUserSpec>): Promise<Record<string, TestUser>> {
  return withDatabase(
    database,
    async () => {
      const created: Record<string, TestUser> = {};
      for (const [key, spec] of Object.entries(users)) {
        const email = `${key.toLowerCase()}-${randomBytes(3).toString("hex")}@test.local`;
        const name = spec.name ?? key;
        const user = await createUser({ email, name, role: spec.role, password: TEST_PASSWORD, vehicle: spec.vehicle, route: spec.route });
        created[key] = { id: user.id, email, password: TEST_PASSWORD, name, role: spec.role };
      }
      return created;
    },
    { migrate: true },
  );
}

/** Opens the database in this process to inspect it (the server must be stopped when it is PGlite). */
export function inspectDatabase<T>(database: TestDatabase, read: (db: Db) => Promise<T>): Promise<T> {
  return withDatabase(database, read);
}
