import type { RealtimeServer } from "./server";

// Route handlers (Next's bundles) reach the realtime server started by server.ts through globalThis,
// e.g. to disconnect a user when an admin deactivates them over HTTP.
const holder = globalThis as typeof globalThis & { __transitRealtime?: RealtimeServer };

export function setRealtime(realtime: RealtimeServer | undefined): void {
  holder.__transitRealtime = realtime;
}

export function getRealtime(): RealtimeServer | undefined {
  return holder.__transitRealtime;
}
