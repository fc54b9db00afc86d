import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI normally downloads a native schema engine. We hand it our own WASM-backed engine
// instead, so generate/migrate work with no network beyond the npm registry (docs/prisma-offline.md).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(import.meta.dirname, "lib/db/schema-engine.mjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx scripts/seed.ts" },
  // Embedded PGlite by default (postgresql://pglite/<dir> is understood by our engine); PostgreSQL when DATABASE_URL is set.
  datasource: {
    url: process.env.DATABASE_URL ?? `postgresql://pglite/${path.resolve(import.meta.dirname, process.env.DATA_DIR ?? "data", "pglite")}`,
  },
});
