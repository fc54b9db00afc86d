import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { cleanupAll, ROOT } from "./lib/processes";
import { isPostgresAvailable } from "./lib/fixtures";
import { breakingStep, describeMachine, formatKnee, kneeRatio, writeResult } from "./lib/report";
import { BENCH_TRANSPORTS, type BenchTransport } from "./lib/load";
import { runCapacity, runThroughput, type BenchConfig, type CapacityResult, type ThroughputKind, type ThroughputResult } from "./lib/scenarios";
import { round } from "./lib/util";
import { analyzeProfile, breakdownTable, mainThreadProfile, type CpuBreakdown } from "./lib/cpu-profile";

// `npm run bench` (≈3 min on 2 cores) or `npm run bench -- --full` (longer steps, more sockets).
// Starts every server under test as a child process, drives it from this process, prints the tables
// and writes bench/results/<date>-<scenario>.json. See docs/performance.md.

const USAGE = `usage: npm run bench [-- options]
  --full                 longer steps (30 s), one more rate step (1600/s), the baseline from the
                         lowest step, 10,000 idle sockets
  --only=a,b,...         scenarios to run: baseline, pglite, postgres, shift, capacity (default: all)
                         shift: the product on PostgreSQL with --shift-clients drivers connected (one
                         conversation each, plus the control staff) at 250, 500 and 1000 msg/s
  --transports=a,b       socket.io, json-ws (default: both; each throughput scenario runs on each)
  --rates=10,25,...      offered messages/s per step (default 50 100 200 400 800 1200 1600 2000
                         2400 2800 3200 4000 4800 5600 6400 8000 9600 12800 19200: steps of at most
                         25 % near the knees, so a ratio is not an artefact of the ladder; the
                         baseline starts at 400 unless --rates or --full is
                         given; a scenario stops at its first overloaded step)
  --step-seconds=N       length of each step
  --drivers=N            drivers (one conversation each; default 10)
  --controls=K           control staff sockets, each in every conversation (default 20)
  --capacity=N           idle sockets for the capacity scenario
  --shift-clients=N      connected drivers in the shift scenario (default 2000)
  --profile              after each product ladder, run its knee step once more with the server under
                         --cpu-prof and print where the CPU went (bench/lib/cpu-profile.ts)
  --no-probe             do not load bench/server-probe.ts into the servers (no server ELD / heap)
  --help`;

const SCENARIOS = ["baseline", "pglite", "postgres", "shift", "capacity"] as const;

/** The shift scenario's steps, and the rate whose p99 the issue sets a goal for. */
const SHIFT_RATES = [250, 500, 1000];
const SHIFT_GOAL_RATE = 500;
const SHIFT_GOAL_P99_MS = 50;
type Scenario = (typeof SCENARIOS)[number];

function numberList(value: string | undefined, fallback: number[]): number[] {
  if (!value) return fallback;
  const list = value.split(",").map((item) => Number(item.trim()));
  if (list.some((n) => !Number.isFinite(n) || n <= 0 || n > 20_000)) throw new Error(`bad list: ${value}`);
  return list;
}

