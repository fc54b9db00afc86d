import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createTestDatabase, inspectDatabase, isPostgresAvailable, prepareDatabase, type TestDatabase, type TestUserSpec } from "../helpers/database";
import type { Role } from "../../lib/chat/types";
import { Device, type DeviceSpec } from "./device";
import { PrivateRedis, ServerNode } from "./processes";
import { Rng } from "./rng";
import { Checks, readSnapshot, verifyRun, type DeliveryCounts } from "./verify";

// One chaos run: a fresh database, the server(s), field and control clients on both transports
// sending while faults are injected at random, then the checks of verify.ts.
//
// Modes:
// - pglite:   one node on the embedded database; it is SIGKILLed and restarted on the same DATA_DIR.
// - postgres: one node on PostgreSQL; SIGKILLed and restarted; the database's connections are cut.
// - cluster:  two nodes on PostgreSQL and a private Redis; one node at a time is SIGKILLed and
//             restarted, Redis is SIGKILLed and restarted empty, database connections are cut.
// In every mode: transports dropped mid-send, and phones kept offline for a while.

export type ChaosMode = "pglite" | "postgres" | "cluster";
export const CHAOS_MODES: readonly ChaosMode[] = ["pglite", "postgres", "cluster"];

export interface ChaosOptions {
  mode: ChaosMode;
  /** At least this many messages are written (and acknowledged) in the run. */
  messages: number;
  seed: number;
  /** Everything (start, load, faults, drain, checks) must finish within this; else a check fails. */
  timeLimitMs: number;
  /** --full: longer offline periods ("minutes") and more faults. */
  full: boolean;
  log: (line: string) => void;
  /** If set, each node's output is written there at the end (`<mode>-<node>.log`). */
  logDir?: string;
}

export interface FaultCounts {
  transportDrops: number;
  dropsMidSend: number;
  /** Floods that emptied a user's rate-limit bucket (and how many of their reads were refused). */
  rateBursts: number;
  burstRefusals: number;
  phonesOffline: number;
  longestOfflineS: number;
  serverKills: number;
  nodeKills: number;
  redisRestarts: number;
  dbConnectionCuts: number;
  dbConnectionsTerminated: number;
  /** Start-up time of each restarted node, in seconds. */
  restartSeconds: number[];
  /** When each big fault (kill, restart, cut) began and ended. */
  timeline: { kind: string; startedAt: number; endedAt: number }[];
}

export interface ChaosResult {
  mode: ChaosMode;
  seed: number;
  checks: Checks;
  counts: DeliveryCounts;
  faults: FaultCounts;
  clients: { retries: number; duplicateAcks: number; rateLimited: number; serverErrors: number; timeouts: number; connects: number; catchUpPages: number; heldBack: number; holeCatchUps: number };
  serverErrorLogLines: number;
  durationS: number;
  /** Human-readable lines, printed by run.ts and kept in the test's diagnostics. */
  summary: string[];
}

