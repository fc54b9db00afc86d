import type { PrismaClient } from "../generated/prisma/client";

// The one Prisma client of the process. server.ts (and the CLI scripts) open the database through
// lib/db/open.ts; Next's route bundles evaluate this module again, so the client lives on globalThis.
// Nothing here opens a database at import time: `next build` imports this module.

export type Db = PrismaClient;

interface DbState {
  client: PrismaClient;
  kind: "pglite" | "postgres";
  close: () => Promise<void>;
}

const holder = globalThis as typeof globalThis & { __transitDb?: DbState };

export function setDbState(state: DbState | undefined): void {
  holder.__transitDb = state;
}

export function getDbState(): DbState | undefined {
  return holder.__transitDb;
}

/** The open client. Throws if the process has not opened the database (e.g. during `next build`). */
export function getDb(): PrismaClient {
  const state = holder.__transitDb;
  if (!state) {
    if (process.env.NEXT_PHASE === "phase-production-build") {
      throw new Error("A page read the database during `next build`; make it dynamic (await connection()).");
    }
    throw new Error("The database is not open: start the app through server.ts (npm run dev / npm start).");
  }
  return state.client;
}
