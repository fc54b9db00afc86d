import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LatencySummary, StepLoad } from "./load";
import { round } from "./util";

// Turning measurements into the tables and JSON files of a run.

/** The knee criterion: p99 send→deliver at most this, and every delivery arrived. */
export const KNEE_P99_MS = 100;

export interface ServerFigures {
  /** Server process tree CPU (user + system) during the step, ms. */
  cpuMs: number;
  /** PostgreSQL backends of the bench database, ms (postgres scenario only). */
  postgresCpuMs: number | null;
  /** Event-loop delay inside the server (bench/server-probe.ts); null without the probe. */
  eldP99Ms: number | null;
  eldMaxMs: number | null;
  rssBytes: number;
  /** Rows added to "Message" during the step; how they were counted is in `rowsSource`. */
  rows: number | null;
  rowsSource: "postgres count(*)" | "ok acks" | "none (no persistence)";
  /** 1-minute load average of the machine at the end of the step (other work on the box shows here). */
  loadAverage1m: number;
  /** Share of the step's wall time in which some task on the machine waited for a CPU (Linux PSI). */
  cpuStallPercent: number | null;
}

export interface StepResult {
  load: StepLoad;
  server: ServerFigures;
  offeredPerSecond: number;
  deliveredMessagesPerSecond: number;
  deliveriesPerSecond: number;
  deliveryRatio: number;
  serverCpuMsPer1k: number | null;
  /** Server CPU over the step as a share of one core (100 = one core busy all the time). */
  serverCpuPercent: number;
  postgresCpuMsPer1k: number | null;
  rowsPerSecond: number | null;
  passes: boolean;
}

export function stepResult(load: StepLoad, server: ServerFigures): StepResult {
  const seconds = load.elapsedMs / 1000;
  const deliveryRatio = load.expectedDeliveries > 0 ? load.deliveries / load.expectedDeliveries : 0;
  const processed = load.acked + Object.values(load.ackErrors).reduce((a, b) => a + b, 0);
  const passes = deliveryRatio === 1 && load.unacked === 0 && processed === load.acked && load.deliver.p99Ms <= KNEE_P99_MS;
  return {
    load,
    server,
    offeredPerSecond: round(load.sent / (load.sendWindowMs / 1000)),
    deliveredMessagesPerSecond: round(load.fullyDelivered / seconds),
    deliveriesPerSecond: round(load.deliveries / seconds),
    deliveryRatio,
    serverCpuMsPer1k: processed > 0 ? round((server.cpuMs / processed) * 1000) : null,
    serverCpuPercent: round((server.cpuMs / load.elapsedMs) * 100),
    postgresCpuMsPer1k: server.postgresCpuMs !== null && processed > 0 ? round((server.postgresCpuMs / processed) * 1000) : null,
    rowsPerSecond: server.rows !== null ? round(server.rows / seconds) : null,
    passes,
  };
}

export interface Knee {
  /** Highest passing step's offered rate, or null when no step passed. */
  rate: number | null;
  /** True when the highest step run passed: the real knee is at least `rate`. */
  isLowerBound: boolean;
  /** The lowest step run; when none passed, the knee is below it. */
  lowestRate: number | null;
}

export function findKnee(steps: readonly StepResult[]): Knee {
  let rate: number | null = null;
  for (const step of steps) if (step.passes) rate = Math.max(rate ?? 0, step.load.targetRate);
  const highest = steps.reduce((max, step) => Math.max(max, step.load.targetRate), 0);
  const lowestRate = steps.length > 0 ? Math.min(...steps.map((step) => step.load.targetRate)) : null;
  return { rate, isLowerBound: rate !== null && rate === highest, lowestRate };
}

/** Why the first failing step failed ("none" when every step passed: the knee is only a lower bound). */
export function breakingStep(steps: readonly StepResult[]): string {
  const failed = steps.find((step) => !step.passes);
  if (!failed) return "none: every step passed (lower bound, not a knee)";
  const reasons: string[] = [];
  if (failed.load.deliver.p99Ms > KNEE_P99_MS) reasons.push(`p99 ${failed.load.deliver.p99Ms} ms > ${KNEE_P99_MS} ms`);
  if (failed.deliveryRatio < 1) reasons.push(`${round(failed.deliveryRatio * 100, 2)}% delivered`);
  if (failed.load.unacked > 0) reasons.push(`${failed.load.unacked} sends unacked`);
  const refused = Object.entries(failed.load.ackErrors).map(([code, n]) => `${n} ${code}`);
  if (refused.length > 0) reasons.push(`refused: ${refused.join(", ")}`);
  return `${failed.load.targetRate}/s (${reasons.join("; ") || "failed"})`;
}

