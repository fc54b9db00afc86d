import type { IntervalLoad, LatencyFigures } from "./soak-load";
import { mib } from "./report";
import { round } from "./util";

// Turning the soak's intervals into its printed lines, its summary and a markdown table.

/** The server's side of one interval: memory from the probe (after a full GC), CPU from /proc. */
export interface ServerSample {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** Event-loop delay p99 inside the server over the interval. */
  eldP99Ms: number;
  /** Server process tree CPU over the interval, % of one core. */
  cpuPercent: number;
}

export interface IntervalReport {
  index: number;
  /** Milliseconds since sending started, at the end of the interval. */
  elapsedMs: number;
  lengthMs: number;
  load: IntervalLoad;
  /** Null when the probe did not answer in time. */
  server: ServerSample | null;
  loadAverage1m: number;
  /** Share of the interval in which some task on the machine waited for a CPU (Linux PSI). */
  cpuStallPercent: number | null;
}

/** Failed acks, timeouts, sends whose connection closed under them, and disconnects. */
export function errorCount(load: IntervalLoad): number {
  return Object.values(load.ackErrors).reduce((a, b) => a + b, 0) + load.timeouts + load.sendsLost + load.disconnects;
}

/** Deliveries that break the promises: duplicates, out of order, to the wrong driver. */
export function anomalyCount(load: IntervalLoad): number {
  return load.duplicates + load.outOfOrder + load.misrouted;
}

export function errorBreakdown(load: IntervalLoad): string {
  const parts = Object.entries(load.ackErrors).map(([code, n]) => `${code}×${n}`);
  if (load.timeouts > 0) parts.push(`timeout×${load.timeouts}`);
  if (load.sendsLost > 0) parts.push(`connection-lost×${load.sendsLost}`);
  if (load.disconnects > 0) parts.push(`disconnect×${load.disconnects}`);
  if (load.reconnectFailures > 0) parts.push(`failed-reconnect×${load.reconnectFailures}`);
  if (load.lateAcks > 0) parts.push(`late-ack×${load.lateAcks}`);
  if (load.duplicates > 0) parts.push(`duplicate×${load.duplicates}`);
  if (load.outOfOrder > 0) parts.push(`out-of-order×${load.outOfOrder}`);
  if (load.misrouted > 0) parts.push(`misrouted×${load.misrouted}`);
  return parts.join(", ");
}

export function clock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

const three = (l: LatencyFigures) => (l.count === 0 ? "–" : `${l.p50Ms}/${l.p95Ms}/${l.p99Ms}`);
const four = (l: LatencyFigures) => (l.count === 0 ? "–" : `${l.p50Ms}/${l.p95Ms}/${l.p99Ms}/${l.maxMs}`);

/** The one line printed after each interval. */
export function intervalLine(r: IntervalReport): string {
  const { load, server } = r;
  const errors = errorCount(load);
  const breakdown = errorBreakdown(load);
  const serverPart = server
    ? `rss ${mib(server.rssBytes)} MiB heap ${mib(server.heapUsedBytes)} MiB cpu ${server.cpuPercent}% eld p99 ${server.eldP99Ms} ms`
    : "probe did not answer";
  return [
    `[${clock(r.elapsedMs).padStart(6)}]`,
    `sent ${load.sent} acked ${load.acked} errors ${errors}${breakdown ? ` (${breakdown})` : ""}`,
    `| ack p50/p95/p99/max ${four(load.ack)} ms`,
    `| deliver p50/p95/p99 ${three(load.deliver)} ms`,
    `| server ${serverPart}`,
    `| load ${r.loadAverage1m} stall ${r.cpuStallPercent ?? "n/m"}%`,
  ].join(" ");
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  return sxx === 0 ? null : sxy / sxx;
}

/** MiB per hour of a memory figure over the intervals after the first (the warm-up). */
export function memorySlope(reports: readonly IntervalReport[], pick: (s: ServerSample) => number): number | null {
  const points = reports
    .slice(1)
    .filter((r) => r.server !== null)
    .map((r) => ({ x: r.elapsedMs / 3_600_000, y: pick(r.server as ServerSample) / 2 ** 20 }));
  const slope = leastSquaresSlope(points);
  return slope === null ? null : round(slope, 1);
}

/** Markdown table of the given intervals. */
export function intervalTable(reports: readonly IntervalReport[]): string {
  const lines = [
    "| interval end | sent / acked | errors | ack p50 / p95 / p99 / max ms | deliver p50 / p95 / p99 ms | server RSS / heap (after GC) MiB | server CPU % / ELD p99 ms | load avg / CPU stall % |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of reports) {
    const breakdown = errorBreakdown(r.load);
    const s = r.server;
    lines.push(
      `| ${clock(r.elapsedMs)} | ${r.load.sent} / ${r.load.acked} | ${errorCount(r.load)}${breakdown ? ` (${breakdown})` : ""} | ${four(r.load.ack).replaceAll("/", " / ")} | ${three(r.load.deliver).replaceAll("/", " / ")} | ${s ? `${mib(s.rssBytes)} / ${mib(s.heapUsedBytes)}` : "n/m"} | ${s ? `${s.cpuPercent} / ${s.eldP99Ms}` : "n/m"} | ${r.loadAverage1m} / ${r.cpuStallPercent ?? "n/m"} |`,
    );
  }
  return lines.join("\n");
}

/** The first, every `every`-th and the last interval. */
export function sampleIntervals<T extends { index: number }>(reports: readonly T[], every: number): T[] {
  return reports.filter((r, i) => i === 0 || i === reports.length - 1 || r.index % every === 0);
}

export function latencyPair(label: string, first: LatencyFigures, last: LatencyFigures): string {
  return `${label} p50/p95/p99/max: first ${four(first)} ms → last ${four(last)} ms`;
}