/** Why `mode` cannot run here, or null. */
export async function missingForMode(mode: ChaosMode): Promise<string | null> {
  if (mode === "pglite") return null;
  if (!(await isPostgresAvailable())) return "PostgreSQL is not reachable (TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres)";
  if (mode === "cluster" && !PrivateRedis.isInstalled()) return "redis-server is not installed (the cluster mode starts a private one)";
  return null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Plan {
  field: { key: string; role: Role; devices: number }[];
  control: { key: string; role: Role }[];
}

const PLAN: Plan = {
  field: [
    { key: "driver1", role: "BUS_DRIVER", devices: 2 },
    { key: "driver2", role: "BUS_DRIVER", devices: 1 },
    { key: "driver3", role: "BUS_DRIVER", devices: 1 },
    { key: "driver4", role: "BUS_DRIVER", devices: 1 },
    { key: "driver5", role: "BUS_DRIVER", devices: 1 },
    { key: "regulator1", role: "QUEUE_REGULATOR", devices: 2 },
    { key: "regulator2", role: "QUEUE_REGULATOR", devices: 1 },
    { key: "regulator3", role: "QUEUE_REGULATOR", devices: 1 },
  ],
  control: [
    { key: "control1", role: "CONTROL_STAFF" },
    { key: "control2", role: "CONTROL_STAFF" },
    { key: "control3", role: "CONTROL_STAFF" },
    { key: "admin1", role: "CONTROL_ADMIN" },
  ],
};

interface Topology {
  database: TestDatabase;
  nodes: ServerNode[];
  redis?: PrivateRedis;
  dirs: string[];
}

async function startTopology(mode: ChaosMode, runId: string, log: (line: string) => void): Promise<{ topology: Topology; users: Awaited<ReturnType<typeof prepareDatabase>> }> {
  const database = await createTestDatabase(mode === "pglite" ? "pglite" : "postgres");
  const topology: Topology = { database, nodes: [], dirs: [] };
  try {
    const specs: Record<string, TestUserSpec> = {};
    for (const f of PLAN.field) specs[f.key] = { role: f.role, name: f.key, vehicle: `Bus ${f.key.length}`, route: "Route 9" };
    for (const c of PLAN.control) specs[c.key] = { role: c.role, name: c.key };
    const users = await prepareDatabase(database, specs);
    const startTimeoutMs = 240_000;
    if (mode === "cluster") {
      const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), "transit-chaos-redis-"));
      topology.dirs.push(redisDir);
      topology.redis = new PrivateRedis(redisDir);
      await topology.redis.start();
      log(`private redis-server on port ${topology.redis.port}`);
      for (const name of ["A", "B"]) {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `transit-chaos-node-${name}-`));
        topology.dirs.push(dataDir);
        topology.nodes.push(
          new ServerNode({ name, database, dataDir, startTimeoutMs, env: { REDIS_URL: topology.redis.url, REDIS_PREFIX: `chaos-${runId}:` } }),
        );
      }
    } else {
      topology.nodes.push(new ServerNode({ name: "server", database, dataDir: database.dataDir, startTimeoutMs }));
    }
    await Promise.all(topology.nodes.map((node) => node.start()));
    log(`started ${topology.nodes.map((n) => `${n.name} on ${n.url}`).join(", ")} (${database.kind})`);
    return { topology, users };
  } catch (error) {
    await stopTopology(topology);
    throw error;
  }
}

async function stopTopology(topology: Topology): Promise<void> {
  await Promise.all(topology.nodes.map((node) => node.kill()));
  await topology.redis?.kill();
  await topology.database.drop().catch(() => undefined);
  for (const dir of topology.dirs) fs.rmSync(dir, { recursive: true, force: true });
}

async function fetchToken(url: string, email: string, password: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${url}/api/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
      if (response.ok) return ((await response.json()) as { token: string }).token;
      if (attempt >= 5) throw new Error(`token for ${email}: HTTP ${response.status} ${await response.text()}`);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
    await sleep(1000 * attempt);
  }
}

/** Cuts every connection the server(s) hold to this run's PostgreSQL database (only this database). */
async function cutDatabaseConnections(database: TestDatabase): Promise<number> {
  const url = new URL(database.databaseUrl ?? "");
  const name = url.pathname.slice(1);
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    return result.rows.filter((r) => r.terminated).length;
  } finally {
    await client.end();
  }
}

type BigFault = "server-kill" | "node-kill" | "redis-restart" | "db-cut";

