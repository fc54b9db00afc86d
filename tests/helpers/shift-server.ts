// The production server on a fresh database that already holds a realistic shift (seeded in this
// process, then closed, before the server opens it: one process per PGlite directory). For the
// screenshots and the dashboard UI benchmark, which need volume the realtime API would take minutes
// to create (and could not backdate).
import fs from "node:fs";
import path from "node:path";
import { execSync } from "node:child_process";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { closeDatabase, openDatabase } from "../../lib/db/open";
import { DEMO_PASSWORD } from "../../lib/users/seed-demo";
import { createTestDatabase, prepareDatabase } from "./database";
import { ROOT, spawnServer, type RunningServer } from "./server";
import { seedShift, type ShiftFixture, type ShiftOptions } from "./shift-fixture";

export interface ShiftServer {
  server: RunningServer;
  fixture: ShiftFixture;
  close(): Promise<void>;
}

/** Builds the app if this checkout has no production build yet (a fresh clone). */
export function ensureBuild(): void {
  if (fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) return;
  process.stderr.write("no production build yet: running npm run build\n");
  execSync("npm run build", { cwd: ROOT, stdio: "inherit" });
}

export async function startShiftServer(options: ShiftOptions = {}, env: Record<string, string> = {}): Promise<ShiftServer> {
  const database = await createTestDatabase(undefined, { purpose: "shift" });
  let fixture: ShiftFixture;
  if (database.kind === "postgres") {
    await prepareDatabase(database, {});
    await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: false });
  } else {
    await openDatabase({ dataDir: database.dataDir, migrate: true });
  }
  try {
    fixture = await seedShift(options);
  } finally {
    await closeDatabase();
  }
  const server = await spawnServer({ database, env: { LOG_LEVEL: "info", ...env } });
  return {
    server,
    fixture,
    async close() {
      await server.stop();
      await database.drop().catch(() => undefined);
    },
  };
}

export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execSync("command -v chromium", { encoding: "utf8", shell: "/bin/sh" }).trim() || "/usr/bin/chromium";
  } catch {
    return "/usr/bin/chromium";
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
}

/** A signed-in page (the credentials callback, as the sign-in form posts it). */
export async function signedInPage(context: BrowserContext, baseUrl: string, email: string, pathname: string): Promise<Page> {
  const csrf = (await (await context.request.get(`${baseUrl}/api/auth/csrf`)).json()) as { csrfToken: string };
  const response = await context.request.post(`${baseUrl}/api/auth/callback/credentials`, { form: { csrfToken: csrf.csrfToken, email, password: DEMO_PASSWORD, json: "true" }, maxRedirects: 0 });
  if (response.status() >= 400) throw new Error(`sign-in as ${email} failed: ${response.status()}`);
  const page = await context.newPage();
  await page.goto(`${baseUrl}${pathname}`);
  await page.getByTestId("connection-state").and(page.locator('[data-state="online"]')).waitFor({ timeout: 30_000 });
  return page;
}
