import { test } from "node:test";
import assert from "node:assert/strict";
import { CLIENT_EVENTS } from "../../lib/realtime/events";
import { formatReport, runFuzz } from "../fuzz/harness";
import { frameToReply, judgeReply, KNOWN_ISSUES, type JudgeContext } from "../fuzz/judge";
import { SENTINEL } from "../fuzz/arbitraries";

// The bounded fuzz run (tests/fuzz): generated hostile payloads for every client event on both
// transports, against the real server. `npm run fuzz -- --full` runs 10,000 cases. A failure prints
// the seed; FUZZ_SEED=<seed> replays the same cases (FUZZ_CASES sets the count per transport).

const PER_TRANSPORT = Number(process.env.FUZZ_CASES ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

void test("the judge rejects what a fuzz case must never get back", () => {
  const driver: JudgeContext = { transport: "socket.io", label: "fields", event: "message:send", actor: { cls: "field", id: "u1" }, ownConversations: new Set(["c1"]), effectiveConversationId: "c1" };
  const sent = { ok: true, data: { message: { id: "m1", conversationId: "c1", sequence: 2, kind: "TEXT" }, duplicate: false } };
  assert.equal(judgeReply(driver, sent), null, "a valid ok result passes");
  assert.equal(judgeReply(driver, { ok: false, error: { code: "VALIDATION", message: "body: must not be empty" } }), null, "a typed error passes");
  assert.match(judgeReply(driver, undefined) ?? "", /not an ack/, "no reply");
  assert.match(judgeReply(driver, { ok: false, error: { code: "INTERNAL", message: "Something went wrong" } }) ?? "", /INTERNAL/);
  assert.match(judgeReply(driver, { ok: false, error: { code: "UNAVAILABLE", message: "down" } }) ?? "", /UNAVAILABLE/);
  assert.match(judgeReply(driver, { ok: false, error: { code: "TEAPOT", message: "x" } }) ?? "", /not in ERROR_CODES/);
  assert.match(judgeReply(driver, { ok: false, error: { code: "VALIDATION" } }) ?? "", /no message/);
  assert.match(judgeReply(driver, { ok: false, error: { code: "VALIDATION", message: "x".repeat(5000) } }) ?? "", /echoed/);
  assert.match(judgeReply({ ...driver, effectiveConversationId: "c2" }, sent) ?? "", /did not create/, "a driver's ok in another driver's conversation");
  assert.match(judgeReply(driver, { ok: true, data: { message: { id: "m1", sequence: 2, kind: "NOTE" }, duplicate: false } }) ?? "", /note/);
  assert.match(judgeReply({ ...driver, event: "user:deactivate" }, { ok: true, data: { userId: "u2" } }) ?? "", /succeeded for a field actor/);
  assert.match(judgeReply({ ...driver, event: "conversation:list" }, { ok: true, data: { conversations: [{ id: "c9", creator: { id: "u2" } }] } }) ?? "", /another user's/);
  assert.match(judgeReply(driver, { ok: true, data: { ...sent.data, [SENTINEL]: true } }) ?? "", /polluted/);
  assert.match(judgeReply({ ...driver, event: undefined, expectCode: "UNKNOWN_EVENT" }, { ok: false, error: { code: "VALIDATION", message: "x" } }) ?? "", /expected UNKNOWN_EVENT/);
  assert.match(judgeReply({ ...driver, event: "message:list" }, { ok: true, data: { messages: "none" } }) ?? "", /no messages page/);
  const create = { ...driver, event: "conversation:create" as const };
  assert.equal(judgeReply(create, { ok: true, data: { conversation: { id: "c1" }, message: { id: "m1", sequence: 1 } } }), null, "a create answered with its first message passes");
  const reusedCreate = judgeReply(create, { ok: true, data: { conversation: { id: "c1" }, message: { id: "m5", sequence: 5 } } });
  assert.match(reusedCreate ?? "", /expected CONFLICT/, "a create answered with a later message (a reused clientId) fails");
  assert.ok(!KNOWN_ISSUES.some((k) => k.match.test(reusedCreate ?? "")), "and is not excused as a known issue");
  assert.equal(judgeReply(create, { ok: false, error: { code: "CONFLICT", message: "This client id was already used" } }), null, "CONFLICT for a reused clientId passes");
  const frame = { type: "error", request_type: "send_chat_message", request_id: "r1", error: { code: "VALIDATION", message: "x" } };
  assert.deepEqual(frameToReply(frame, { requestType: "send_chat_message", requestId: "r1" }), { ok: false, error: frame.error });
  assert.match(String(frameToReply(frame, { requestType: "send_chat_message", requestId: "r2" })), /request_id/);
});

void test(`fuzz: ${PER_TRANSPORT} generated cases per transport get a typed error or a valid result; the server keeps serving; the database invariants hold`, async (t) => {
  t.diagnostic(`seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  const report = await runFuzz({ perTransport: PER_TRANSPORT, seed: SEED, strict: process.env.FUZZ_STRICT === "1", log: (line) => t.diagnostic(line) });
  const summary = formatReport(report);
  for (const line of summary) t.diagnostic(line);
  const text = summary.join("\n");

  assert.equal(report.cases, PER_TRANSPORT * 2, "every generated case ran");
  assert.deepEqual(report.failures, [], `cases that got no acceptable reply (seed ${SEED}):\n${text}`);
  assert.deepEqual(report.checks.filter((c) => !c.ok), [], "liveness checks between batches");
  assert.deepEqual(report.invariants.filter((c) => !c.ok), [], "database invariants");
  assert.ok(report.invariants.length >= 10 && report.checks.length > 0);
  for (const event of CLIENT_EVENTS) assert.ok((report.byEvent[event]?.cases ?? 0) >= 2, `${event} was fuzzed on both transports`);
  assert.ok(report.ok > 0 && (report.errorsByCode.VALIDATION ?? 0) > 0, "the run produced both ok results and validation errors");
  assert.ok(report.exercisedShare > 0.5, `most cases reached validation rather than the rate limit (${report.exercisedShare})`);
});
