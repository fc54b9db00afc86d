import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { io, type Socket } from "socket.io-client";
import { cleanupAll } from "./lib/processes";
import { createBenchDatabase, fetchTokens, isPostgresAvailable, prepareBenchDatabase, type BenchDatabase } from "./lib/fixtures";
import { spawnNodeServer } from "./lib/processes";
import { productEnv } from "./lib/scenarios";
import { describeMachine, writeResult } from "./lib/report";
import { round } from "./lib/util";
import { withDatabase } from "../tests/helpers/database";
import type { ClientToServerEvents, ServerToClientEvents } from "../lib/realtime/events";

// `npm run bench:search [-- --messages=N --only=postgres,pglite --runs=N]`
//
// History search at a city's scale: N messages (default 1,000,000) over N/10 conversations of 1,000
// drivers, spread over 90 days, inserted in bulk with generate_series (not one by one), then searched
// through the real server (message:search over Socket.IO) by control staff and by a driver. Prints
// p50/p95/max per kind of query and overall, per database, and writes bench/results/<date>-search-*.json.
// A benchmark, not a test: nothing here passes or fails on timing; the goal (p95 ≤ 200 ms on
// PostgreSQL) is printed next to the figure.

const GOAL_P95_MS = 200;
// A vocabulary with a few very common words (the first ones are picked far more often).
const WORDS = [
  "bus", "stop", "route", "driver", "control", "delay", "traffic", "minutes", "passenger", "door",
  "brake", "engine", "ticket", "machine", "depot", "diversion", "queue", "stand", "relief", "shift",
  "fuel", "tyre", "mirror", "heater", "window", "wheelchair", "ramp", "sensor", "alarm", "radio",
  "signal", "timetable", "roadworks", "police", "accident", "junction", "bridge", "market", "station", "harbour",
  "school", "hospital", "terminus", "garage", "fitter", "cleaner", "supervisor", "inspector", "camera", "card",
  "squeal", "rattle", "leak", "smoke", "noise", "warning", "light", "flat", "broken", "stuck",
];
/** Once in every RARE_EVERY messages: a word that appears ~N/RARE_EVERY times in all. */
const RARE_WORD = "quokka";
const RARE_EVERY = 100_000;

interface QueryCase {
  kind: string;
  as: "control" | "driver";
  input: Record<string, unknown>;
}

function cases(): QueryCase[] {
  const list: QueryCase[] = [];
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  for (let i = 0; i < 20; i += 1) {
    const common = WORDS[i % 5] as string;
    const mid = WORDS[20 + (i % 30)] as string;
    const other = WORDS[10 + (i % 10)] as string;
    list.push({ kind: "rare word", as: "control", input: { query: RARE_WORD } });
    list.push({ kind: "very common word", as: "control", input: { query: common } });
    list.push({ kind: "two words", as: "control", input: { query: `${mid} ${other}` } });
    list.push({ kind: "phrase", as: "control", input: { query: `"${other} ${mid}"` } });
    list.push({ kind: "word + room + status", as: "control", input: { query: mid, room: "driver_support", status: "resolved" } });
    list.push({ kind: "word + last 7 days", as: "control", input: { query: mid, from: day(7), to: day(0) } });
    list.push({ kind: "word + driver name", as: "control", input: { query: common, driver: `driver ${1 + (i % 1000)}` } });
    list.push({ kind: "driver's own history", as: "driver", input: { query: mid } });
  }
  return list;
}

