import { io, type Socket } from "socket.io-client";
import { expect } from "@playwright/test";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";

// A real Socket.IO client for e2e specs that need data made through the API (as another device
// would make it) before or while a browser looks at it.

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function tokenFor(baseURL: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseURL}/api/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

export async function connect(baseURL: string, token: string): Promise<Client> {
  const socket: Client = io(baseURL, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("session:ready", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

/** Emits and retries on RATE_LIMITED (same payload and client id), failing on any other error. */
export async function send<E extends keyof ClientToServerEvents>(socket: Client, event: E, input: unknown): Promise<unknown> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const ack = (await (socket.timeout(10_000) as unknown as { emitWithAck: (e: string, i: unknown) => Promise<{ ok: boolean; data?: unknown; error?: { code: string; details?: { retryAfterMs?: number } } }> }).emitWithAck(event, input));
    if (ack.ok) return ack.data;
    if (ack.error?.code !== "RATE_LIMITED") throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    await new Promise((resolve) => setTimeout(resolve, (ack.error?.details?.retryAfterMs ?? 100) + 50));
  }
  throw new Error(`${event}: still rate limited`);
}
