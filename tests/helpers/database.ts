import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { closeDatabase, openDatabase } from "../../lib/db-open";
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

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function isPostgresAvailable(): Promise<boolean> {
  try {
    await adminQuery("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

/** A new, empty PostgreSQL database on the local server. */
export async function createPostgresDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `transit_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function createTestDatabase(kind: "pglite" | "postgres" = TEST_DB): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "transit-test-"));
  if (kind === "pglite") {
    return { kind, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const created = await createPostgresDatabase();
  return {
    kind,
    dataDir,
    databaseUrl: created.url,
    drop: async () => {
      await created.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
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
 * Opens the database in this process (migrating it), creates users, and closes it again, so the
 * server process can open it next (PGlite allows one process per directory).
 */
export async function prepareDatabase(database: TestDatabase, users: Record<string, TestUserSpec>): Promise<Record<string, TestUser>> {
  await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: true });
  try {
    const created: Record<string, TestUser> = {};
    for (const [key, spec] of Object.entries(users)) {
      const email = `${key.toLowerCase()}-${randomBytes(3).toString("hex")}@test.local`;
      const name = spec.name ?? key;
      const user = await createUser({ email, name, role: spec.role, password: TEST_PASSWORD, vehicle: spec.vehicle, route: spec.route });
      created[key] = { id: user.id, email, password: TEST_PASSWORD, name, role: spec.role };
    }
    return created;
  } finally {
    await closeDatabase();
  }
}

/** Opens the database in this process to inspect it (the server must be stopped when it is PGlite). */
export async function inspectDatabase<T>(database: TestDatabase, read: (db: Db) => Promise<T>): Promise<T> {
  await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  try {
    return await read(getDb());
  } finally {
    await closeDatabase();
  }
}
