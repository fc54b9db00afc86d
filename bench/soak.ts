import fs from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { cleanupAll, cpuMs, cpuStallMicros, processTree, spawnNodeServer, type ServerProcess } from "./lib/processes";
import {
  createBenchDatabase,
  createPgliteFromTemplate,
  fetchTokens,
  isPostgresAvailable,
  prepareBenchDatabase,
  storedClientIds,
  type BenchDatabase,
  type BenchUser,
  type UserSpec,
} from "./lib/fixtures";
import { describeMachine, formatKnee, mib } from "./lib/report";
import { productEnv, runThroughput, waitForQuietServer, type BenchConfig } from "./lib/scenarios";
import { round, sleep, waitUntil } from "./lib/util";
import { ensureBuild, SOAK_DIST_DIR } from "./lib/soak-build";
import { SoakLoad, type IntervalLoad } from "./lib/soak-load";
import {
  anomalyCount,
  clock,
  errorBreakdown,
  errorCount,
  intervalLine,
  intervalTable,
  latencyPair,
  memorySlope,
  sampleIntervals,
  type IntervalReport,
  type ServerSample,
} from "./lib/soak-report";
import { RATE_LIMIT_PER_SECOND } from "../lib/chat/constants";

// `npm run soak` (not in CI): the production server for 30 minutes at half the benchmark's knee.
// A short ramp with the benchmark's own knee logic (bench/lib/scenarios.ts) picks the rate unless
// --rate is given; then a fresh server and database carry that rate from drivers to control staff on
// both transports, one line per interval (latencies, errors, server memory read inside the server by
// bench/server-probe.ts), and a summary: heap slope, errors, lost messages. Exits 1 on any error or loss.

const USAGE = `usage: npm run soak [-- options]
  --minutes=N        how long to send (default 30)
  --rate=N           messages/s; default: half the knee, measured first by a short ramp (≈2–4 min)
  --interval=S       seconds per report line (default 60)
  --db=KIND          postgres or pglite (default: postgres when 127.0.0.1:5432 answers, else pglite)
  --drivers=N        drivers, one conversation each (default 100)
  --controls=K       control staff connections, each hears every message (default 10)
  --build            rebuild the app into NEXT_DIST_DIR (default ${SOAK_DIST_DIR}) even if a build exists
  --json=FILE        also write every figure to FILE
  --help`;

/** The ramp that finds the knee: the benchmark's steps, finer at the low end where the product's knee is. */
const KNEE_RATES = [5, 10, 15, 20, 30, 40, 60, 80, 120];
const ACK_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 30_000;
/** After the last send: how long outstanding acks and deliveries may take before they count as lost. */
const DRAIN_MS = 30_000;

type DbKind = "postgres" | "pglite";

interface SoakOptions {
  minutes: number;
  rate: number | null;
  intervalSeconds: number;
  db: DbKind | null;
  drivers: number;
  controls: number;
  build: boolean;
  json: string | null;
}

