import { execSync } from "node:child_process";
import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium, never a downloaded browser (`npx playwright install` is not used here).
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    const found = execSync("command -v chromium", { encoding: "utf8", shell: "/bin/sh" }).trim();
    if (found) return found;
  } catch {
    // fall through to the Debian default
  }
  return "/usr/bin/chromium";
}

// E2E_PORT lets two engineers run e2e side by side; start-server.ts reads the same variable.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromiumPath(),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    // Builds are not made here: run `next build` first (NEXT_DIST_DIR, if set, is inherited).
    command: "tsx tests/e2e/start-server.ts",
    url: `${BASE_URL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});