/** Lost deliveries counted by the fault they were next to and by the receiving client's transport. */
function missesByFault(misses: DeliveryCounts["misses"], timeline: FaultCounts["timeline"]): string {
  const tally = new Map<string, number>();
  for (const miss of misses) {
    const key = `${nearestFault(miss.storedAt, timeline)} → ${miss.transport}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return [...tally]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(", ");
}

function planFaults(mode: ChaosMode, full: boolean, rng: Rng): BigFault[] {
  const kinds: BigFault[] = [];
  const repeat = (kind: BigFault, times: number) => kinds.push(...Array.from({ length: times }, () => kind));
  if (mode === "pglite") repeat("server-kill", full ? 8 : 3);
  if (mode === "postgres") {
    repeat("server-kill", full ? 6 : 2);
    repeat("db-cut", full ? 4 : 1);
  }
  if (mode === "cluster") {
    repeat("node-kill", full ? 6 : 2);
    repeat("redis-restart", full ? 4 : 2);
    repeat("db-cut", full ? 3 : 1);
  }
  // Fisher–Yates with the run's generator.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as BigFault, kinds[i] as BigFault];
  }
  return kinds;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const deadline = started + options.timeLimitMs;
  const runId = randomBytes(4).toString("hex");
  const rng = new Rng(options.seed);
  const log = (line: string) => options.log(`[${options.mode} +${Math.round((Date.now() - started) / 1000)}s] ${line}`);
  const checks = new Checks();
  const faults: FaultCounts = {
    transportDrops: 0,
    dropsMidSend: 0,
    rateBursts: 0,
    burstRefusals: 0,
    phonesOffline: 0,
    longestOfflineS: 0,
    serverKills: 0,
    nodeKills: 0,
    redisRestarts: 0,
    dbConnectionCuts: 0,
    dbConnectionsTerminated: 0,
    restartSeconds: [],
    timeline: [],
  };

  log(`run ${runId}, seed ${options.seed}, ${options.messages} messages`);
  const { topology, users } = await startTopology(options.mode, runId, log);
  const devices: Device[] = [];
  try {
    const firstUrl = topology.nodes[0]?.url ?? "";
    const tokens = new Map<string, string>();
    for (const [key, user] of Object.entries(users)) tokens.set(key, await fetchToken(firstUrl, user.email, user.password));

    // Devices: field phones (two users have a second device) and control dashboards, on both transports.
    const specs: Omit<DeviceSpec, "maxMessages">[] = [];
    let index = 0;
    for (const field of PLAN.field) {
      for (let d = 1; d <= field.devices; d++) {
        const transport = index++ % 2 === 0 ? "socket.io" : "ws";
        specs.push({
          name: `${field.key}-${d === 1 ? "phone" : "tablet"}`,
          userKey: field.key,
          userId: users[field.key]?.id ?? "",
          role: field.role,
          isField: true,
          transport,
          polling: transport === "socket.io" && index % 4 === 1,
          opensConversation: true,
        });
      }
    }
    for (const control of PLAN.control) {
      const transport = index++ % 2 === 0 ? "socket.io" : "ws";
      specs.push({ name: `${control.key}-desk`, userKey: control.key, userId: users[control.key]?.id ?? "", role: control.role, isField: false, transport, polling: transport === "socket.io", opensConversation: false });
    }
    // Writing goes on until the target is reached and every planned fault has happened during
    // writes; maxMessages only bounds a device if faults take very long.
    const target = options.messages;
    const maxMessages = Math.ceil(target / specs.length) * 10;
    let acknowledged = 0;
    const nodeUrls = () => {
      const up = topology.nodes.filter((n) => n.isRunning).map((n) => n.url);
      return up.length > 0 ? up : topology.nodes.map((n) => n.url);
    };
    for (const spec of specs) {
      devices.push(
        new Device(
          { ...spec, maxMessages },
          {
            runId,
            token: tokens.get(spec.userKey) ?? "",
            rng: rng.fork(),
            nodeUrls,
            deadline,
            connectTimeoutMs: 30_000,
            requestTimeoutMs: 30_000,
            thinkMs: 150,
            onAck: () => (acknowledged += 1),
          },
        ),
      );
    }
    log(`${devices.length} clients (${devices.filter((d) => d.spec.transport === "ws").length} on the JSON WebSocket)`);
    const loadStarted = Date.now();
    const running = devices.map((device) =>
      device.run().catch((error: unknown) => {
        device.problems.push(`client crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }),
    );

    // Faults at random while the clients write. The big ones (kills, restarts, cuts) come one at a
    // time, spread over the run by acknowledged messages so that each lands among writes and writes
    // go on after it; transport drops and offline phones come in between, also during restarts.
    const faultRng = rng.fork();
    const plan = planFaults(options.mode, options.full, faultRng);
    log(`fault plan: ${plan.join(", ")}`);
    const spacing = Math.max(20, Math.floor((target * 0.85) / (plan.length + 1)));
    let nextBigFaultAt = Math.round(spacing * faultRng.between(0.5, 1.5));
    let lastBigFaultDoneAt = 0;
    let bigFault: Promise<void> | undefined;
    let bigFaultError: unknown;
    const offlineRange: [number, number] = options.full ? [30_000, 150_000] : [4_000, 15_000];
    const maxOffline = options.full ? 6 : 3;
    let nextProgressLog = 0;
    while (Date.now() < deadline) {
      if (bigFaultError) throw bigFaultError;
      // Every run keeps at least one phone offline, however fast the machine writes.
      const doneFaulting = plan.length === 0 && !bigFault && faults.phonesOffline > 0;
      if (doneFaulting && acknowledged >= target && acknowledged >= lastBigFaultDoneAt + Math.min(spacing, 50)) break;
      if (devices.every((d) => d.isAtLimit)) break;
      if (acknowledged >= nextProgressLog) {
        log(`${acknowledged}/${target} acknowledged`);
        nextProgressLog = acknowledged + Math.ceil(target / 10);
      }
      const next = plan[0];
      if (next && !bigFault && acknowledged >= nextBigFaultAt) {
        plan.shift();
        bigFault = injectBigFault(next, topology, faultRng, faults, log)
          .catch((error: unknown) => void (bigFaultError = error))
          .finally(() => {
            bigFault = undefined;
            lastBigFaultDoneAt = acknowledged;
            nextBigFaultAt = acknowledged + Math.round(spacing * faultRng.between(0.5, 1.5));
          });
      }
      await sleep(faultRng.between(500, 2500));
      // Drop a transport, preferably under a send in flight.
      const inFlight = devices.filter((d) => d.hasSendInFlight);
      const connected = devices.filter((d) => d.isConnected);
      const victim = inFlight.length > 0 && faultRng.chance(0.8) ? faultRng.pick(inFlight) : connected.length > 0 ? faultRng.pick(connected) : undefined;
      if (victim) {
        const midSend = victim.hasSendInFlight;
        if (victim.dropTransport()) {
          faults.transportDrops += 1;
          if (midSend) faults.dropsMidSend += 1;
        }
      }
      // A flood from another screen of one user empties that user's rate-limit bucket (burst 30). The
      // first is due by a third of the run, so a fast run cannot end without one.
      const floodDue = faults.rateBursts === 0 ? acknowledged > target * 0.3 || faultRng.chance(0.1) : faultRng.chance(0.1);
      if (floodDue) {
        const flooded = devices.filter((d) => d.isConnected);
        if (flooded.length > 0) {
          faults.rateBursts += 1;
          void faultRng
            .pick(flooded)
            .flood()
            .then((refused) => (faults.burstRefusals += refused));
        }
      }
      // A phone loses the network for a while; the person keeps writing into the outbox. The first
      // time is due by a fifth of the run, so a fast run cannot end without one.
      const offlineDue = faults.phonesOffline === 0 ? acknowledged > target * 0.2 || faultRng.chance(0.1) : faultRng.chance(0.1);
      if (faults.phonesOffline < maxOffline && acknowledged > target * 0.05 && offlineDue) {
        const phones = devices.filter((d) => d.spec.isField && !d.isOffline);
        if (phones.length > 0) {
          const phone = faultRng.pick(phones);
          const ms = Math.round(faultRng.between(offlineRange[0], offlineRange[1]));
          phone.goOffline(ms);
          faults.phonesOffline += 1;
          faults.longestOfflineS = Math.max(faults.longestOfflineS, Math.round(ms / 1000));
          log(`${phone.name} offline for ${Math.round(ms / 1000)} s`);
        }
      }
    }
    await bigFault;
    if (bigFaultError) throw bigFaultError;
    checks.check(plan.length === 0, () => `${plan.length} planned faults were not injected (${plan.join(", ")})`);
    checks.check(acknowledged >= target, () => `only ${acknowledged} of ${target} messages were acknowledged`);
    const loadSeconds = (Date.now() - loadStarted) / 1000;

    // End: every node up, every phone back, writing stops; wait for the outboxes to drain, then
    // every client catches up once more (after all writes, so that it can see everything).
    for (const node of topology.nodes) if (!node.isRunning) await node.start();
    for (const device of devices) {
      device.comeBack();
      device.requestStopWriting();
    }
    log(`faults over; draining (${acknowledged} acknowledged)`);
    while (Date.now() < deadline && !devices.every((d) => d.isDrained)) await sleep(250);
    for (const device of devices) device.requestFinalSync();
    await Promise.all(running);
    for (const device of devices) device.close();
    checks.check(Date.now() <= deadline, `the run did not finish within ${Math.round(options.timeLimitMs / 1000)} s`);
    log(`clients done (${acknowledged} acknowledged); stopping the server(s)`);

    // Graceful stop, then read the database directly (PGlite: only once its server has exited).
    for (const node of topology.nodes) {
      const code = await node.stop();
      checks.check(code === 0, () => `${node.name} exited with ${String(code)} on SIGTERM:\n${node.tail(2000)}`);
    }
    const snapshot = await inspectDatabase(topology.database, readSnapshot);
    const nodeByUrl = new Map<string, string>();
    for (const node of topology.nodes) nodeByUrl.set(node.url, node.name);
    const counts = verifyRun(devices, snapshot, runId, checks, { t0: started, nodeOf: (url) => nodeByUrl.get(url) ?? url });
    const sum = (pick: (d: Device) => number) => devices.reduce((total, d) => total + pick(d), 0);
    const clients = {
      retries: sum((d) => d.stats.retries),
      duplicateAcks: sum((d) => d.stats.duplicateAcks),
      rateLimited: sum((d) => d.stats.rateLimited),
      serverErrors: sum((d) => d.stats.serverErrors),
      timeouts: sum((d) => d.stats.timeouts),
      connects: sum((d) => d.stats.connects),
      catchUpPages: sum((d) => d.stats.catchUpPages),
      heldBack: sum((d) => d.stats.heldBack),
      holeCatchUps: sum((d) => d.stats.holeCatchUps),
    };
    const serverErrorLogLines = topology.nodes.reduce((total, node) => total + node.errorLogLines, 0);
    const durationS = Math.round((Date.now() - started) / 1000);
    const summary = [
      `chaos [${options.mode}] seed ${options.seed}, ${durationS} s, ${devices.length} clients (${devices.filter((d) => d.spec.transport === "ws").length} JSON WebSocket, ${devices.length - devices.filter((d) => d.spec.transport === "ws").length} Socket.IO), ${counts.conversations} conversations`,
      `  messages: written ${counts.written}, acknowledged ${counts.acknowledged}, unsent at the end ${counts.unsentHeld}, stored ${counts.stored} (${Math.round(loadSeconds)} s of load, ${(counts.acknowledged / loadSeconds).toFixed(1)} messages/s)`,
      `  faults: transport drops ${faults.transportDrops} (${faults.dropsMidSend} mid-send), rate-limit floods ${faults.rateBursts} (${faults.burstRefusals} reads refused), phones offline ${faults.phonesOffline} (longest ${faults.longestOfflineS} s), server kills ${faults.serverKills}, node kills ${faults.nodeKills}, redis restarts ${faults.redisRestarts}, db connection cuts ${faults.dbConnectionCuts} (${faults.dbConnectionsTerminated} connections); restarts took ${faults.restartSeconds.join(", ") || "–"} s`,
      `  clients: connects ${clients.connects}, send retries ${clients.retries} (duplicate: true ${clients.duplicateAcks}), timeouts ${clients.timeouts}, RATE_LIMITED ${clients.rateLimited}, INTERNAL ${clients.serverErrors}, catch-up pages ${clients.catchUpPages}; pushes held back after a hole ${clients.heldBack}, catch-ups for a hole ${clients.holeCatchUps}`,
      `  delivery: ${counts.participants} participants, ${counts.expectedDeliveries} expected deliveries, ${counts.delivered} delivered, ${counts.droppedDuplicates} duplicate receipts dropped by id, ${counts.pushInversions} pushes below an earlier sequence`,
      `  lost = ${counts.lost}, duplicated = ${counts.duplicated}, out of order = ${counts.outOfOrder}`,
      ...(counts.misses.length > 0 ? [`  lost deliveries (nearest fault → receiving transport): ${missesByFault(counts.misses, faults.timeline)}`] : []),
      `  server error log lines: ${serverErrorLogLines}`,
      `  checks: ${checks.passed} passed, ${checks.failed} failed`,
      ...checks.failures.slice(0, 30).map((f) => `  FAILED: ${f}`),
    ];
    return { mode: options.mode, seed: options.seed, checks, counts, faults, clients, serverErrorLogLines, durationS, summary };
  } finally {
    for (const device of devices) device.abort();
    if (options.logDir) {
      fs.mkdirSync(options.logDir, { recursive: true });
      for (const node of topology.nodes) fs.writeFileSync(path.join(options.logDir, `${options.mode}-${node.name}.log`), node.fullOutput());
    }
    await stopTopology(topology);
  }
}