/** Bulk seed: 1,000 drivers, N/10 conversations, N messages; SQL only (generate_series). */
async function seed(database: BenchDatabase, messages: number, log: (line: string) => void): Promise<{ control: { email: string }; driver: { email: string } }> {
  const users = await prepareBenchDatabase(database, [
    { prefix: "control", role: "CONTROL_STAFF", count: 1 },
    { prefix: "driver", role: "BUS_DRIVER", count: 1000 },
  ]);
  const conversations = Math.max(1, Math.floor(messages / 10));
  const drivers = users.driver ?? [];
  const control = users.control?.[0];
  if (!control || drivers.length === 0) throw new Error("no accounts");
  await withDatabase(database, async (db) => {
    const started = performance.now();
    const driverIds = drivers.map((d) => d.id);
    const words = WORDS.map((w) => `'${w}'`).join(",");
    await db.$executeRawUnsafe(
      `INSERT INTO "Conversation" (id, category, title, status, "creatorId", vehicle, route, "lastSequence", "lastMessageAt", "resolvedAt", "createdAt", "updatedAt")
       SELECT 'bc' || g,
              (ARRAY['GENERAL','DRIVER','REGULATOR','EMERGENCY'])[1 + g % 4]::"Category",
              'Request ' || g,
              (CASE WHEN g % 20 = 0 THEN 'OPEN' ELSE 'RESOLVED' END)::"ConversationStatus",
              ($1::text[])[1 + g % ${driverIds.length}],
              'Bus ' || (g % 500), 'Route ' || (g % 40),
              10,
              now() - ((${conversations} - g) * interval '77 seconds'),
              CASE WHEN g % 20 = 0 THEN NULL ELSE now() - ((${conversations} - g) * interval '77 seconds') END,
              now() - ((${conversations} - g) * interval '77 seconds') - interval '10 minutes',
              now()
         FROM generate_series(1, ${conversations}) g`,
      driverIds,
    );
    log(`  ${conversations} conversations in ${round((performance.now() - started) / 1000)} s`);
    // Bulk load as a restore would: without the search indexes, built once at the end (maintaining a
    // GIN index row by row makes PGlite crawl after half a million rows).
    await db.$executeRawUnsafe(`DROP INDEX "Message_searchVector_idx"`);
    await db.$executeRawUnsafe(`DROP INDEX "Message_createdAt_id_idx"`);
    const messagesStarted = performance.now();
    // Eight words each; the first picks skew to the front of the list (common words are common).
    const pick = (salt: number) => `w[(1 + ((g::bigint * ${salt}) % (1 + ((g::bigint * ${salt + 1}) % ${WORDS.length}))))::int]`;
    // PGlite stalled for minutes (100 % CPU, no I/O) inside a 100,000-row INSERT … SELECT once the
    // table held ~700,000 rows; smaller statements are the workaround.
    const chunk = database.databaseUrl ? 100_000 : 20_000;
    for (let from = 1; from <= messages; from += chunk) {
      const to = Math.min(messages, from + chunk - 1);
      await db.$executeRawUnsafe(
        `INSERT INTO "Message" (id, "conversationId", "senderId", body, kind, "clientId", sequence, "previousPublicSequence", "createdAt")
         SELECT 'bm' || g,
                'bc' || (1 + (g - 1) / 10),
                CASE WHEN g % 2 = 0 THEN $1 ELSE ($2::text[])[1 + ((1 + (g - 1) / 10) % ${driverIds.length})] END,
                ${pick(7919)} || ' ' || ${pick(104729)} || ' ' || ${pick(1299709)} || ' ' || ${pick(15485863)} || ' ' ||
                  ${pick(32452843)} || ' ' || ${pick(49979687)} || ' ' || ${pick(67867967)} || ' ' || ${pick(86028121)} ||
                  CASE WHEN g % ${RARE_EVERY} = 7 THEN ' ${RARE_WORD}' ELSE '' END,
                'TEXT', 'bench-' || g, 1 + (g - 1) % 10, (g - 1) % 10,
                now() - ((${conversations} - (1 + (g - 1) / 10)) * interval '77 seconds') - interval '10 minutes' + ((g - 1) % 10) * interval '1 minute'
           FROM generate_series(${from}, ${to}) g, (SELECT ARRAY[${words}] AS w) v`,
        control.id,
        driverIds,
      );
      log(`  messages ${to} / ${messages} (${round((performance.now() - messagesStarted) / 1000)} s)`);
    }
    const indexStarted = performance.now();
    await db.$executeRawUnsafe(`CREATE INDEX "Message_searchVector_idx" ON "Message" USING GIN ("searchVector")`);
    await db.$executeRawUnsafe(`CREATE INDEX "Message_createdAt_id_idx" ON "Message"("createdAt", "id")`);
    log(`  indexes built in ${round((performance.now() - indexStarted) / 1000)} s`);
    const analyzeStarted = performance.now();
    await db.$executeRawUnsafe(`ANALYZE "Message"`);
    await db.$executeRawUnsafe(`ANALYZE "Conversation"`);
    log(`  ANALYZE ${round((performance.now() - analyzeStarted) / 1000)} s`);
  });
  const [driver] = drivers;
  return { control: { email: control.email }, driver: { email: (driver ?? drivers[0])!.email } };
}

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function run(kind: "postgres" | "pglite", messages: number, runs: number, log: (line: string) => void) {
  const database = await createBenchDatabase(kind);
  const seedStarted = performance.now();
  try {
    log(`\n== ${kind}: seeding ${messages} messages ==`);
    const accounts = await seed(database, messages, log);
    const seedSeconds = round((performance.now() - seedStarted) / 1000);
    const server = await spawnNodeServer({ name: `product server (${kind})`, script: "server.ts", env: { ...productEnv(database), RATE_LIMIT_BURST: "100000", RATE_LIMIT_PER_SECOND: "100000" }, withProbe: false, startTimeoutMs: 300_000 });
    try {
      const users = [
        { id: "", email: accounts.control.email, name: "", role: "CONTROL_STAFF" as const },
        { id: "", email: accounts.driver.email, name: "", role: "BUS_DRIVER" as const },
      ];
      const [controlToken, driverToken] = await fetchTokens(server.url, users);
      const connect = (token: string) =>
        new Promise<Client>((resolve, reject) => {
          const socket: Client = io(server.url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
          socket.once("session:ready", () => resolve(socket));
          socket.once("connect_error", reject);
        });
      const clients = { control: await connect(controlToken as string), driver: await connect(driverToken as string) };
      const byKind = new Map<string, { ms: number[]; hits: number[] }>();
      // One warm-up pass (caches, plans), not reported.
      for (const c of cases().slice(0, 8)) await clients[c.as].timeout(60_000).emitWithAck("message:search", c.input as never);
      for (let r = 0; r < runs; r += 1) {
        for (const c of cases()) {
          const start = performance.now();
          const reply = await clients[c.as].timeout(60_000).emitWithAck("message:search", c.input as never);
          const ms = performance.now() - start;
          if (!reply.ok) throw new Error(`${c.kind}: ${JSON.stringify(reply.error)}`);
          const entry = byKind.get(c.kind) ?? { ms: [], hits: [] };
          entry.ms.push(ms);
          entry.hits.push(reply.data.hits.length);
          byKind.set(c.kind, entry);
        }
      }
      clients.control.close();
      clients.driver.close();
      const all = [...byKind.values()].flatMap((e) => e.ms).sort((a, b) => a - b);
      const rows = [...byKind.entries()].map(([name, e]) => {
        const sorted = [...e.ms].sort((a, b) => a - b);
        return { kind: name, queries: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1) ?? 0), meanHits: round(e.hits.reduce((a, b) => a + b, 0) / e.hits.length) };
      });
      const overall = { queries: all.length, p50: round(percentile(all, 50)), p95: round(percentile(all, 95)), max: round(all.at(-1) ?? 0) };
      const table = [
        "| query | queries | p50 ms | p95 ms | max ms | hits per page (mean) |",
        "|---|---|---|---|---|---|",
        ...rows.map((row) => `| ${row.kind} | ${row.queries} | ${row.p50} | ${row.p95} | ${row.max} | ${row.meanHits} |`),
        `| **all** | ${overall.queries} | **${overall.p50}** | **${overall.p95}** | ${overall.max} | |`,
      ].join("\n");
      return { kind, messages, conversations: Math.floor(messages / 10), seedSeconds, rows, overall, table };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: "string" }, only: { type: "string" }, runs: { type: "string" } }, strict: true });
  const messages = Number(values.messages ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  if (!Number.isInteger(messages) || messages < 10 || messages > 5_000_000) throw new Error("--messages must be an integer in 10..5000000");
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error("--runs must be an integer in 1..50");
  const kinds = (values.only ?? "postgres,pglite").split(",").map((s) => s.trim());
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const machine = describeMachine();
  log(`history search benchmark — ${startedAt.toISOString()} — ${machine.nproc} cores, node ${machine.node}; ${messages} messages, ${runs} runs of ${cases().length} queries`);
  const summary: string[] = [];
  for (const kind of kinds) {
    if (kind !== "postgres" && kind !== "pglite") throw new Error(`unknown database ${kind}`);
    if (kind === "postgres" && !(await isPostgresAvailable())) {
      log("PostgreSQL is not reachable on 127.0.0.1:5432: skipped");
      continue;
    }
    const result = await run(kind, messages, runs, log);
    log(`\n${result.table}`);
    const file = writeResult(startedAt, `search-${kind}`, { ...result, machine, startedAt });
    summary.push(`${kind}: ${messages} messages, seeded in ${result.seedSeconds} s; search p50 ${result.overall.p50} ms, p95 ${result.overall.p95} ms${kind === "postgres" ? ` (goal p95 ≤ ${GOAL_P95_MS} ms: ${result.overall.p95 <= GOAL_P95_MS ? "met" : "missed"})` : ""} — ${file}`);
  }
  log(`\n== summary ==\n${summary.join("\n")}`);
}

main()
  .then(async () => {
    await cleanupAll();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`search benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanupAll();
    process.exit(1);
  });
