// `npm run db:seed`: creates the demo accounts (one per role) if they do not exist.
// Opens the database like the server does; stop the server first when using the embedded database.
import { closeDatabase, openDatabase } from "../lib/db/open";
import { seedDemoAccounts, DEMO_ACCOUNTS, DEMO_PASSWORD } from "../lib/users/seed-demo";
import { loadEnv } from "../lib/env";

const env = loadEnv({ ...process.env, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "x".repeat(32) });
try {
  await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, migrate: !env.DATABASE_URL });
  const created = await seedDemoAccounts();
  console.log(created.length ? `created: ${created.join(", ")}` : "demo accounts already exist");
  console.log(`accounts: ${DEMO_ACCOUNTS.map((a) => a.email).join(", ")} — password ${DEMO_PASSWORD}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
