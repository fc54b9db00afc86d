import { createClient } from "redis";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { logger } from "../logger";

/**
 * Several nodes: the Redis Streams adapter carries room broadcasts and server-side relays between
 * nodes, and survives short Redis outages (the stream is read from where it left off).
 */
export async function createClusterAdapter(url: string) {
  const client = createClient({ url });
  client.on("error", (error: Error) => logger.warn({ err: error.message }, "redis error"));
  await client.connect();
  return {
    adapter: createAdapter(client),
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}
