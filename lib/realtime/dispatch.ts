import { toAck, type Ack } from "../errors";
import { logger } from "../logger";
import type { AckData, ClientEventName } from "./events";
import { operations, type OperationContext } from "./operations";
import type { Limiter } from "./rate-limit";

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
  try {
    await limiter.consume(ctx.user.id);
    const data = await (operations[event] as (ctx: OperationContext, input: unknown) => Promise<AckData<E>>)(ctx, input);
    return { ok: true, data };
  } catch (error) {
    return toAck(error, (unknown) => logger.error({ err: unknown, event, userId: ctx.user.id }, "event failed"));
  }
}
