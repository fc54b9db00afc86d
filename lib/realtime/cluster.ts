import { createClient } from "redis";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { logger } from "../logger";
import { RedisRateLimiter } from "./rate-limit";

/** Prefix of every Redis key and channel of this app (REDIS_PREFIX): several deployments can share one Redis. */
export const DEFAULT_REDIS_PREFIX = "transit:";

/**
 * Several nodes: the Redis Streams adapter carries room broadcasts and server-side relays between
 * nodes, and survives short Redis outages (the stream is read from where it left off). The per-user
 * rate limit lives in Redis too, so a user's connections to different nodes share one bucket.
 *
 * Keys and channels: `<prefix>socket.io` (the stream and the PUB/SUB channels), `<prefix>sio:session:*`,
 * `<prefix>ratelimit:<userId>`.
 */
export async function createClusterAdapter(
  url: string,
  prefix: string = process.env.REDIS_PREFIX || DEFAULT_REDIS_PREFIX,
  rateLimit?: { burst: number; perSecond: number },
) {
  const client = createClient({ url });
  client.on("error", (error: Error) => logger.warn({ err: error.message }, "redis error"));
  // Broadcasts published while Redis was away (or held by a Redis that restarted empty) are lost for
  // good: after an outage, listeners make this node's clients catch up.
  const recovered: (() => void)[] = [];
  let wasLost = false;
  client.on("reconnecting", () => (wasLost = true));
  client.on("ready", () => {
    if (!wasLost) return;
    wasLost = false;
    logger.warn("redis connection restored");
    for (const listener of recovered) listener();
  });
  // The limiter's own connection never queues commands while Redis is away: an outage turns into the
  // node-local fallback at once instead of events waiting for the reconnect.
  const limiterClient = client.duplicate({ disableOfflineQueue: true });
  limiterClient.on("error", (error: Error) => logger.warn({ err: error.message, client: "rate-limit" }, "redis error"));
  await Promise.all([client.connect(), limiterClient.connect()]);
  const channel = `${prefix}socket.io`;
  return {
    adapter: createAdapter(client, { streamName: channel, channelPrefix: channel, sessionKeyPrefix: `${prefix}sio:session:` }),
    limiter: new RedisRateLimiter(limiterClient, prefix, rateLimit?.burst, rateLimit?.perSecond),
    /** Calls `listener` each time the connection to Redis comes back after an outage. */
    onRecovered: (listener: () => void) => void recovered.push(listener),
    close: async () => {
      await Promise.all([client.quit().catch(() => undefined), limiterClient.quit().catch(() => undefined)]);
    },
  };
}
