import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

// Prometheus metrics of one node, served by server.ts at METRICS_PATH (never through Next), behind
// METRICS_TOKEN. The recorders below are cheap enough for the hot path (a counter add, a bucket find).

export const METRICS_PATH = "/api/metrics";

type Transport = "socket.io" | "json-ws";

function createMetrics() {
  const registry = new Registry();
  // Process figures, among them nodejs_eventloop_lag_p99_seconds and the heap.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

  const socketCounters = new Map<Transport, () => number>();
  new Gauge({
    name: "transit_connected_sockets",
    help: "Open client connections on this node, by transport.",
    labelNames: ["transport"],
    registers: [registry],
    collect() {
      for (const [transport, count] of socketCounters) this.set({ transport }, count());
    },
  });
  const pools: (() => { total: number; idle: number; waiting: number })[] = [];
  new Gauge({
    name: "transit_db_pool_connections",
    help: "Database connections of this node: total open, in use, and requests waiting for one.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      let total = 0;
      let idle = 0;
      let waiting = 0;
      for (const read of pools) {
        const figures = read();
        total += figures.total;
        idle += figures.idle;
        waiting += figures.waiting;
      }
      this.set({ state: "total" }, total);
      this.set({ state: "in_use" }, total - idle);
      this.set({ state: "waiting" }, waiting);
    },
  });
  const persisted = new Counter({ name: "transit_messages_persisted_total", help: "Chat messages committed by this node's writer.", registers: [registry] });
  const failedBatches = new Counter({ name: "transit_message_batches_failed_total", help: "Writer batches that rolled back (every send in them was refused).", registers: [registry] });
  const batchSize = new Histogram({
    name: "transit_message_batch_size",
    help: "Sends per group-commit batch.",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const flushSeconds = new Histogram({
    name: "transit_message_batch_flush_seconds",
    help: "From the start of a batch's transaction to its commit.",
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const sendAckSeconds = new Histogram({
    name: "transit_send_ack_seconds",
    help: "From a message:send arriving at the server to its ack being handed to the transport.",
    labelNames: ["transport"],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const rateLimited = new Counter({ name: "transit_rate_limited_total", help: "Client events refused with RATE_LIMITED.", registers: [registry] });

  return {
    registry,
    countSockets(transport: Transport, count: () => number) {
      socketCounters.set(transport, count);
    },
    watchPool(read: () => { total: number; idle: number; waiting: number }) {
      pools.push(read);
    },
    batchCommitted(size: number, written: number, ms: number) {
      batchSize.observe(size);
      flushSeconds.observe(ms / 1000);
      persisted.inc(written);
    },
    batchFailed() {
      failedBatches.inc();
    },
    sendAcked(transport: Transport, ms: number) {
      sendAckSeconds.observe({ transport }, ms / 1000);
    },
    rateLimited() {
      rateLimited.inc();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const holder = globalThis as typeof globalThis & { __transitMetrics?: Metrics };
/** One set of metrics per process. */
export const metrics: Metrics = (holder.__transitMetrics ??= createMetrics());

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * GET METRICS_PATH: the Prometheus text format with `Authorization: Bearer <METRICS_TOKEN>`.
 * 404 while METRICS_TOKEN is unset (the endpoint does not exist), 401 without the right token.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, token: string | undefined): Promise<void> {
  const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify({ error: { code: status === 401 ? "UNAUTHENTICATED" : status === 405 ? "VALIDATION" : "NOT_FOUND", message } }));
  };
  if (!token) return refuse(404, "Metrics are disabled: set METRICS_TOKEN to enable them.");
  if (req.method !== "GET" && req.method !== "HEAD") return refuse(405, "Use GET.", { allow: "GET, HEAD" });
  if (!tokenMatches(req.headers.authorization, token)) return refuse(401, "A valid bearer token is required.", { "www-authenticate": 'Bearer realm="metrics"' });
  const body = await metrics.registry.metrics();
  res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
}