function boundedInt(value: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}`);
  return n;
}

function parseConfig(): { config: BenchConfig; scenarios: Scenario[]; profile: boolean } {
  const { values } = parseArgs({
    options: {
      full: { type: "boolean", default: false },
      only: { type: "string" },
      transports: { type: "string" },
      rates: { type: "string" },
      "step-seconds": { type: "string" },
      drivers: { type: "string" },
      controls: { type: "string" },
      capacity: { type: "string" },
      "shift-clients": { type: "string" },
      profile: { type: "boolean", default: false },
      "no-probe": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const full = values.full ?? false;
  const scenarios = (values.only ? values.only.split(",").map((s) => s.trim()) : [...SCENARIOS]) as Scenario[];
  for (const scenario of scenarios) if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
  const transports = (values.transports ? values.transports.split(",").map((s) => s.trim()) : [...BENCH_TRANSPORTS]) as BenchTransport[];
  for (const transport of transports) if (!BENCH_TRANSPORTS.includes(transport)) throw new Error(`unknown transport ${transport}`);
  const capacitySockets = boundedInt(values.capacity, full ? 10_000 : 2_000, 1, 18_000, "capacity");
  const config: BenchConfig = {
    full,
    rates: numberList(values.rates, [50, 100, 200, 400, 800, 1200, 1600, 2000, 2400, 2800, 3200, 4000, 4800, 5600, 6400, 8000, 9600, 12800, 19200]),
    baselineMinRate: values.rates || full ? 0 : 400,
    stepSeconds: boundedInt(values["step-seconds"], full ? 30 : 10, 1, 600, "step-seconds"),
    drainSeconds: full ? 10 : 5,
    warmupSeconds: full ? 5 : 2,
    // The product owner's measurement: 20 control sockets on 10 conversations (each message reaches 21
    // sockets). The servers under test run with the per-user rate limit raised (scenarios.ts).
    drivers: boundedInt(values.drivers, 10, 1, 5_000, "drivers"),
    controls: boundedInt(values.controls, 20, 1, 100, "controls"),
    capacitySockets,
    shiftClients: boundedInt(values["shift-clients"], 2_000, 1, 5_000, "shift-clients"),
    // Distinct accounts behind the idle sockets (each signs in once; the sockets are their devices).
    capacityUsers: Math.min(capacitySockets, full ? 500 : 100),
    probe: !(values["no-probe"] ?? false),
    scenarios,
    transports,
    log: (line) => process.stdout.write(`${line}\n`),
  };
  return { config, scenarios, profile: values.profile ?? false };
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const { config, scenarios, profile } = parseConfig();
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("no production build in .next: run `npm run build` first (the product scenarios start server.ts in production mode)");
  }
  // A hard stop for the whole run, whatever happens inside a step.
  const perStepMs = (config.stepSeconds + config.drainSeconds) * 1000;
  const runs = Math.max(1, config.scenarios.length * config.transports.length);
  const budgetMs = runs * (120_000 + config.rates.length * perStepMs) + 300_000;
  const deadline = setTimeout(() => {
    process.stderr.write(`benchmark exceeded its ${Math.round(budgetMs / 1000)} s budget; stopping\n`);
    void cleanupAll().finally(() => process.exit(2));
  }, budgetMs);
  deadline.unref();

  const machine = describeMachine();
  const runId = `b${randomBytes(3).toString("hex")}`;
  config.log(`transit support chat benchmark — ${startedAt.toISOString()} — ${machine.nproc} cores, node ${machine.node}, load average ${machine.loadAverageAtStart.join(" ")}`);
  config.log(
    `steps ${config.rates.join(", ")} msg/s × ${config.stepSeconds} s (drain ≤ ${config.drainSeconds} s); ${config.drivers} drivers + ${config.controls} control staff; server probe ${config.probe ? "on" : "off"}`,
  );

  const throughput = new Map<`${ThroughputKind}/${BenchTransport}`, ThroughputResult>();
  const shift = new Map<BenchTransport, ThroughputResult>();
  const profiles = new Map<string, { rate: number; breakdown: CpuBreakdown }>();
  let capacity: CapacityResult | undefined;
  const files: string[] = [];
  for (const scenario of scenarios) {
    const scenarioStart = performance.now();
    config.log(`\n== ${scenario} ==`);
    if (scenario === "capacity") {
      capacity = await runCapacity(config);
      files.push(writeResult(startedAt, scenario, { ...capacity, machine, config: { ...config, log: undefined }, startedAt }));
      config.log(capacity.table);
    } else if (scenario === "shift") {
      if (!(await isPostgresAvailable())) {
        config.log("  PostgreSQL is not reachable on 127.0.0.1:5432: skipped");
        continue;
      }
      // The owner's volume: thousands of drivers connected while control answers; each message still
      // reaches the 20 control sockets and its driver.
      const shiftConfig: BenchConfig = { ...config, drivers: config.shiftClients, rates: SHIFT_RATES };
      for (const transport of config.transports) {
        config.log(`\n-- shift (${config.shiftClients} drivers) over ${transport} --`);
        const result = await runThroughput("postgres", shiftConfig, `${runId}h${transport === "json-ws" ? "j" : "s"}`, transport);
        shift.set(transport, result);
        files.push(writeResult(startedAt, `shift-${transport}`, { ...result, machine, config: { ...shiftConfig, log: undefined }, startedAt }));
        config.log(`\n${result.table}`);
      }
    } else {
      if (scenario === "postgres" && !(await isPostgresAvailable())) {
        config.log("  PostgreSQL is not reachable on 127.0.0.1:5432: skipped");
        continue;
      }
      for (const transport of config.transports) {
        config.log(`\n-- ${scenario} over ${transport} --`);
        const result = await runThroughput(scenario, config, `${runId}${scenario[0]}${transport === "json-ws" ? "j" : "s"}`, transport);
        throughput.set(`${scenario}/${transport}`, result);
        files.push(writeResult(startedAt, `${scenario}-${transport}`, { ...result, machine, config: { ...config, log: undefined }, startedAt }));
        config.log(`\n${result.table}`);
        config.log(`first failing step: ${breakingStep(result.steps)}`);
        if (result.stoppedEarly) config.log(`(${result.stoppedEarly})`);
        if (profile && scenario !== "baseline" && result.knee.rate !== null) {
          const breakdown = await profileAtKnee(scenario, config, `${runId}${scenario[0]}${transport === "json-ws" ? "j" : "s"}p`, transport, result.knee.rate);
          if (breakdown) profiles.set(`${scenario}/${transport}`, { rate: result.knee.rate, breakdown });
        }
      }
    }
    config.log(`  (${round((performance.now() - scenarioStart) / 1000)} s)`);
  }

  config.log("\n== summary ==");
  const lines = [
    "| scenario | transport | knee msg/s (p99 ≤ 100 ms, 100% delivered) | first failing step | deliveries/s at knee | server CPU ms/1k msg at knee | knee ÷ baseline knee |",
    "|---|---|---|---|---|---|---|",
  ];
  const ratioLines: string[] = [];
  for (const result of throughput.values()) {
    const atKnee = result.steps.find((s) => s.load.targetRate === result.knee.rate);
    const baseline = throughput.get(`baseline/${result.transport}`);
    const ratio = result.scenario === "baseline" ? "1" : baseline ? kneeRatio(result.knee, baseline.knee) : "n/a (baseline not run)";
    if (result.scenario !== "baseline") ratioLines.push(`${result.scenario} over ${result.transport}: knee ratio product ÷ baseline: ${ratio}`);
    lines.push(
      `| ${result.scenario} | ${result.transport} | ${formatKnee(result.knee)} | ${breakingStep(result.steps)} | ${atKnee?.deliveriesPerSecond ?? "–"} | ${atKnee?.serverCpuMsPer1k ?? "–"} | ${ratio} |`,
    );
  }
  if (capacity) {
    lines.push(
      `| capacity | ${capacity.sockets} idle sockets: ${capacity.server.heapPerConnectionKiB ?? "n/m"} KiB heap, ${capacity.server.rssSignificant ? `${capacity.server.rssPerConnectionKiB} KiB` : "n/s"} RSS per connection | ${capacity.connectionsPerSecond} handshakes/s | – |`,
    );
  }
  config.log(lines.join("\n"));
  if (ratioLines.length > 0) config.log(`\n${ratioLines.join("\n")}`);
  for (const [transport, result] of shift) {
    const atGoal = result.steps.find((step) => step.load.targetRate === SHIFT_GOAL_RATE);
    const figure = atGoal
      ? `p99 send→deliver ${atGoal.load.deliver.p99Ms} ms, ${round(atGoal.deliveryRatio * 100, 2)}% delivered (goal ≤ ${SHIFT_GOAL_P99_MS} ms: ${atGoal.load.deliver.p99Ms <= SHIFT_GOAL_P99_MS && atGoal.passes ? "met" : "missed"})`
      : "not reached (an earlier step was overloaded)";
    config.log(`shift over ${transport}: ${result.topology.sockets} sockets, ${SHIFT_GOAL_RATE} persisted msg/s: ${figure}`);
  }
  for (const [key, { rate, breakdown }] of profiles) {
    config.log(`\nCPU at the knee, ${key} at ${rate} msg/s (self time, --cpu-prof; ${path.relative(ROOT, breakdown.file)}):`);
    config.log(breakdownTable(key, breakdown));
    config.log(`top functions: ${breakdown.top.map((f) => `${f.functionName} (${f.url || "native"}) ${f.ms} ms`).join("; ")}`);
  }
  config.log(`\nresults: ${files.map((file) => path.relative(ROOT, file)).join(", ")}`);
  config.log(`total ${round((performance.now() - started) / 1000)} s`);
}

/** The knee step once more, on a fresh database, with the server under --cpu-prof; the profile is written when it exits. */
async function profileAtKnee(kind: ThroughputKind, config: BenchConfig, runId: string, transport: BenchTransport, rate: number): Promise<CpuBreakdown | null> {
  const dir = path.join(ROOT, "bench", "results", "profiles", `${new Date().toISOString().replace(/[:.]/g, "")}-${kind}-${transport}`);
  fs.mkdirSync(dir, { recursive: true });
  config.log(`  profiling ${kind} over ${transport} at ${rate} msg/s (${path.relative(ROOT, dir)})`);
  await runThroughput(kind, { ...config, rates: [rate], serverNodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] }, runId, transport);
  const file = mainThreadProfile(dir);
  if (!file) {
    config.log("  no profile was written (the server did not exit cleanly)");
    return null;
  }
  return analyzeProfile(file);
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping servers and dropping databases…\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .then(async () => {
    await cleanupAll();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    // After SIGINT the run fails on purpose (its servers are gone): only the cleanup matters then.
    if (!interrupted) process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanupAll();
    process.exit(interrupted ? 130 : 1);
  });
