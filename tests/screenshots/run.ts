// `npm run screenshots`: a realistic shift (44 open conversations, 3 unacknowledged emergencies, a
// 200-message history, 500 accounts) on a fresh database, photographed by Chromium into
// docs/screenshots/ at the sizes a control room uses, in light and dark. Look at them before you call
// a screen done.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { ensureBuild, launchChromium, signedInPage, startShiftServer } from "../helpers/shift-server";
import { ROOT } from "../helpers/server";

const OUT = path.join(ROOT, "docs", "screenshots");
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];
const THEMES = ["light", "dark"] as const;

async function shot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, clip, animations: "disabled" });
  process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
}

/** The queue is virtual (only rows in view exist): find a conversation through the search box. */
async function openByTitle(page: Page, title: string): Promise<void> {
  await page.getByTestId("queue-search").fill(title);
  await page.getByTestId("queue-item").filter({ hasText: title }).first().click();
  await page.getByTestId("message").last().waitFor();
}

async function controlPage(browser: Browser, baseUrl: string, email: string, size: { width: number; height: number }, theme: "light" | "dark"): Promise<Page> {
  const context = await browser.newContext({ viewport: size, colorScheme: theme });
  // Alerts and sounds stay quiet in a headless photo session.
  await context.addInitScript(() => {
    class QuietNotification {
      static permission = "granted";
      static requestPermission() {
        return Promise.resolve("granted");
      }
      close() {}
    }
    (window as unknown as { Notification: unknown }).Notification = QuietNotification;
  });
  return signedInPage(context, baseUrl, email, "/control");
}

async function main(): Promise<void> {
  ensureBuild();
  fs.mkdirSync(OUT, { recursive: true });
  const shift = await startShiftServer({ extraUsers: 500 }, { EMERGENCY_ESCALATION_SECONDS: "240" });
  const browser = await launchChromium();
  const base = shift.server.url;
  try {
    for (const theme of THEMES) {
      for (const size of SIZES) {
        const page = await controlPage(browser, base, "control@demo.local", size, theme);
        await page.getByTestId("queue-item").first().waitFor();
        if (size.width >= 1440) {
          await openByTitle(page, shift.fixture.historyTitle);
          await page.getByTestId("queue-search").fill("");
        }
        await shot(page, `dashboard-${size.width}x${size.height}-${theme}`);
        if (size.width === 1440) await shot(page, `alert-strip-${theme}`, { x: 0, y: 0, width: size.width, height: 180 });
        await page.context().close();
      }
    }

    // Collision signs: Sam has the same conversation open and is typing.
    for (const theme of THEMES) {
      const casey = await controlPage(browser, base, "control@demo.local", { width: 1440, height: 900 }, theme);
      const sam = await controlPage(browser, base, "sam@shift.local", { width: 1440, height: 900 }, theme);
      await openByTitle(casey, shift.fixture.historyTitle);
      await openByTitle(sam, shift.fixture.historyTitle);
      await sam.getByTestId("composer-input").pressSequentially("Checking the brake log", { delay: 20 });
      await casey.getByTestId("collision").and(casey.locator('[data-kind="typing"]')).waitFor();
      await shot(casey, `collision-${theme}`);
      await casey.context().close();
      await sam.context().close();
    }

    for (const theme of THEMES) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
      const admin = await signedInPage(context, base, "admin@demo.local", "/admin");
      await admin.getByTestId("user-row").first().waitFor();
      await shot(admin, `admin-users-${theme}`);
      await admin.getByTestId("admin-tab-audit").click();
      await admin.getByTestId("audit-row").first().waitFor();
      await shot(admin, `audit-${theme}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await shift.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
