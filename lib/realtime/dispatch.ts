import { performance } from "node:perf_hooks";
import { AppError, toAck, type Ack, type WireError } from "../errors";
import { metrics } from "../metrics";
import { logger } from "../logger";
import type { AckData, ClientEventName } from "./events";
import { operations, type OperationContext } from "./operations";
import type { Limiter } from "./rate-limit";

/** The answer to an event that arrives while the server drains for shutdown: retry on another connection. */
export const SHUTTING_DOWN: { ok: false; error: WireError } = {
  ok: false,
  error: { code: "UNAVAILABLE", message: "The server is restarting. Your request was not run; send it again.", details: { retryAfterMs: 1000 } },
};

/**
 * Runs one client event for either transport and turns the outcome into an ack. Never throws: a
 * client's payload cannot crash the server. Unknown errors are logged (without payloads) and hidden.
 */
export async function dispatch<E extends ClientEventName>(
  event: E,
  ctx: OperationContext,
  input: unknown,
  limiter: Limiter,
): Promise<Ack<AckData<E>>> {
  const started = performance.now();
  try {
    await limiter.consume(ctx.user.id);
    const data = await (operations[event] as (ctx: OperationContext, input: unknown) => Promise<AckData<E>>)(ctx, input);
    if (event === "message:send") metrics.sendAcked(ctx.transport, performance.now() - started);
    return { ok: true, data };
  } catch (error) {
    if (error instanceof AppError && error.code === "RATE_LIMITED") metrics.rateLimited();
    return toAck(error, (unknown) => logger.error({ err: unknown, event, userId: ctx.user.id }, "event failed"));
  }
}
