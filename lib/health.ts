import { getDb, getDbState } from "./db";
import { committedMigrations } from "./migrations-list";

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Ready means: the database answers and every committed migration is applied. */
export async function checkReadiness(): Promise<Readiness> {
  if (!getDbState()) return { ready: false, reason: "database not open" };
  let applied: { migration_name: string }[];
  try {
    applied = await getDb().$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/_prisma_migrations/.test(message) && /does not exist/.test(message)) return { ready: false, reason: "migrations not applied" };
    return { ready: false, reason: "database unreachable" };
  }
  const done = new Set(applied.map((row) => row.migration_name));
  const pending = committedMigrations().filter((name) => !done.has(name));
  return pending.length === 0 ? { ready: true } : { ready: false, reason: `migrations pending: ${pending.join(", ")}` };
}
