import fs from "node:fs";
import path from "node:path";
import { PrismaClient } from "../generated/prisma/client";
import { getDbState, setDbState } from "./index";
import { metrics } from "../metrics";
// Our offline schema engine (plain ESM, shared with the Prisma CLI).
import { applyMigrations, openAdapterFactory } from "./schema-engine.mjs";

// Opening and closing the database: server.ts and the CLI scripts only, never Next's bundles.

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const SCHEMA_PATH = path.join(PROJECT_ROOT, "prisma", "schema.prisma");
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, "prisma", "migrations");

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(`DATA_DIR ${dir} is already open in process ${pid}; PGlite allows one process per data directory. Stop that process or use another DATA_DIR.`);
    this.name = "DataDirInUseError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite takes no lock of its own and two processes on one directory lose data, so we hold a pid file.
 * A lock left by a dead process (SIGKILL) is taken over.
 */
function acquireLock(dir: string): () => void {
  const file = path.join(dir, "server.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holderPid = Number(fs.readFileSync(file, "utf8"));
      if (Number.isInteger(holderPid) && holderPid > 0 && holderPid !== process.pid && isAlive(holderPid)) {
        throw new DataDirInUseError(dir, holderPid);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock on ${dir}`);
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent the embedded database in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  /** Apply pending migrations (always true for the embedded database). */
  migrate?: boolean;
}

export interface OpenedDatabase {
  client: PrismaClient;
  kind: "pglite" | "postgres";
  /** True when the embedded database was created by this call (used to seed demo accounts). */
  isNew: boolean;
  appliedMigrations: string[];
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const existing = getDbState();
  if (existing) return { client: existing.client, kind: existing.kind, isNew: false, appliedMigrations: [] };

  if (options.databaseUrl) {
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    metrics.watchPool(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
    const client = new PrismaClient({ adapter: new PrismaPg(pool) });
    const appliedMigrations = options.migrate
      ? await applyMigrations({ url: options.databaseUrl, schemaPath: SCHEMA_PATH, migrationsDir: MIGRATIONS_DIR })
      : [];
    setDbState({
      client,
      kind: "postgres",
      close: async () => {
        await client.$disconnect();
        await pool.end().catch(() => undefined);
      },
    });
    return { client, kind: "postgres", isNew: false, appliedMigrations };
  }

  const dir = path.resolve(options.dataDir, "pglite");
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = acquireLock(path.dirname(dir));
  try {
    const isNew = !fs.existsSync(path.join(dir, "PG_VERSION"));
    const factory = await openAdapterFactory(`postgresql://pglite/${dir}`);
    const appliedMigrations = await applyMigrations({ factory, schemaPath: SCHEMA_PATH, migrationsDir: MIGRATIONS_DIR });
    const client = new PrismaClient({ adapter: factory });
    // PGlite has no autovacuum: refresh planner statistics once per start.
    await client.$executeRawUnsafe("ANALYZE");
    setDbState({
      client,
      kind: "pglite",
      close: async () => {
        await client.$disconnect();
        await factory.close();
        release();
      },
    });
    return { client, kind: "pglite", isNew, appliedMigrations };
  } catch (error) {
    release();
    throw error;
  }
}

export async function closeDatabase(): Promise<void> {
  const state = getDbState();
  if (!state) return;
  setDbState(undefined);
  await state.close();
}
