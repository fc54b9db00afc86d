import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../lib/realtime/events";

// The part of the product's typed contract (lib/realtime/events.ts) the benchmark uses. The baseline
// server implements exactly this, so a change in the product's message events fails to compile here.

export type BenchClientEvents = Pick<ClientToServerEvents, "message:send">;

export interface BenchServerEvents extends Pick<ServerToClientEvents, "message:new"> {
  /** The product sends the session; the baseline a stub. The benchmark only waits for it. */
  "session:ready": (session: unknown) => void;
}

export type BenchSocket = Socket<BenchServerEvents, BenchClientEvents>;
