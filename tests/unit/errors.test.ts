import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError, ERROR_CODES, toAck, toHttpStatus, toWireError, type ErrorCode } from "../../lib/errors";

void test("unknown errors become INTERNAL with a generic message and are reported", () => {
  const reported: unknown[] = [];
  const cause = new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
  const wire = toWireError(cause, (error) => reported.push(error));
  assert.equal(wire.code, "INTERNAL");
  assert.ok(!wire.message.includes("ECONNREFUSED") && !wire.message.includes("hunter2"));
  assert.equal(wire.message, "Something went wrong on the server. Please try again.");
  assert.equal("details" in wire, false);
  assert.deepEqual(reported, [cause]);
});

void test("thrown non-errors are hidden too", () => {
  for (const thrown of ["a string", 42, null, undefined, { code: "FORBIDDEN", message: "looks like an AppError" }]) {
    const wire = toWireError(thrown);
    assert.equal(wire.code, "INTERNAL");
    assert.equal(wire.message, "Something went wrong on the server. Please try again.");
  }
});

void test("an AppError passes its code and message, and details when it has them", () => {
  const reported: unknown[] = [];
  assert.deepEqual(toWireError(new AppError("CONFLICT", "Sam has already taken this conversation."), (e) => reported.push(e)), {
    code: "CONFLICT",
    message: "Sam has already taken this conversation.",
  });
  assert.deepEqual(toWireError(new AppError("RATE_LIMITED", "Too many requests; slow down.", { retryAfterMs: 100 })), {
    code: "RATE_LIMITED",
    message: "Too many requests; slow down.",
    details: { retryAfterMs: 100 },
  });
  assert.deepEqual(reported, [], "AppErrors are not reported as unknown");
});

void test("toAck wraps the wire error in a failed ack", () => {
  assert.deepEqual(toAck(new AppError("NOT_FOUND", "No such conversation.")), { ok: false, error: { code: "NOT_FOUND", message: "No such conversation." } });
  assert.deepEqual(toAck(new TypeError("x")), { ok: false, error: { code: "INTERNAL", message: "Something went wrong on the server. Please try again." } });
});

void test("AppError is an Error with a name and a code", () => {
  const error = new AppError("FORBIDDEN", "no");
  assert.ok(error instanceof Error);
  assert.equal(error.name, "AppError");
  assert.equal(error.code, "FORBIDDEN");
  assert.equal(error.message, "no");
});

void test("HTTP statuses follow ERROR_CODES", () => {
  for (const [code, status] of Object.entries(ERROR_CODES) as [ErrorCode, number][]) assert.equal(toHttpStatus(code), status);
  assert.equal(toHttpStatus("UNAUTHENTICATED"), 401);
  assert.equal(toHttpStatus("ORIGIN_NOT_ALLOWED"), 403);
  assert.equal(toHttpStatus("RATE_LIMITED"), 429);
  assert.equal(toHttpStatus("INTERNAL"), 500);
});
