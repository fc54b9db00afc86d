import type { ClientSettings } from "../chat/types";
import type { Broadcaster } from "./broadcaster";
import type { EventGate } from "./event-gate";
import type { Presence } from "./presence";
import type { Limiter } from "./rate-limit";
import type { TypingTracker } from "./typing";

// What both transports (socket-io.ts, json-gateway.ts) are given by server.ts, in a module of its own
// so that neither transport imports the server that composes them.

export interface RealtimeDeps {
  allowedOrigins: readonly string[];
  broadcaster: Broadcaster;
  typing: TypingTracker;
  viewing: TypingTracker;
  limiter: Limiter;
  presence: Presence;
  /** Running client events; closed first on shutdown. */
  gate: EventGate;
  settings: Omit<ClientSettings, "cannedResponses">;
}
