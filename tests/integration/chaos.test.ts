import { test } from "node:test";
import assert from "node:assert/strict";
import { TEST_DB } from "../helpers/database";
import { missingForMode, runChaos, type ChaosMode } from "../chaos/scenario";

// The bounded chaos run (tests/chaos, `npm run chaos` runs it by hand): at least 2,000 messages from
// field and control clients on both transports while transports drop mid-send, phones go offline,
// and the server is SIGKILLed and restarted. TEST_DB=pglite runs the embedded database;
// TEST_DB=postgres runs one PostgreSQL node (with database connections cut), then the two-node
// cluster (PostgreSQL and a private redis-server, nodes SIGKILLed, Redis restarted empty).
// Every check of tests/chaos/verify.ts must pass: lost = 0, duplicated = 0, out of order = 0.
// Without PostgreSQL (or redis-server, for the cluster) the run is skipped; with CI=true it fails.
// CHAOS_SEED replays a run's fault plan.

const MESSAGES = 2_000;
// The two-node cluster (PostgreSQL, a private redis-server) runs with the PostgreSQL pass.
const modes: ChaosMode[] = TEST_DB === "postgres" ? ["postgres", "cluster"] : ["pglite"];

for (const mode of modes) {
  void test(`chaos (${mode}): ${MESSAGES} messages under faults, nothing acknowledged lost, nothing duplicated, order kept`, { timeout: 45 * 60_000 }, async (t) => {
    const missing = await missingForMode(mode);
    if (missing) {
      if (process.env.CI === "true") assert.fail(`the ${mode} chaos run cannot start: ${missing} (CI=true)`);
      t.skip(missing);
      return;
    }
    const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);
    const log: string[] = [];
    const result = await runChaos({ mode, messages: MESSAGES, seed, full: false, timeLimitMs: 40 * 60_000, log: (line) => log.push(line) });
    for (const line of [...log, ...result.summary]) t.diagnostic(line);

    assert.equal(result.checks.failed, 0, `seed ${seed}: ${result.checks.failed} checks failed:\n${result.checks.failures.slice(0, 40).join("\n")}`);
    assert.ok(result.checks.passed > MESSAGES, `the run checked its messages (${result.checks.passed} checks)`);
    assert.equal(result.counts.lost, 0, "lost = 0");
    assert.equal(result.counts.duplicated, 0, "duplicated = 0");
    assert.equal(result.counts.outOfOrder, 0, "out of order = 0");
    assert.ok(result.counts.acknowledged >= MESSAGES, `at least ${MESSAGES} messages acknowledged (${result.counts.acknowledged})`);
    // The faults really happened (a run without them would prove nothing).
    assert.ok(result.faults.transportDrops > 0 && result.faults.dropsMidSend > 0, "transports were dropped mid-send");
    assert.ok(result.faults.phonesOffline > 0, "a phone was kept offline");
    assert.ok(result.faults.rateBursts > 0 && result.clients.rateLimited > 0, "clients met RATE_LIMITED and retried after retryAfterMs");
    assert.ok(result.clients.duplicateAcks > 0, "retries of sends whose ack was lost came back duplicate: true");
    if (mode === "cluster") {
      assert.ok(result.faults.nodeKills > 0, "a node was SIGKILLed");
      assert.ok(result.faults.redisRestarts > 0, "Redis was restarted");
    } else {
      assert.ok(result.faults.serverKills > 0, "the server was SIGKILLed");
    }
    if (mode !== "pglite") assert.ok(result.faults.dbConnectionCuts > 0, "database connections were cut");
  });
}
