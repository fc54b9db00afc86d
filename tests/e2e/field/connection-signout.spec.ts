import type { Page } from "@playwright/test";
import { DEMO, DEMO_PASSWORD, signInThroughApi } from "../fixtures";
import { contactSupport, expect, expectOnline, messageWithBody, openDriver, test, uniqueTitle } from "./field-fixtures";

// Honest signal state, sign-in without JavaScript, and sign-out on a phone handed to the next driver.

/** The time from `start` until the banner reads `state` (polled every 100 ms). */
async function waitForState(page: Page, state: string): Promise<number> {
  const start = Date.now();
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", state, { timeout: 10_000 });
  return Date.now() - start;
}

test("No signal within 2 s of losing the network, cleared within 2 s of its return; queued messages arrive once", async ({ driver, controller }) => {
  const context = driver.context();
  const id = await contactSupport(driver, { title: uniqueTitle("Signal"), body: "Checking in" });
  await expect.poll(() => controller.messagesIn(id).length).toBe(1);

  await context.setOffline(true);
  const lostAfter = await waitForState(driver, "no-signal");
  expect(lostAfter).toBeLessThanOrEqual(2000);
  await expect(driver.getByTestId("connection-state")).toHaveText("No signal — messages will send when you're back");

  for (const body of ["Queued one", "Queued two"]) {
    await driver.getByTestId("composer-input").fill(body);
    await driver.getByTestId("composer-send").click();
    await expect(messageWithBody(driver, body).getByTestId("message-state")).toHaveText("waiting to send");
  }
  await driver.waitForTimeout(1000);
  expect(controller.messagesIn(id).map((m) => m.body)).toEqual(["Checking in"]);

  await context.setOffline(false);
  const backAfter = await waitForState(driver, "online");
  expect(backAfter).toBeLessThanOrEqual(2000);
  for (const body of ["Queued one", "Queued two"]) await expect(messageWithBody(driver, body).getByTestId("message-state")).toHaveText("sent");
  await driver.getByTestId("composer-input").fill("After the tunnel");
  await driver.getByTestId("composer-send").click();
  await expect.poll(() => controller.messagesIn(id).map((m) => m.body)).toEqual(["Checking in", "Queued one", "Queued two", "After the tunnel"]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a submitted sign-in form posts: the password never reaches the URL", async ({ page }) => {
    await page.goto("/signin");
    await page.locator('input[name="email"]').fill(DEMO.driver.email);
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    const request = page.waitForRequest((r) => r.url().includes("/api/auth/callback/credentials"));
    await page.locator('button[type="submit"]').click();
    expect((await request).method()).toBe("POST");
    await page.waitForLoadState();
    expect(page.url()).not.toContain(DEMO_PASSWORD);
    expect(page.url()).not.toContain("password");
    expect(decodeURIComponent(page.url())).not.toContain(DEMO.driver.email);
  });
});

test("sign-out warns about unsent messages, then ends the session and forgets the device's outbox", async ({ browser }) => {
  const { context, page } = await openDriver(browser);
  try {
    await contactSupport(page, { title: uniqueTitle("Handover"), body: "End of my shift" });
    await context.setOffline(true);
    await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "no-signal");
    for (const body of ["Unsent A", "Unsent B"]) {
      await page.getByTestId("composer-input").fill(body);
      await page.getByTestId("composer-send").click();
    }
    await page.getByTestId("back-to-list").click();
    await page.getByTestId("field-menu").click();
    await page.getByTestId("sign-out").click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("2 messages not sent yet — sign out anyway?");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("conversation-list")).toBeVisible();

    await context.setOffline(false);
    await expectOnline(page);
    // Back online the outbox is sent; with nothing left unsent, sign-out asks nothing.
    await page.getByTestId("conversation-item").filter({ hasText: "Handover" }).first().click();
    for (const body of ["Unsent A", "Unsent B"]) await expect(messageWithBody(page, body).getByTestId("message-state")).toHaveText("sent");
    await page.getByTestId("back-to-list").click();
    await page.getByTestId("field-menu").click();
    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/signin/);
    await expect(page.getByRole("dialog")).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("after sign-out the next person meets the sign-in page, and the last driver's conversations are gone from the device", async ({ browser }) => {
  const { context, page } = await openDriver(browser);
  try {
    const title = uniqueTitle("Left behind");
    await contactSupport(page, { title, body: "Private note for control" });
    await page.getByTestId("back-to-list").click();
    await page.getByTestId("field-menu").click();
    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/signin/);
    const kept = await page.evaluate(async () => {
      const fieldPage = await caches.match("/field");
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open("transit-support");
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const count = (store: string) =>
        new Promise<number>((resolve) => {
          if (!db.objectStoreNames.contains(store)) return resolve(0);
          const request = db.transaction(store, "readonly").objectStore(store).count();
          request.onsuccess = () => resolve(request.result);
        });
      return { fieldPageCached: fieldPage !== undefined, snapshots: await count("snapshots"), outbox: await count("outbox") };
    });
    expect(kept).toEqual({ fieldPageCached: false, snapshots: 0, outbox: 0 });
    await page.goto("/field");
    await page.waitForURL(/\/signin/);
    // The next person signs in on the same phone and sees only their own.
    await signInThroughApi(context, DEMO.regulator.email);
    await page.goto("/field");
    await expectOnline(page);
    await expect(page.getByTestId("conversation-item").filter({ hasText: title })).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("the dashboard's sign-out warns about a reply still in the outbox, and signs out once it is sent", async ({ driver, browser }) => {
  const title = uniqueTitle("Desk sign-out");
  await contactSupport(driver, { title, body: "Anyone on the desk?" });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    await signInThroughApi(context, DEMO.control.email);
    const control = await context.newPage();
    await control.goto("/control");
    await expectOnline(control);
    await control.getByTestId("queue-search").fill(title);
    await control.getByTestId("queue-item").filter({ hasText: title }).first().click();
    await context.setOffline(true);
    await expect(control.getByTestId("connection-state")).toHaveAttribute("data-state", "no-signal");
    await control.getByTestId("composer-input").fill("On it");
    await control.getByTestId("composer-input").press("Enter");
    await control.getByTestId("sign-out").click();
    const dialog = control.getByRole("dialog");
    await expect(dialog).toContainText("1 message not sent yet — sign out anyway?");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(control).toHaveURL(/\/control/);

    await context.setOffline(false);
    await expectOnline(control);
    await expect(messageWithBody(driver, "On it")).toHaveCount(1);
    await control.getByTestId("sign-out").click();
    await control.waitForURL(/\/signin/);
  } finally {
    await context.close();
  }
});
