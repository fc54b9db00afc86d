import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expectOnline, raiseEmergency, recordDialogs } from "../fixtures";
import { contactSupport, expect, messageWithBody, openDriver, test, uniqueTitle } from "./field-fixtures";

const XSS_BODY = "<img src=x onerror=alert(1)>";

async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(serious).toEqual([]);
}

test("markup in a message renders as text on the driver's side", async ({ driver, controller }) => {
  const dialogs = recordDialogs(driver);
  const id = await contactSupport(driver, { title: uniqueTitle("Markup"), body: XSS_BODY });
  await controller.call(controller.socket, "message:send", { conversationId: id, body: `${XSS_BODY} from control`, clientId: `x-${Date.now()}` });
  await expect(messageWithBody(driver, XSS_BODY).getByTestId("message-body")).toHaveText(XSS_BODY);
  await expect(messageWithBody(driver, `${XSS_BODY} from control`)).toHaveAttribute("data-mine", "false");
  await expect(driver.locator('[data-testid="message-list"] img')).toHaveCount(0);
  await driver.getByTestId("back-to-list").click();
  await expect(driver.getByTestId("conversation-item").filter({ hasText: XSS_BODY })).not.toHaveCount(0);
  await expect(driver.locator('[data-testid="conversation-list"] img')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe finds no serious or critical violations on the field screens (${colorScheme})`, async ({ browser }) => {
    // Eleven full-page scans: longer than the default test budget, not a timing assertion.
    test.slow();
    const signedOut = await browser.newContext({ viewport: { width: 360, height: 640 }, colorScheme });
    const signIn = await signedOut.newPage();
    await signIn.goto("/signin");
    await expectNoSeriousViolations(signIn, "sign-in");
    await signedOut.close();

    const { context, page } = await openDriver(browser, { colorScheme });
    try {
      await expectNoSeriousViolations(page, "conversation list");

      await page.getByTestId("shift-details").getByRole("button").click();
      await expect(page.getByTestId("shift-form")).toBeVisible();
      await expectNoSeriousViolations(page, "shift form");
      await page.getByTestId("shift-form").getByRole("button", { name: "Cancel" }).click();

      await page.getByTestId("field-menu").click();
      await expectNoSeriousViolations(page, "menu (theme, sign out)");
      await page.getByTestId("field-menu").click();

      await page.getByTestId("contact-support").click();
      await expectNoSeriousViolations(page, "contact support form");
      await page.getByRole("button", { name: "Cancel" }).click();

      await page.getByTestId("emergency-button").click();
      await expectNoSeriousViolations(page, "emergency confirmation");
      await page.getByTestId("emergency-cancel").click();

      await contactSupport(page, { title: uniqueTitle("Axe"), body: XSS_BODY });
      await context.setOffline(true);
      await page.getByTestId("composer-input").fill("Queued while offline");
      await page.getByTestId("composer-send").click();
      await expect(messageWithBody(page, "Queued while offline").getByTestId("message-state")).toHaveText("waiting to send");
      await expectNoSeriousViolations(page, "conversation (offline, with a queued message)");
      await context.setOffline(false);
      await expectOnline(page);

      await raiseEmergency(page);
      await expectNoSeriousViolations(page, "emergency status (sent, false-alarm cancel)");
      await page.getByTestId("false-alarm").click();
      await expect(page.getByTestId("start-new-request")).toBeVisible();
      await expectNoSeriousViolations(page, "resolved conversation (cancelled alarm)");

      await page.goto("/deactivated");
      await expectNoSeriousViolations(page, "deactivated account page");

      await page.goto("/offline");
      await expectNoSeriousViolations(page, "offline page");
    } finally {
      await context.close();
    }
  });
}

test("touch targets on the field screens are at least 44 px high", async ({ driver }) => {
  await contactSupport(driver, { title: uniqueTitle("Targets"), body: "Size check" });
  const small = await driver.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("button, a, input:not([type=radio]), textarea, label:has(input[type=radio])")]
      .filter((el) => el.offsetParent !== null)
      .map((el) => ({ text: el.textContent?.trim() ?? el.tagName, height: el.getBoundingClientRect().height }))
      .filter(({ height }) => height < 44),
  );
  expect(small).toEqual([]);
});
