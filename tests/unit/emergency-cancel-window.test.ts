import { test } from "node:test";
import assert from "node:assert/strict";
import { isWithinCancelWindow } from "../../lib/chat/conversation-workflow";
import { EMERGENCY_CANCEL_WINDOW_MS } from "../../lib/chat/constants";

void test("a false alarm can be called off for the window after raising it, and not after", () => {
  const raised = new Date("2026-12-07T12:00:00Z");
  const at = (ms: number) => new Date(raised.getTime() + ms);
  assert.equal(isWithinCancelWindow(raised, at(0)), true);
  assert.equal(isWithinCancelWindow(raised, at(EMERGENCY_CANCEL_WINDOW_MS)), true);
  assert.equal(isWithinCancelWindow(raised, at(EMERGENCY_CANCEL_WINDOW_MS + 1)), false);
  assert.equal(isWithinCancelWindow(raised, at(10 * 60_000)), false);
  // A clock a little behind the database's is tolerated; a raise far in the future is not believed.
  assert.equal(isWithinCancelWindow(raised, at(-1000)), true);
  assert.equal(isWithinCancelWindow(raised, at(-60_000)), false);
});
