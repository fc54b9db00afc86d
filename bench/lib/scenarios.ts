import os from "node:os";
import { performance } from "node:perf_hooks";
import { BENCH_SECRET, cpuMs, cpuStallMicros, processTree, rssBytes, spawnNodeServer, type ServerProcess } from "./processes";
import {
  createBenchDatabase,
  createPgliteFromTemplate,
  fetchTokens,
  prepareBenchDatabase,
  PostgresObserver,
  storedClientIds,
  type BenchDatabase,
  type BenchUser,
  type UserSpec,
} from "./fixtures";
import { connectMany, LoadHarness, type BenchTransport, type Topology } from "./load";
import { findKnee, KNEE_P99_MS, kib, mib, stepResult, stepTable, type Knee, type ServerFigures, type StepResult } from "./report";
import { round, sleep } from "./util";

// The four scenarios of one run. (a) baseline: bench/baseline-server.ts; (b) the product on a fresh
// PGlite directory; (c) the product on a fresh PostgreSQL database; (d) idle-connection capacity.

export type ThroughputKind = "baseline" | "pglite" | "postgres";

export interface BenchConfig {
  full: boolean;
  rates: number[];
  /** The baseline skips the lower rates of the ladder (it is nowhere near its limit there). */
  baselineMinRate: number;
  stepSeconds: number;
  drainSeconds: number;
  warmupSeconds: number;
  drivers: number;
  controls: number;
  capacitySockets: number;
  capacityUsers: number;
  /** Connected drivers in the shift scenario (run.ts runs it as the postgres kind with this many drivers). */
  shiftClients: number;
  /** More Node flags for the product server (the --profile re-run at the knee passes --cpu-prof). */
  serverNodeArgs?: readonly string[];
  probe: boolean;
  /** The scenarios of this run (the shared PGlite template holds only the accounts they need). */
  scenarios: readonly string[];
  /** Each throughput scenario runs once per transport. */
  transports: readonly BenchTransport[];
  log: (line: string) => void;
}

export interface ThroughputResult {
  scenario: ThroughputKind;
  transport: BenchTransport;
  description: string;
  topology: { drivers: number; controls: number; conversations: number; receiversPerMessage: number; sockets: number };
  setupMs: Record<string, number>;
  steps: StepResult[];
  knee: Knee;
  kneeCriterion: string;
  stoppedEarly: string | null;
  /** Arrivals after their step was closed (counted as not delivered in that step). */
  late: { acks: number; deliveries: number };
  disconnects: number;
  verification: Record<string, number | string> | null;
  table: string;
}

/**
 * After connecting and opening conversations the server still has work queued (presence, logs, GC):
 * wait until it uses less than a quarter of a core over half a second, at most 15 s. Returns the wait.
 */
export async function waitForQuietServer(pid: number): Promise<number> {
  const start = performance.now();
  const tree = processTree(pid);
  while (performance.now() - start < 15_000) {
    const before = cpuMs(tree);
    await sleep(500);
    if (cpuMs(tree) - before < 125) break;
  }
  return Math.round(performance.now() - start);
}

/** Every account a run needs: control staff and drivers for the throughput scenarios, idle users for capacity. */
function userPlan(config: BenchConfig): UserSpec[] {
  const plan: UserSpec[] = [];
  if (config.scenarios.some((scenario) => scenario !== "capacity")) {
    plan.push({ prefix: "control", role: "CONTROL_STAFF", count: config.controls });
    plan.push({ prefix: "driver", role: "BUS_DRIVER", count: config.drivers, opensConversation: true });
  }
  if (config.scenarios.includes("capacity")) plan.push({ prefix: "idle", role: "BUS_DRIVER", count: config.capacityUsers });
  return plan;
}

/** The product server's environment for a bench database; `distDir` picks a build other than `.next`. */
export function productEnv(database: BenchDatabase, distDir?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: database.dataDir,
    NEXTAUTH_SECRET: BENCH_SECRET,
    LOG_LEVEL: "info",
    SEED_DEMO: "0",
    // The load is many messages per second from each benchmark user: the per-user limit would refuse
    // them. The limiter still runs on every event (its cost is measured), it just never says no.
    RATE_LIMIT_BURST: "100000",
    RATE_LIMIT_PER_SECOND: "100000",
    ...(distDir ? { NEXT_DIST_DIR: distDir } : {}),
  };
  delete env.NEXTAUTH_URL;
  delete env.ALLOWED_ORIGINS;
  delete env.REDIS_URL;
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  else delete env.DATABASE_URL;
  return env;
}

