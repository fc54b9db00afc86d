import type { Browser, Page } from "@playwright/test";
import { expect, test } from "../fixtures";
import { connectSocketIo, call, type ChatSocket } from "../../helpers/clients";
import { signedInPage, startShiftServer, type ShiftServer } from "../../helpers/shift-server";
import { DEMO_PASSWORD } from "../../../lib/users/seed-demo";

// The phone screen at the volume of a real shift: a 200-message history over two days on its own
// seeded server. Messages keep most of the screen (and 200 px with the keyboard up), times are 24-hour
// with date separators, a new message while scrolled up shows a pill, and no field screen scrolls
// sideways from 320 to 430 px.

test.describe.configure({ mode: "serial", timeout: 120_000 });

let shift: ShiftServer;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  shift = await startShiftServer({ openConversations: 6, emergencies: 1, historyLength: 200, fieldStaff: 2 });
});
test.afterAll(async () => {
  await shift?.close();
});

async function driverPage(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true });
  return signedInPage(context, shift.server.url, "driver@demo.local", "/field");
}

async function openHistory(page: Page): Promise<void> {
  await page.getByTestId("conversation-item").filter({ hasText: shift.fixture.historyTitle }).click();
  await expect(page.getByTestId("message").first()).toBeVisible();
}

const heightOf = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())?.height ?? 0;

async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const { scrollWidth, width } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scrollWidth, `${screen} at ${width} px scrolls sideways`).toBeLessThanOrEqual(width);
}

test("390×844: messages take half the screen, and 200 px with the keyboard up; quick replies are one row, hidden with the keyboard", async ({ browser }) => {
  const page = await driverPage(browser, { width: 390, height: 844 });
  await openHistory(page);
  expect(await heightOf(page, "message-list")).toBeGreaterThanOrEqual(844 / 2);
  const replies = await page.getByTestId("quick-reply").evaluateAll((buttons) => new Set(buttons.map((b) => Math.round(b.getBoundingClientRect().top))).size);
  expect(replies, "quick replies sit on one row").toBe(1);

  await page.getByTestId("composer-input").focus();
  // The on-screen keyboard: the visual viewport loses about 336 px.
  await page.setViewportSize({ width: 390, height: 844 - 336 });
  await expect(page.getByTestId("quick-replies")).toHaveCount(0);
  expect(await heightOf(page, "message-list")).toBeGreaterThanOrEqual(200);
  await expectNoSidewaysScroll(page, "conversation with the keyboard up");
  await page.context().close();
});

test("24-hour times and date separators in a two-day history; a new message while scrolled up shows a pill", async ({ browser }) => {
  const page = await driverPage(browser, { width: 390, height: 844 });
  await openHistory(page);
  const list = page.getByTestId("message-list");
  // Read back through the history until it reaches the day before.
  for (let i = 0; i < 10 && (await page.getByTestId("date-separator").count()) < 2; i += 1) {
    await list.evaluate((el) => (el.scrollTop = 0));
    await page.waitForTimeout(400);
  }
  const separators = await page.getByTestId("date-separator").allTextContents();
  expect(separators.length).toBeGreaterThanOrEqual(2);
  expect(separators.at(-1)).toBe("Today");
  expect(await page.locator("body").innerText()).not.toMatch(/\b(AM|PM|a\.m\.|p\.m\.)\b/i);
  for (const meta of await page.getByTestId("message-meta").allTextContents()) expect(meta).toMatch(/\d\d:\d\d$/);

  // Scrolled up in the history: control's new message does not pull the driver down.
  await list.evaluate((el) => (el.scrollTop = 0));
  await expect(page.getByTestId("new-messages-pill")).toHaveCount(0);
  const token = (await (await fetch(`${shift.server.url}/api/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "control@demo.local", password: DEMO_PASSWORD }) })).json()) as { token: string };
  const control: ChatSocket = await connectSocketIo(shift.server.url, { token: token.token });
  try {
    await call(control, "message:send", { conversationId: shift.fixture.historyConversationId, body: "Workshop slot at 14:00", clientId: `pill-${Date.now()}` });
    await expect(page.getByTestId("new-messages-pill")).toBeVisible();
    await page.getByTestId("new-messages-pill").click();
    await expect(page.getByTestId("message-body").filter({ hasText: "Workshop slot at 14:00" })).toBeInViewport();
    await expect(page.getByTestId("new-messages-pill")).toHaveCount(0);
  } finally {
    control.disconnect();
  }
  await page.context().close();
});

for (const width of [320, 360, 390, 430]) {
  test(`no field screen scrolls sideways at ${width} px`, async ({ browser }) => {
    const signedOut = await browser.newContext({ viewport: { width, height: 740 }, isMobile: true });
    const signIn = await signedOut.newPage();
    await signIn.goto(`${shift.server.url}/signin`);
    await expectNoSidewaysScroll(signIn, "sign-in");
    await signedOut.close();

    const page = await driverPage(browser, { width, height: 740 });
    await expectNoSidewaysScroll(page, "conversation list");
    await page.getByTestId("shift-details").getByRole("button").click();
    await expect(page.getByTestId("shift-form")).toBeVisible();
    await expectNoSidewaysScroll(page, "shift form");
    await page.getByTestId("shift-form").getByRole("button", { name: "Cancel" }).click();
    await page.getByTestId("contact-support").click();
    await expectNoSidewaysScroll(page, "contact form");
    await page.getByTestId("category-emergency").check();
    await expectNoSidewaysScroll(page, "contact form, emergency");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByTestId("emergency-button").click();
    await expectNoSidewaysScroll(page, "emergency confirmation");
    await page.getByTestId("emergency-cancel").click();
    await openHistory(page);
    await expectNoSidewaysScroll(page, "conversation");
    await page.context().close();
  });
}