async function injectBigFault(kind: BigFault, topology: Topology, rng: Rng, faults: FaultCounts, log: (line: string) => void): Promise<void> {
  const startedAt = Date.now();
  try {
    await runBigFault(kind, topology, rng, faults, log);
  } finally {
    faults.timeline.push({ kind, startedAt, endedAt: Date.now() });
  }
}

/**
 * Which fault a lost delivery is next to: the message was stored within `marginMs` of a big fault
 * (before it began or while it lasted), or "no fault nearby".
 */
function nearestFault(storedAt: number, timeline: FaultCounts["timeline"], marginMs = 3000): string {
  const near = timeline.find((f) => storedAt >= f.startedAt - marginMs && storedAt <= f.endedAt + marginMs);
  return near ? near.kind : "no fault nearby";
}

async function runBigFault(kind: BigFault, topology: Topology, rng: Rng, faults: FaultCounts, log: (line: string) => void): Promise<void> {
  if (kind === "server-kill" || kind === "node-kill") {
    const node = rng.pick(topology.nodes);
    await node.kill();
    if (kind === "server-kill") faults.serverKills += 1;
    else faults.nodeKills += 1;
    const downMs = Math.round(rng.between(200, kind === "node-kill" ? 5000 : 3000));
    log(`SIGKILL ${node.name}; restarting in ${downMs} ms`);
    await sleep(downMs);
    const restarting = Date.now();
    await node.start();
    const seconds = Math.round((Date.now() - restarting) / 1000);
    faults.restartSeconds.push(seconds);
    log(`${node.name} back after ${seconds} s of start-up`);
  } else if (kind === "redis-restart") {
    const redis = topology.redis;
    if (!redis) return;
    const downMs = Math.round(rng.between(300, 3000));
    log(`SIGKILL redis; restarting in ${downMs} ms (empty)`);
    await redis.restart(downMs);
    faults.redisRestarts += 1;
  } else {
    const terminated = await cutDatabaseConnections(topology.database);
    faults.dbConnectionCuts += 1;
    faults.dbConnectionsTerminated += terminated;
    log(`cut ${terminated} database connections`);
  }
}
