// `npm run screenshots`: a realistic shift (44 open conversations, 3 unacknowledged emergencies, a
// 200-message history, 500 accounts) on a fresh database, photographed by Chromium into
// docs/screenshots/ at the sizes a control room uses and on two phone sizes for the field app, in light
// and dark. Look at them before you call a screen done.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { ensureBuild, launchChromium, signedInPage, startShiftServer } from "../helpers/shift-server";
import { ROOT } from "../helpers/server";
import { call, connectSocketIo } from "../helpers/clients";
import { DEMO_PASSWORD } from "../../lib/users/seed-demo";

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

const PHONES = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
];
/** What an on-screen keyboard takes from a phone's visible height. */
const KEYBOARD_PX = 336;

/** Control acknowledges the demo driver's emergency and resolves one of their other requests, through the API. */
async function prepareFieldStates(base: string, historyTitle: string): Promise<{ emergencyTitle: string; resolvedTitle: string }> {
  const response = await fetch(`${base}/api/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "control@demo.local", password: DEMO_PASSWORD }) });
  const { token } = (await response.json()) as { token: string };
  const socket = await connectSocketIo(base, { token });
  try {
    const { conversations } = await call(socket, "conversation:list", { limit: 500 });
    const own = conversations.filter((c) => c.creator.name === "Dana Driver");
    const emergency = own.find((c) => c.category === "EMERGENCY");
    const other = own.find((c) => c.category !== "EMERGENCY" && c.title !== historyTitle);
    if (!emergency || !other) throw new Error("the shift has no emergency or second request of the demo driver");
    await call(socket, "emergency:acknowledge", { conversationId: emergency.id });
    await call(socket, "conversation:resolve", { conversationId: other.id });
    return { emergencyTitle: emergency.title, resolvedTitle: other.title };
  } finally {
    socket.disconnect();
  }
}

/** The field app on two phone sizes, light and dark: every screen a driver meets on a shift. */
async function fieldShots(browser: Browser, base: string, historyTitle: string): Promise<void> {
  const { emergencyTitle, resolvedTitle } = await prepareFieldStates(base, historyTitle);
  for (const theme of THEMES) {
    for (const size of PHONES) {
      const name = (screen: string) => `field-${screen}-${size.width}x${size.height}-${theme}`;
      const context = await browser.newContext({ viewport: size, colorScheme: theme, isMobile: true, hasTouch: true });
      const page = await signedInPage(context, base, "driver@demo.local", "/field");
      const open = async (title: string) => {
        await page.getByTestId("conversation-item").filter({ hasText: title }).first().click();
        await page.getByTestId("message").last().waitFor();
      };
      const back = () => page.getByTestId("back-to-list").click();
      await page.getByTestId("conversation-item").first().waitFor();
      await shot(page, name("list"));

      await page.getByTestId("emergency-button").click();
      await page.getByTestId("emergency-confirm").waitFor();
      await shot(page, name("emergency-confirm"));
      await page.getByTestId("emergency-cancel").click();

      await open(historyTitle);
      await shot(page, name("conversation"));
      await page.getByTestId("composer-input").focus();
      await page.setViewportSize({ width: size.width, height: size.height - KEYBOARD_PX });
      await page.getByTestId("quick-replies").waitFor({ state: "detached" });
      await shot(page, name("keyboard"));
      await page.setViewportSize(size);
      await context.setOffline(true);
      await page.getByTestId("connection-state").and(page.locator('[data-state="no-signal"]')).waitFor();
      await page.getByTestId("composer-input").fill("Stuck in the tunnel, will call back");
      await page.getByTestId("composer-send").click();
      await shot(page, name("offline"));
      await context.setOffline(false);
      await page.getByTestId("connection-state").and(page.locator('[data-state="online"]')).waitFor();
      await back();

      await open(emergencyTitle);
      await shot(page, name("emergency-acknowledged"));
      await back();
      await open(resolvedTitle);
      await shot(page, name("resolved"));
      await context.close();
    }
  }
}

async function main(): Promise<void> {
  ensureBuild();
  fs.mkdirSync(OUT, { recursive: true });
  const shift = await startShiftServer({ extraUsers: 500 }, { EMERGENCY_ESCALATION_SECONDS: "240", CONTROL_PHONE: "+44 20 7946 0000" });
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

    // History search: results for a word, then the old thread opened at the match.
    for (const theme of THEMES) {
      for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
        const page = await controlPage(browser, base, "control@demo.local", size, theme);
        await page.getByTestId("history-search-open").click();
        await page.getByTestId("history-query").fill("brakes");
        await page.getByTestId("history-hit").first().waitFor();
        await shot(page, `history-search-${size.width}x${size.height}-${theme}`);
        await page.getByTestId("history-query").fill(shift.fixture.archive.word);
        await page.locator(`[data-testid="history-hit"][data-sequence="${shift.fixture.archive.sequence}"]`).click();
        await page.locator('[data-testid="message"][data-focused="true"]').waitFor();
        await shot(page, `history-opened-${size.width}x${size.height}-${theme}`);
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

    await fieldShots(browser, base, shift.fixture.historyTitle);
  } finally {
    await browser.close();
    await shift.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
