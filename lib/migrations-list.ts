import fs from "node:fs";
import path from "node:path";

/** Names of the committed migrations (prisma/migrations/<name>/migration.sql), relative to the working directory. */
export function committedMigrations(root = process.cwd()): string[] {
  const dir = path.join(root, "prisma", "migrations");
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
