// Composition root: validated config, the database, Next.js and the realtime transports on one
// HTTP server, and a clean shutdown. Rules live in lib/chat, transports in lib/realtime.
import http from "node:http";
import next from "next";
import { ConfigError, loadEnv } from "./lib/env";
import { logger } from "./lib/logger";
import { METRICS_PATH, serveMetrics } from "./lib/metrics";
import { closeDatabase, DataDirInUseError, openDatabase } from "./lib/db/open";
import { seedDemoAccounts } from "./lib/users/seed-demo";
import { createRealtimeServer } from "./lib/realtime/server";
import { createClusterAdapter } from "./lib/realtime/cluster";
import { setRealtime } from "./lib/realtime/registry";

async function main(): Promise<void> {
  const env = loadEnv();
  process.env.NEXTAUTH_SECRET = env.NEXTAUTH_SECRET;
  // Without NEXTAUTH_URL, next-auth takes the origin from the Host header (any port, any node).
  if (!env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "1";

  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, migrate: !env.DATABASE_URL });
  if (db.appliedMigrations.length > 0) logger.info({ migrations: db.appliedMigrations }, "migrations applied");
  const shouldSeed = env.SEED_DEMO === "1" || (env.SEED_DEMO !== "0" && !env.isProduction && db.kind === "pglite" && db.isNew);
  if (shouldSeed) logger.info({ accounts: await seedDemoAccounts() }, "demo accounts created");

  const app = next({ dev: !env.isProduction, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  // /api/metrics is answered here, not by Next: it reads this process's registry (lib/metrics.ts).
  const httpServer = http.createServer((req, res) => {
    if (req.url === METRICS_PATH || req.url?.startsWith(`${METRICS_PATH}?`)) void serveMetrics(req, res, env.METRICS_TOKEN);
    else void handle(req, res);
  });

  const rateLimit = { burst: env.RATE_LIMIT_BURST, perSecond: env.RATE_LIMIT_PER_SECOND };
  const cluster = env.REDIS_URL ? await createClusterAdapter(env.REDIS_URL, env.REDIS_PREFIX, rateLimit) : undefined;
  const realtime = createRealtimeServer(httpServer, {
    allowedOrigins: env.ALLOWED_ORIGINS,
    adapter: cluster?.adapter,
    limiter: cluster?.limiter,
    rateLimit,
    settings: {
      unclaimedReminderSeconds: env.UNCLAIMED_REMINDER_SECONDS,
      emergencyEscalationSeconds: env.EMERGENCY_ESCALATION_SECONDS,
      controlPhone: env.CONTROL_PHONE ?? null,
    },
  });
  setRealtime(realtime);
  cluster?.onRecovered(() => realtime.resyncClients("redis connection restored"));

  await new Promise<void>((resolve) => httpServer.listen(env.PORT, env.HOST, resolve));
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  logger.info({ port, host: env.HOST, database: db.kind, cluster: Boolean(cluster), mode: env.isProduction ? "production" : "development" }, "listening");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // The drain (lib/realtime/server.ts) gives running events 10 s; after 20 s the process exits anyway.
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    // Stop accepting, tell clients, let in-flight requests and writes finish, then close the database.
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await realtime.close("server shutting down");
    httpServer.closeIdleConnections();
    await closed;
    await cluster?.close();
    await app.close().catch(() => undefined);
    await closeDatabase();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    logger.fatal({ err: error }, "failed to start");
  }
  process.exit(1);
});