function startProduct(database: BenchDatabase, config: BenchConfig, exposeGc = false): Promise<ServerProcess> {
  return spawnNodeServer({ name: `product server (${database.kind})`, script: "server.ts", env: productEnv(database), withProbe: config.probe, exposeGc, nodeArgs: config.serverNodeArgs });
}

async function timed<T>(timings: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await work();
  timings[name] = Math.round(performance.now() - start);
  return value;
}

const DESCRIPTIONS: Record<ThroughputKind, string> = {
  baseline: "bare Socket.IO relay (bench/baseline-server.ts): same rooms and ack shape, no auth, no validation, no persistence",
  pglite: "the product (server.ts, production build) on a fresh embedded PGlite directory",
  postgres: "the product (server.ts, production build) on a fresh PostgreSQL 127.0.0.1:5432 database",
};

export async function runThroughput(kind: ThroughputKind, config: BenchConfig, runId: string, transport: BenchTransport): Promise<ThroughputResult> {
  const setupMs: Record<string, number> = {};
  let database: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  let harness: LoadHarness | undefined;
  let observer: PostgresObserver | undefined;
  try {
    let topology: Topology;
    if (kind === "baseline") {
      server = await timed(setupMs, "serverStart", () =>
        spawnNodeServer({ name: "baseline server", script: "bench/baseline-server.ts", env: { ...process.env, PORT: "0" }, withProbe: config.probe }),
      );
      const url = server.url;
      topology = {
        url,
        transport,
        controls: Array.from({ length: config.controls }, (_, i) => ({ auth: { role: "control", userId: `control-${i}` } })),
        drivers: Array.from({ length: config.drivers }, (_, i) => ({ auth: { role: "driver", userId: `driver-${i}`, conversationId: `conversation-${i}` }, conversationId: `conversation-${i}` })),
      };
    } else {
      let db: BenchDatabase;
      let users: Record<string, BenchUser[]>;
      if (kind === "pglite") {
        ({ database: db, users } = await timed(setupMs, "databaseWithUsers", () => createPgliteFromTemplate(userPlan(config))));
      } else {
        db = await timed(setupMs, "createDatabase", () => createBenchDatabase(kind));
        users = await timed(setupMs, "migrateAndInsertUsers", () => prepareBenchDatabase(db, userPlan(config).filter((spec) => spec.prefix !== "idle")));
      }
      database = db;
      server = await timed(setupMs, "serverStart", () => startProduct(db, config));
      const url = server.url;
      const controlTokens = await timed(setupMs, "controlTokens", () => fetchTokens(url, users.control ?? []));
      const driverTokens = await timed(setupMs, "driverTokens", () => fetchTokens(url, users.driver ?? []));
      const drivers = users.driver ?? [];
      topology = {
        url,
        transport,
        controls: controlTokens.map((token) => ({ auth: { token } })),
        drivers: driverTokens.map((token, i) => ({ auth: { token }, conversationId: drivers[i]?.conversationId ?? "" })),
      };
      if (db.databaseUrl) observer = await PostgresObserver.connect(db.databaseUrl);
    }
    const runningServer = server;
    harness = await timed(setupMs, "connect", () => LoadHarness.connect(topology, runId));
    const load = harness;
    let ackedTotal = 0;
    config.log(`  setup ${JSON.stringify(setupMs)}; ${load.socketCount} sockets, ${config.drivers} conversations, each message → ${load.receiversPerMessage} sockets`);

    const rates = kind === "baseline" ? config.rates.filter((rate) => rate >= config.baselineMinRate) : config.rates;
    const settledAfterMs = await waitForQuietServer(runningServer.pid);
    config.log(`  server quiet after ${settledAfterMs} ms`);
    if (config.warmupSeconds > 0) {
      const warm = await load.runStep("warmup", rates[0] ?? 10, config.warmupSeconds * 1000, config.drainSeconds * 1000);
      ackedTotal += warm.acked;
      config.log(`  warm-up (${warm.sent} messages, not reported): send→deliver p99 ${warm.deliver.p99Ms} ms`);
    }

    const steps: StepResult[] = [];
    let stoppedEarly: string | null = null;
    let failuresInARow = 0;
    for (const rate of rates) {
      const reset = await runningServer.probe();
      const stallBefore = cpuStallMicros();
      const wallBefore = performance.now();
      const tree = processTree(runningServer.pid);
      const pgPids = observer ? await observer.backendPids() : [];
      const rowsBefore = observer ? await observer.messageCount() : 0;
      const cpuBefore = cpuMs(tree);
      const pgCpuBefore = new Map(pgPids.map((pid) => [pid, cpuMs([pid])]));

      const stepLoad = await load.runStep(`${rate}/s`, rate, config.stepSeconds * 1000, config.drainSeconds * 1000);

      const cpuAfter = cpuMs(tree);
      const stallAfter = cpuStallMicros();
      const wallMs = performance.now() - wallBefore;
      const pgPidsAfter = observer ? await observer.backendPids() : [];
      // Backends that appeared during the step count from zero; one that closed during it is lost.
      let pgCpuMs = 0;
      for (const pid of pgPidsAfter) pgCpuMs += cpuMs([pid]) - (pgCpuBefore.get(pid) ?? 0);
      const rowsAfter = observer ? await observer.messageCount() : 0;
      const probe = await runningServer.probe();
      ackedTotal += stepLoad.acked;
      const figures: ServerFigures = {
        cpuMs: Math.round(cpuAfter - cpuBefore),
        postgresCpuMs: observer ? Math.round(pgCpuMs) : null,
        // Without the reset before the step, the histogram would cover more than the step.
        eldP99Ms: reset ? (probe?.eldP99Ms ?? null) : null,
        eldMaxMs: reset ? (probe?.eldMaxMs ?? null) : null,
        rssBytes: rssBytes(tree),
        rows: kind === "baseline" ? null : observer ? rowsAfter - rowsBefore : stepLoad.acked,
        rowsSource: kind === "baseline" ? "none (no persistence)" : observer ? "postgres count(*)" : "ok acks",
        loadAverage1m: round(os.loadavg()[0] ?? 0, 1),
        cpuStallPercent: stallBefore !== null && stallAfter !== null ? round(((stallAfter - stallBefore) / 1000 / wallMs) * 100) : null,
      };
      const result = stepResult(stepLoad, figures);
      steps.push(result);
      config.log(
        `  ${String(rate).padStart(5)}/s: delivered ${result.deliveredMessagesPerSecond} msg/s, ${round(result.deliveryRatio * 100, 2)}% of ${stepLoad.expectedDeliveries} deliveries, ` +
          `send→deliver p99 ${stepLoad.deliver.p99Ms} ms, server CPU ${result.serverCpuMsPer1k ?? "?"} ms/1k, gen ELD p99 ${stepLoad.generator.eldP99Ms} ms${result.passes ? "" : "  ← above the knee"}`,
      );

      failuresInARow = result.passes ? 0 : failuresInARow + 1;
      const overloaded = result.deliveryRatio < 0.99 || stepLoad.deliver.p99Ms > 10 * KNEE_P99_MS;
      if (overloaded || failuresInARow >= 2) {
        const remaining = rates.filter((r) => r > rate);
        if (remaining.length > 0) {
          stoppedEarly = `stopped after ${rate}/s (${overloaded ? "overloaded: delivery < 99% or p99 > 1 s" : "two steps in a row above the knee"}); not run: ${remaining.join(", ")}`;
          config.log(`  ${stoppedEarly}`);
        }
        break;
      }
    }

    const late = { acks: load.lateAcks, deliveries: load.lateDeliveries };
    const disconnects = load.disconnects;
    load.close();
    harness = undefined;
    await sleep(200);
    await runningServer.stop();
    server = undefined;

    let verification: Record<string, number | string> | null = null;
    if (database) {
      // After the server stopped: every message acked ok must be in the database (PostgreSQL is
      // read through the same database URL; PGlite by opening its directory in this process).
      const stored = await storedClientIds(database);
      const acked = load.ackedClientIds;
      let missing = 0;
      for (const clientId of acked) if (!stored.has(clientId)) missing++;
      const ours = [...stored].filter((clientId) => clientId.startsWith(`${runId}-m`)).length;
      verification = {
        messageRowsInDatabase: stored.size,
        benchmarkMessagesStored: ours,
        benchmarkMessagesAcked: acked.size,
        ackedButMissing: missing,
        storedButNeverAcked: ours - (acked.size - missing),
        note: "sends still queued in the server when it stopped are neither acked nor stored; a few may be stored without their ack reaching the client",
      };
      config.log(
        `  database: ${ours} benchmark messages stored, ${acked.size} acked, acked but missing: ${missing}${ackedTotal + late.acks === acked.size ? "" : " (ack count mismatch!)"}`,
      );
    }
    return {
      scenario: kind,
      transport,
      description: DESCRIPTIONS[kind],
      topology: { drivers: config.drivers, controls: config.controls, conversations: config.drivers, receiversPerMessage: load.receiversPerMessage, sockets: load.socketCount },
      setupMs,
      steps,
      knee: findKnee(steps),
      kneeCriterion: `highest step with send→deliver p99 ≤ ${KNEE_P99_MS} ms, 100% delivery, every send acked ok`,
      stoppedEarly,
      late,
      disconnects,
      verification,
      table: stepTable(steps, load.receiversPerMessage),
    };
  } finally {
    harness?.close();
    await observer?.close().catch(() => undefined);
    await server?.stop();
    await database?.drop();
  }
}

