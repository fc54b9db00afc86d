import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { metrics, serveMetrics } from "../../lib/metrics";

// /api/metrics over a real HTTP server: refused without METRICS_TOKEN configured, refused without the
// bearer token or with a wrong one, and the Prometheus text with it, carrying the hot path's series.

const TOKEN = "a-metrics-token-of-32-characters!";
let configured: string | undefined = TOKEN;
let server: http.Server;
let url = "";

before(async () => {
  server = http.createServer((req, res) => void serveMetrics(req, res, configured));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/metrics`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

void test("without METRICS_TOKEN the endpoint does not exist (404), even with a bearer token", async () => {
  configured = undefined;
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 404);
    assert.doesNotMatch(await response.text(), /transit_/);
  } finally {
    configured = TOKEN;
  }
});

void test("no token, a wrong token or another scheme: 401 with WWW-Authenticate, no figures", async () => {
  for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}`, TOKEN]) {
    const response = await fetch(url, { headers: authorization ? { authorization } : {} });
    assert.equal(response.status, 401, `authorization ${String(authorization)}`);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.doesNotMatch(await response.text(), /transit_/);
  }
  assert.equal((await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } })).status, 405);
});

void test("with the token: Prometheus text with sockets, persisted messages, batch, ack, event-loop, pool and rate-limit series", async () => {
  metrics.countSockets("socket.io", () => 7);
  metrics.countSockets("json-ws", () => 2);
  metrics.watchPool(() => ({ total: 10, idle: 6, waiting: 1 }));
  metrics.batchCommitted(12, 11, 3.5);
  metrics.sendAcked("json-ws", 4);
  metrics.rateLimited();
  const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
  const text = await response.text();
  assert.match(text, /^transit_connected_sockets\{transport="socket.io"\} 7$/m);
  assert.match(text, /^transit_connected_sockets\{transport="json-ws"\} 2$/m);
  assert.match(text, /^transit_db_pool_connections\{state="in_use"\} 4$/m);
  assert.match(text, /^transit_db_pool_connections\{state="waiting"\} 1$/m);
  assert.match(text, /^transit_messages_persisted_total 11$/m);
  assert.match(text, /^transit_message_batch_size_bucket\{le="16"\} 1$/m);
  assert.match(text, /^transit_message_batch_size_sum 12$/m);
  assert.match(text, /^transit_message_batch_flush_seconds_bucket\{le="0.005"\} 1$/m);
  assert.match(text, /^transit_send_ack_seconds_count\{transport="json-ws"\} 1$/m);
  assert.match(text, /^transit_rate_limited_total 1$/m);
  assert.match(text, /^nodejs_eventloop_lag_p99_seconds /m);
});