export function formatKnee(knee: Knee): string {
  if (knee.rate === null) return knee.lowestRate === null ? "none" : `< ${knee.lowestRate}`;
  return knee.isLowerBound ? `≥ ${knee.rate}` : String(knee.rate);
}

/** product ÷ baseline, with the direction of the bound when either knee is only a lower bound. */
export function kneeRatio(product: Knee, baseline: Knee): string {
  if (baseline.rate === null) return "n/a (no baseline knee)";
  if (product.rate === null) return product.lowestRate === null ? "n/a" : `< ${round(product.lowestRate / baseline.rate, 3)}`;
  const ratio = round(product.rate / baseline.rate, 3);
  if (baseline.isLowerBound && product.isLowerBound) return `? (both ≥)`;
  if (baseline.isLowerBound) return `≤ ${ratio}`;
  if (product.isLowerBound) return `≥ ${ratio}`;
  return String(ratio);
}

const latency = (l: LatencySummary) => (l.count === 0 ? "–" : `${l.p50Ms} / ${l.p90Ms} / ${l.p99Ms} / ${l.maxMs}`);
const maybe = (value: number | null, suffix = "") => (value === null ? "n/m" : `${value}${suffix}`);

export function stepTable(steps: readonly StepResult[], receivers: number): string {
  const header = [
    "offered msg/s",
    "delivered msg/s",
    `deliveries/s (×${receivers})`,
    "delivery",
    "dup / ooo",
    "send→ack p50/p90/p99/max ms",
    "send→deliver p50/p90/p99/max ms",
    "ELD p99 gen / server ms",
    "server CPU-ms /1k msg (% of a core)",
    "rows/s",
    "CPU stall % / load avg",
    "knee ok",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const s of steps) {
    const errors = Object.entries(s.load.ackErrors).map(([code, n]) => `${code}×${n}`);
    if (s.load.unacked > 0) errors.push(`unacked×${s.load.unacked}`);
    const pgCpu = s.postgresCpuMsPer1k !== null ? ` + PG ${s.postgresCpuMsPer1k}` : "";
    const cpu = `${maybe(s.serverCpuMsPer1k)}${pgCpu} (${s.serverCpuPercent}%)`;
    lines.push(
      `| ${[
        `${s.offeredPerSecond} (${s.load.targetRate})`,
        s.deliveredMessagesPerSecond,
        s.deliveriesPerSecond,
        `${round(s.deliveryRatio * 100, 2)}%${errors.length ? ` (${errors.join(", ")})` : ""}`,
        `${s.load.duplicates} / ${s.load.outOfOrder}`,
        latency(s.load.ack),
        latency(s.load.deliver),
        `${round(s.load.generator.eldP99Ms)} / ${s.server.eldP99Ms === null ? "n/m" : round(s.server.eldP99Ms)}`,
        cpu,
        s.rowsPerSecond === null ? "–" : s.rowsPerSecond,
        `${maybe(s.server.cpuStallPercent)} / ${s.server.loadAverage1m}`,
        s.passes ? "yes" : "no",
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  memory: string;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
}

export function describeMachine(): Machine {
  let memory = `${round(os.totalmem() / 2 ** 30)} GiB total`;
  try {
    memory = execFileSync("free", ["-h"], { encoding: "utf8" }).trim();
  } catch {
    // free is not installed: keep the total
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memory,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((value) => round(value, 2)),
  };
}

export const RESULTS_DIR = path.resolve(import.meta.dirname, "..", "results");

/** bench/results/<date>-<scenario>.json; the date carries the time so runs on one day don't collide. */
export function writeResult(startedAt: Date, scenario: string, data: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, "").replace(/\.\d+Z$/, "Z");
  const file = path.join(RESULTS_DIR, `${stamp}-${scenario}.json`);
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`);
  fs.renameSync(temporary, file);
  return file;
}

export const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
export const kib = (bytes: number) => round(bytes / 1024, 1);