function positive(value: string | undefined, fallback: number, max: number, name: string, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a ${integer ? "whole " : ""}number in (0, ${max}]`);
  return n;
}

function parseOptions(): SoakOptions {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string" },
      rate: { type: "string" },
      interval: { type: "string" },
      db: { type: "string" },
      drivers: { type: "string" },
      controls: { type: "string" },
      build: { type: "boolean", default: false },
      json: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values.db !== undefined && values.db !== "postgres" && values.db !== "pglite") throw new Error("--db must be postgres or pglite");
  return {
    minutes: positive(values.minutes, 30, 24 * 60, "minutes"),
    rate: values.rate === undefined ? null : positive(values.rate, 0, 5000, "rate"),
    intervalSeconds: positive(values.interval, 60, 3600, "interval"),
    db: values.db ?? null,
    drivers: positive(values.drivers, 100, 5000, "drivers", true),
    controls: positive(values.controls, 10, 100, "controls", true),
    build: values.build ?? false,
    json: values.json ?? null,
  };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function userSpecs(options: SoakOptions): UserSpec[] {
  // The same specs as the benchmark's ramp: a PGlite run copies one template for both.
  return [
    { prefix: "control", role: "CONTROL_STAFF", count: options.controls },
    { prefix: "driver", role: "BUS_DRIVER", count: options.drivers, opensConversation: true },
  ];
}

interface ChosenRate {
  rate: number;
  how: string;
  knee: unknown;
}

/** Half the knee found by the benchmark's ramp (its steps, knee criterion and server), run first. */
async function measureRate(kind: DbKind, options: SoakOptions): Promise<ChosenRate> {
  const config: BenchConfig = {
    full: false,
    rates: KNEE_RATES,
    baselineMinRate: 0,
    stepSeconds: 10,
    drainSeconds: 5,
    warmupSeconds: 2,
    drivers: options.drivers,
    controls: options.controls,
    capacitySockets: 0,
    capacityUsers: 0,
    shiftClients: 0,
    probe: true,
    scenarios: [kind],
    transports: ["socket.io"],
    log,
  };
  log(`\n== knee ramp (${kind}, the benchmark's steps of ${config.stepSeconds} s: ${KNEE_RATES.join(", ")} msg/s, Socket.IO only) ==`);
  const started = performance.now();
  const result = await runThroughput(kind, config, `k${randomBytes(3).toString("hex")}`, "socket.io");
  log(`\n${result.table}`);
  if (result.stoppedEarly) log(`(${result.stoppedEarly})`);
  const knee = result.knee;
  const seconds = round((performance.now() - started) / 1000);
  let rate: number;
  let how: string;
  if (knee.rate === null) {
    rate = (knee.lowestRate ?? KNEE_RATES[0] ?? 5) / 2;
    how = `half the lowest ramp step: no step passed (knee < ${knee.lowestRate}), so the real half-knee is lower still`;
  } else {
    rate = knee.rate / 2;
    how = knee.isLowerBound ? `half the highest ramp step (every step passed: knee ≥ ${knee.rate})` : `half the knee (${knee.rate} msg/s)`;
  }
  log(`knee ${formatKnee(knee)} msg/s (${result.kneeCriterion}); ramp took ${seconds} s`);
  // The benchmark's knee is the highest passing step; on a shared machine lower steps can fail on noise.
  const failedBelow = result.steps.filter((step) => !step.passes && knee.rate !== null && step.load.targetRate < knee.rate).map((step) => step.load.targetRate);
  if (failedBelow.length > 0) log(`note: the ramp was not monotonic: ${failedBelow.join(", ")} msg/s failed below the knee (p99 or delivery); the knee may be optimistic`);
  return { rate, how: `${how}, measured by this run's ramp`, knee };
}

function sumIntervals(reports: readonly IntervalReport[]): IntervalLoad {
  const total: IntervalLoad = {
    sent: 0,
    acked: 0,
    ackErrors: {},
    timeouts: 0,
    sendsLost: 0,
    disconnects: 0,
    reconnectFailures: 0,
    duplicates: 0,
    outOfOrder: 0,
    misrouted: 0,
    lateAcks: 0,
    ack: { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 },
    deliver: { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 },
    maxSendLagMs: 0,
    generatorEldP99Ms: 0,
  };
  for (const { load } of reports) {
    total.sent += load.sent;
    total.acked += load.acked;
    for (const [code, n] of Object.entries(load.ackErrors)) total.ackErrors[code] = (total.ackErrors[code] ?? 0) + n;
    total.timeouts += load.timeouts;
    total.sendsLost += load.sendsLost;
    total.disconnects += load.disconnects;
    total.reconnectFailures += load.reconnectFailures;
    total.duplicates += load.duplicates;
    total.outOfOrder += load.outOfOrder;
    total.misrouted += load.misrouted;
    total.lateAcks += load.lateAcks;
    total.maxSendLagMs = Math.max(total.maxSendLagMs, load.maxSendLagMs);
    total.generatorEldP99Ms = Math.max(total.generatorEldP99Ms, load.generatorEldP99Ms);
  }
  return total;
}

let interrupted = false;

async function main(): Promise<number> {
  const options = parseOptions();
  const startedAt = new Date();
  const machine = describeMachine();
  log(`transit support chat soak — ${startedAt.toISOString()} — ${machine.nproc} cores, node ${machine.node}, load average at start ${machine.loadAverageAtStart.join(" ")}`);

  const distDir = process.env.NEXT_DIST_DIR || SOAK_DIST_DIR;
  const build = await ensureBuild(distDir, options.build, log);
  log(build.built ? `built ${distDir} in ${build.seconds} s` : `using the existing build in ${distDir} (${round(build.seconds / 60)} min old; --build to rebuild)`);
  // The ramp's servers (bench/lib/scenarios.ts) inherit this process's environment.
  process.env.NEXT_DIST_DIR = distDir;

  const kind: DbKind = options.db ?? ((await isPostgresAvailable()) ? "postgres" : "pglite");
  if (kind === "postgres" && !(await isPostgresAvailable())) throw new Error("PostgreSQL is not reachable on 127.0.0.1:5432 (BENCH_PG_URL / TEST_PG_URL): use --db=pglite");
  log(`database: ${kind}${options.db ? "" : " (default: PostgreSQL answers on 127.0.0.1)"}`);

  const chosen: ChosenRate = options.rate !== null ? { rate: options.rate, how: "given with --rate", knee: null } : await measureRate(kind, options);
  const rate = chosen.rate;
  const durationMs = options.minutes * 60_000;
  const intervalMs = options.intervalSeconds * 1000;
  log(`\n== soak: ${rate} msg/s for ${options.minutes} min on ${kind}, a line every ${options.intervalSeconds} s ==`);
  log(`rate ${rate} msg/s: ${chosen.how}`);
  if (rate / options.drivers > RATE_LIMIT_PER_SECOND * 0.8) {
    log(`note: ${round(rate / options.drivers)} messages/s per driver is near the product's ${RATE_LIMIT_PER_SECOND}/s per user: use more --drivers`);
  }

  // A hard stop whatever happens: the soak, setup and the drain, with room to spare.
  const budgetMs = durationMs + DRAIN_MS + 15 * 60_000;
  const deadline = setTimeout(() => {
    process.stderr.write(`soak exceeded its ${Math.round(budgetMs / 60_000)} min budget; stopping\n`);
    void cleanupAll().finally(() => process.exit(2));
  }, budgetMs);
  deadline.unref();

  // A fresh database and server, not the ramp's.
  let database: BenchDatabase;
  let users: Record<string, BenchUser[]>;
  const setupStart = performance.now();
  if (kind === "pglite") {
    ({ database, users } = await createPgliteFromTemplate(userSpecs(options)));
  } else {
    database = await createBenchDatabase("postgres");
    users = await prepareBenchDatabase(database, userSpecs(options));
  }
  const server: ServerProcess = await spawnNodeServer({
    name: `product server (${kind})`,
    script: "server.ts",
    env: productEnv(database, distDir),
    withProbe: true,
    // The probe collects garbage before it reads the heap, so the samples are live memory, not GC timing.
    exposeGc: true,
  });
  const controlUsers = users.control ?? [];
  const driverUsers = users.driver ?? [];
  const controlTokens = await fetchTokens(server.url, controlUsers);
  const driverTokens = await fetchTokens(server.url, driverUsers);
  const runId = `s${randomBytes(3).toString("hex")}`;
  // Every other connection on each side uses the JSON WebSocket.
  const load = await SoakLoad.connect({
    url: server.url,
    controls: controlTokens.map((token, i) => ({ token, transport: i % 2 === 0 ? "socket.io" : "ws" })),
    drivers: driverTokens.map((token, i) => ({ token, transport: i % 2 === 0 ? "socket.io" : "ws", conversationId: driverUsers[i]?.conversationId ?? "" })),
    runId,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    log,
  });
  const connections = load.connectionCount;
  log(
    `setup ${round((performance.now() - setupStart) / 1000)} s: ${options.drivers} drivers send, ${options.controls} control staff receive; ` +
      `${connections.socketIo} Socket.IO + ${connections.ws} JSON WebSocket connections; each message → ${options.controls} control + the driver's own`,
  );
  log(`errors = failed acks + ack timeouts (${ACK_TIMEOUT_MS / 1000} s) + sends whose connection closed + disconnects; latencies from each send's due time; server heap read after a forced GC`);

  await waitForQuietServer(server.pid);
  const tree = processTree(server.pid);
  await server.probe(); // resets the server's event-loop histogram
  const loadAverageStart = os.loadavg().map((value) => round(value, 2));

  let sendError: unknown = null;
  let isSending = true;
  const t0 = performance.now();
  const sending = load
    .run(rate, durationMs, () => interrupted)
    .catch((error: unknown) => {
      sendError = error;
    })
    .finally(() => {
      isSending = false;
    });

  const reports: IntervalReport[] = [];
  let previous = { at: t0, cpu: cpuMs(tree), stall: cpuStallMicros() };
  for (let index = 1; ; index++) {
    const boundary = t0 + Math.min(index * intervalMs, durationMs);
    const isLast = boundary >= t0 + durationMs;
    while (performance.now() < boundary && isSending) await sleep(Math.min(1000, boundary - performance.now()));
    if (isLast || !isSending) {
      // The last interval takes in the drain: what is still outstanding after it is lost.
      await sending;
      await waitUntil(() => load.openCount === 0, DRAIN_MS, 50);
    }
    const now = performance.now();
    const cpu = cpuMs(tree);
    const stall = cpuStallMicros();
    const loadFigures = load.takeInterval();
    const probe = await server.probe();
    const sample: ServerSample | null = probe
      ? { rssBytes: probe.rss, heapUsedBytes: probe.heapUsed, externalBytes: probe.external, eldP99Ms: probe.eldP99Ms, cpuPercent: round(((cpu - previous.cpu) / (now - previous.at)) * 100) }
      : null;
    const report: IntervalReport = {
      index,
      elapsedMs: now - t0,
      lengthMs: now - previous.at,
      load: loadFigures,
      server: sample,
      loadAverage1m: round(os.loadavg()[0] ?? 0, 2),
      cpuStallPercent: stall !== null && previous.stall !== null ? round(((stall - previous.stall) / 1000 / (now - previous.at)) * 100) : null,
    };
    reports.push(report);
    log(intervalLine(report));
    previous = { at: now, cpu, stall };
    if (isLast || !isSending) break;
  }
  if (sendError) throw sendError;

  const final = load.finish();
  const totals = load.totals();
  load.close();
  await sleep(200);
  await server.stop();
  // After the server stopped: every acked message must be in the database.
  const stored = await storedClientIds(database);
  const missingInDatabase = final.ackedClientIds.filter((clientId) => !stored.has(clientId)).length;
  await database.drop();
  const loadAverageEnd = os.loadavg().map((value) => round(value, 2));

  const sum = sumIntervals(reports);
  const errors = errorCount(sum);
  const anomalies = anomalyCount(sum);
  const heapSlope = memorySlope(reports, (s) => s.heapUsedBytes);
  const rssSlope = memorySlope(reports, (s) => s.rssBytes);
  const first = reports[0] as IntervalReport;
  const last = reports[reports.length - 1] as IntervalReport;
  const afterWarmup = reports[1]?.server ?? null;
  const lastServer = last.server;
  const seconds = last.elapsedMs / 1000;

  log("\n== summary ==");
  log(`ran ${clock(last.elapsedMs)} min (${reports.length} intervals) at ${rate} msg/s on ${kind}; load average ${loadAverageStart.join(" ")} at start → ${loadAverageEnd.join(" ")} at the end`);
  log(`messages: ${final.sent} sent (${round(final.sent / seconds, 2)}/s), ${final.acked} acked, ${final.acked - final.lostAtControl} delivered to all ${options.controls} control connections`);
  log(`lost: ${final.lostAtControl} acked but missing at a control connection (${final.missingControlDeliveries} deliveries), ${final.lostAtDriver} acked but never back at the driver; ${missingInDatabase} acked but not in the database; ${final.neverAnswered} sends never answered`);
  log(`errors: ${errors}${errors > 0 ? ` (${errorBreakdown(sum)})` : ""}; duplicates / out of order / misrouted: ${sum.duplicates} / ${sum.outOfOrder} / ${sum.misrouted}`);
  log(
    `heap used (after GC) slope: ${heapSlope ?? "n/a"} MiB/hour over intervals 2–${reports.length} (${afterWarmup ? mib(afterWarmup.heapUsedBytes) : "n/m"} → ${lastServer ? mib(lastServer.heapUsedBytes) : "n/m"} MiB); RSS slope ${rssSlope ?? "n/a"} MiB/hour (${afterWarmup ? mib(afterWarmup.rssBytes) : "n/m"} → ${lastServer ? mib(lastServer.rssBytes) : "n/m"} MiB)`,
  );
  log(latencyPair("ack", first.load.ack, last.load.ack));
  log(latencyPair("deliver", first.load.deliver, last.load.deliver));
  log(`whole run: ack p50/p95/p99/max ${totals.ack.p50Ms}/${totals.ack.p95Ms}/${totals.ack.p99Ms}/${totals.ack.maxMs} ms, deliver ${totals.deliver.p50Ms}/${totals.deliver.p95Ms}/${totals.deliver.p99Ms}/${totals.deliver.maxMs} ms; generator lag max ${sum.maxSendLagMs} ms, ELD p99 max ${sum.generatorEldP99Ms} ms`);
  const everyNth = Math.max(1, Math.round(300_000 / intervalMs));
  log(`\nintervals (first, every ${everyNth}th, last):\n${intervalTable(sampleIntervals(reports, everyNth))}`);

  if (options.json) {
    const data = { startedAt, machine, options, distDir, build, kind, rate: chosen, loadAverageStart, loadAverageEnd, reports, totals, final: { ...final, ackedClientIds: undefined, missingInDatabase }, heapSlope, rssSlope };
    fs.writeFileSync(options.json, `${JSON.stringify(data, null, 2)}\n`);
    log(`figures: ${options.json}`);
  }

  const failed = errors > 0 || anomalies > 0 || final.lostAtControl > 0 || final.lostAtDriver > 0 || missingInDatabase > 0 || final.neverAnswered > 0;
  log(failed ? "soak: FAILED (errors or lost messages above)" : "soak: ok — no errors, nothing lost");
  return failed ? 1 : 0;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the server and dropping the database…\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    if (!interrupted) process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanupAll();
    process.exit(interrupted ? 130 : 1);
  });
