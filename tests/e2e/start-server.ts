// Playwright's webServer: the production server on a fresh database (a temp PGlite directory, or a
// fresh PostgreSQL database when TEST_DB=postgres), with the demo accounts seeded. The database is
// dropped when Playwright stops the server.
import { spawn } from "node:child_process";
import path from "node:path";
import { createTestDatabase, prepareDatabase } from "../helpers/database";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const E2E_PORT = 3100;
const E2E_SECRET = "e2e-secret-not-for-production-0123456789";

async function main(): Promise<void> {
  const database = await createTestDatabase();
  // PostgreSQL is migrated by `npm run db:migrate` in production, not at start: do it here.
  if (database.kind === "postgres") await prepareDatabase(database, {});
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(process.env.E2E_PORT ?? E2E_PORT),
    HOST: "127.0.0.1",
    DATA_DIR: database.dataDir,
    SEED_DEMO: "1",
    NEXTAUTH_SECRET: E2E_SECRET,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    // Short enough for the control specs to see an escalation and a repeated reminder.
    EMERGENCY_ESCALATION_SECONDS: process.env.EMERGENCY_ESCALATION_SECONDS ?? "3",
    UNCLAIMED_REMINDER_SECONDS: process.env.UNCLAIMED_REMINDER_SECONDS ?? "5",
    // The field app's "Call control" link.
    CONTROL_PHONE: "+44 20 7946 0000",
  };
  delete env.NEXTAUTH_URL;
  delete env.REDIS_URL;
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  else delete env.DATABASE_URL;

  const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["server.ts"], { cwd: ROOT, env, stdio: "inherit" });
  let isStopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (isStopping) return;
    isStopping = true;
    child.kill(signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
  await database.drop().catch(() => undefined);
  process.exit(code ?? 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`e2e server failed to start: ${String(error)}\n`);
  process.exit(1);
});