export interface CapacityPoint {
  sockets: number;
  rssBytes: number;
  /** After a full GC (the probe runs with --expose-gc in this scenario); null without the probe. */
  heapUsedBytes: number | null;
  /** Memory of Buffers and other objects outside the V8 heap (process.memoryUsage().external). */
  externalBytes: number | null;
}

export interface CapacityResult {
  scenario: "capacity";
  description: string;
  sockets: number;
  users: number;
  setupMs: Record<string, number>;
  connectMs: number;
  connectionsPerSecond: number;
  /** Memory after 0, ¼, ½, ¾ and all of the sockets connected; per-connection figures are the slopes. */
  points: CapacityPoint[];
  server: {
    rssBeforeMiB: number;
    rssAfterMiB: number;
    rssPerConnectionKiB: number;
    /** False when RSS grew much less than the heap (freed pages were reused): the RSS slope is noise then. */
    rssSignificant: boolean;
    heapUsedBeforeMiB: number | null;
    heapUsedAfterMiB: number | null;
    heapPerConnectionKiB: number | null;
    externalPerConnectionKiB: number | null;
    eldP99WhileConnectingMs: number | null;
    eldP99IdleMs: number | null;
    cpuMsPerHandshake: number;
  };
  generator: { heapPerConnectionKiB: number };
  table: string;
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const CAPACITY_BATCHES = 4;

/**
 * (d) N idle authenticated sockets on one product process (PGlite), connected in four batches; after
 * each batch the server's RSS (/proc) and heap after GC (probe) are read, and the per-connection cost
 * is the slope through those points (less sensitive to one noisy reading than a single difference).
 */
export async function runCapacity(config: BenchConfig): Promise<CapacityResult> {
  const setupMs: Record<string, number> = {};
  let database: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  const sockets: Awaited<ReturnType<typeof connectMany>> = [];
  try {
    const { database: db, users } = await timed(setupMs, "databaseWithUsers", () => createPgliteFromTemplate(userPlan(config)));
    database = db;
    const running = await timed(setupMs, "serverStart", () => startProduct(db, config, true));
    server = running;
    const tokens = await timed(setupMs, "tokens", () => fetchTokens(running.url, users.idle ?? [], 16));
    config.log(`  setup ${JSON.stringify(setupMs)}`);

    await sleep(1000);
    const tree = processTree(running.pid);
    const measure = async (): Promise<CapacityPoint & { eldP99Ms: number | null }> => {
      const probe = await running.probe();
      await sleep(500);
      return { sockets: sockets.length, rssBytes: rssBytes(tree), heapUsedBytes: probe?.heapUsed ?? null, externalBytes: probe?.external ?? null, eldP99Ms: probe?.eldP99Ms ?? null };
    };
    const first = await measure();
    const points: CapacityPoint[] = [first];
    const generatorHeap = [{ x: 0, y: process.memoryUsage().heapUsed }];
    const auths = Array.from({ length: config.capacitySockets }, (_, i) => ({ token: tokens[i % tokens.length] }));
    let connectMs = 0;
    let cpuMsConnecting = 0;
    const connectingEld: number[] = [];
    for (let batch = 0; batch < CAPACITY_BATCHES; batch++) {
      const slice = auths.slice(Math.floor((batch * auths.length) / CAPACITY_BATCHES), Math.floor(((batch + 1) * auths.length) / CAPACITY_BATCHES));
      const cpuBefore = cpuMs(tree);
      const start = performance.now();
      sockets.push(...(await connectMany(running.url, slice, 50)));
      connectMs += performance.now() - start;
      cpuMsConnecting += cpuMs(tree) - cpuBefore;
      const point = await measure();
      if (point.eldP99Ms !== null) connectingEld.push(point.eldP99Ms);
      points.push(point);
      generatorHeap.push({ x: sockets.length, y: process.memoryUsage().heapUsed });
    }
    await sleep(3000);
    const idle = await running.probe();
    const n = sockets.length;
    const last = points[points.length - 1] as CapacityPoint;
    const heapKnown = points.every((p) => p.heapUsedBytes !== null && p.externalBytes !== null);

    const result: CapacityResult = {
      scenario: "capacity",
      description: `${n} idle authenticated Socket.IO connections (${config.capacityUsers} driver accounts, ${round(n / config.capacityUsers)} sockets each) on one product process (PGlite)`,
      sockets: n,
      users: config.capacityUsers,
      setupMs,
      connectMs: Math.round(connectMs),
      connectionsPerSecond: round(n / (connectMs / 1000)),
      points,
      server: {
        rssBeforeMiB: mib(first.rssBytes),
        rssAfterMiB: mib(last.rssBytes),
        rssPerConnectionKiB: kib(slope(points.map((p) => ({ x: p.sockets, y: p.rssBytes })))),
        rssSignificant: true,
        heapUsedBeforeMiB: first.heapUsedBytes === null ? null : mib(first.heapUsedBytes),
        heapUsedAfterMiB: last.heapUsedBytes === null ? null : mib(last.heapUsedBytes),
        heapPerConnectionKiB: heapKnown ? kib(slope(points.map((p) => ({ x: p.sockets, y: p.heapUsedBytes ?? 0 })))) : null,
        externalPerConnectionKiB: heapKnown ? kib(slope(points.map((p) => ({ x: p.sockets, y: p.externalBytes ?? 0 })))) : null,
        eldP99WhileConnectingMs: connectingEld.length > 0 ? Math.max(...connectingEld) : null,
        eldP99IdleMs: idle?.eldP99Ms ?? null,
        cpuMsPerHandshake: round(cpuMsConnecting / n, 2),
      },
      generator: { heapPerConnectionKiB: kib(slope(generatorHeap)) },
      table: "",
    };
    const r = result.server;
    // V8 keeps freed pages resident: until the new connections outgrow what startup garbage left
    // behind, RSS barely moves, and its slope says nothing about the cost of a connection.
    const rssGrowth = last.rssBytes - first.rssBytes;
    const heapGrowth = last.heapUsedBytes !== null && first.heapUsedBytes !== null ? last.heapUsedBytes - first.heapUsedBytes : 0;
    r.rssSignificant = rssGrowth >= 0.75 * heapGrowth;
    const rssCell = !r.rssSignificant ? `${r.rssPerConnectionKiB} KiB (not significant: RSS grew much less than the heap; try --full)` : `${r.rssPerConnectionKiB} KiB`;
    result.table = [
      "| sockets | connect time | handshakes/s | server CPU-ms per handshake | server RSS before → after | RSS per connection | heap (after GC) before → after | heap per connection (+ external) | server ELD p99 connecting / idle |",
      "|---|---|---|---|---|---|---|---|---|",
      `| ${n} | ${round(connectMs / 1000, 1)} s | ${result.connectionsPerSecond} | ${r.cpuMsPerHandshake} | ${r.rssBeforeMiB} → ${r.rssAfterMiB} MiB | ${rssCell} | ${r.heapUsedBeforeMiB ?? "n/m"} → ${r.heapUsedAfterMiB ?? "n/m"} MiB | ${r.heapPerConnectionKiB ?? "n/m"} KiB (+ ${r.externalPerConnectionKiB ?? "n/m"} KiB) | ${r.eldP99WhileConnectingMs ?? "n/m"} / ${r.eldP99IdleMs ?? "n/m"} ms |`,
    ].join("\n");
    return result;
  } finally {
    for (const socket of sockets) socket.close();
    await sleep(200);
    await server?.stop();
    await database?.drop();
  }
}
