import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT } from "../helpers/server";
import { createPostgresDatabase, isPostgresAvailable } from "../helpers/database";

// Acceptance 4 of the foundation issue: the Prisma CLI works with no network (our offline schema
// engine), the schema and the committed migrations do not drift, and migrations apply from scratch.

const prisma = path.join(ROOT, "node_modules", ".bin", "prisma");
// Prove nothing is downloaded: point every proxy at a closed port.
const OFFLINE = { HTTP_PROXY: "http://127.0.0.1:9", HTTPS_PROXY: "http://127.0.0.1:9", http_proxy: "http://127.0.0.1:9", https_proxy: "http://127.0.0.1:9", CHECKPOINT_DISABLE: "1" };

function runPrisma(args: string[], env: Record<string, string>) {
  return spawnSync(prisma, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...OFFLINE, ...env }, timeout: 120_000 });
}

test("prisma/schema.prisma and prisma/migrations do not drift", () => {
  const result = runPrisma(["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", "prisma/schema.prisma", "--exit-code"], {
    DATABASE_URL: "postgresql://pglite/",
  });
  assert.equal(result.status, 0, `drift detected — create a migration (npm run db:migrate:dev):\n${result.stdout}${result.stderr}`);
});

test("the drift check fails when the schema changes without a migration", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
  const schema = path.join(dir, "schema.prisma");
  fs.writeFileSync(schema, fs.readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8").replace("model AuditEvent {", "model Extra {\n  id String @id\n}\n\nmodel AuditEvent {"));
  const result = runPrisma(["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", schema, "--exit-code"], { DATABASE_URL: "postgresql://pglite/" });
  assert.equal(result.status, 2, `${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /Extra/);
});

test("prisma generate runs offline", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "generate-"));
  const schema = path.join(dir, "schema.prisma");
  fs.writeFileSync(schema, fs.readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8").replace('output       = "../lib/generated/prisma"', `output       = "${path.join(dir, "client")}"`));
  const result = runPrisma(["generate", "--schema", schema], { DATABASE_URL: "postgresql://pglite/" });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  assert.ok(fs.existsSync(path.join(dir, "client", "client.ts")), "the client was generated");
});

test("npm run db:migrate applies every migration to a fresh PostgreSQL database", async (t) => {
  if (!(await isPostgresAvailable())) {
    if (process.env.CI) assert.fail("PostgreSQL is required in CI");
    t.skip("no PostgreSQL on 127.0.0.1:5432");
    return;
  }
  const database = await createPostgresDatabase();
  try {
    const result = runPrisma(["migrate", "deploy"], { DATABASE_URL: database.url });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /20261125000000_init/);
    const again = runPrisma(["migrate", "deploy"], { DATABASE_URL: database.url });
    assert.match(again.stdout, /No pending migrations/);
  } finally {
    await database.drop();
  }
});

test("migrations apply to a fresh embedded database through the CLI", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-migrate-"));
  const result = runPrisma(["migrate", "deploy"], { DATABASE_URL: `postgresql://pglite/${path.join(dir, "pglite")}` });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /20261125000000_init/);
  fs.rmSync(dir, { recursive: true, force: true });
});
