import { DEMO, expect, pressAndHold, raiseEmergency, test } from "../fixtures";
import type { Page } from "@playwright/test";

// One emergency path: every way to raise an alarm needs a completed press-and-hold; a tap never does.
// A false alarm called off by the driver clears the alarm on a controller's dashboard in another browser.

const PHONE = { width: 390, height: 844 };

function conversationIdOf(page: Page): string {
  return new URL(page.url()).searchParams.get("c") ?? "";
}

/** How many emergencies the dashboard's alarm counts (the strip shows three lines, then "+N more"). */
async function alarmCount(control: Page): Promise<number> {
  // One read in the page: the alarm can disappear between two separate locator calls.
  const label = await control.evaluate(() => document.querySelector('[data-testid="emergency-alarm"]')?.getAttribute("aria-label") ?? null);
  if (label === null) return 0;
  return Number(/^(\d+) emergenc/.exec(label)?.[1] ?? "NaN");
}

test("Emergency in the form plus a tap on Send raises nothing; a completed hold does; a false-alarm cancel clears it on the dashboard", async ({ openAs }) => {
  // Five steps with two browsers and three alarms: more than the default budget, not a timing assertion.
  test.slow();
  const control = await openAs({ email: DEMO.control.email, path: "/control", viewport: { width: 1280, height: 720 } });
  const driver = await openAs({ email: DEMO.driver.email, path: "/field", viewport: PHONE });
  const alarmsBefore = await alarmCount(control);

  await test.step("the form: Emergency chosen, Enter and taps on the hold control send nothing", async () => {
    await driver.getByTestId("contact-support").click();
    await driver.getByTestId("category-emergency").check();
    await expect(driver.getByTestId("contact-submit")).toHaveCount(0);
    await driver.getByTestId("contact-body").fill("Smoke from the engine bay");
    await driver.getByTestId("contact-title").press("Enter");
    await driver.getByTestId("contact-emergency-hold").click();
    await driver.getByTestId("contact-emergency-hold").tap().catch(() => undefined);
    await pressAndHold(driver, "contact-emergency-hold", 600);
    await expect(driver.getByTestId("contact-support-form")).toBeVisible();
    await expect(driver.getByTestId("emergency-status")).toHaveCount(0);
    // The dashboard would show a new alarm line within a second or two had anything gone out.
    await driver.waitForTimeout(1500);
    expect(await alarmCount(control)).toBe(alarmsBefore);
  });

  await test.step("the SOS button: a tap opens the confirmation, Cancel closes it, nothing is sent", async () => {
    await driver.getByRole("button", { name: "Cancel" }).click();
    await driver.getByTestId("emergency-button").click();
    await expect(driver.getByRole("alertdialog")).toContainText("Send an emergency alarm to control?");
    await driver.getByTestId("emergency-hold").click();
    await driver.getByTestId("emergency-cancel").click();
    await expect(driver.getByTestId("emergency-confirm")).toHaveCount(0);
    expect(await alarmCount(control)).toBe(alarmsBefore);
  });

  let id = "";
  await test.step("a completed hold raises the alarm; control hears it", async () => {
    await driver.getByTestId("contact-support").click();
    await driver.getByTestId("category-emergency").check();
    await driver.getByTestId("contact-body").fill("Passenger collapsed at Elm St");
    await pressAndHold(driver, "contact-emergency-hold");
    await expect(driver.getByTestId("emergency-status-text")).toHaveText(/^Alarm sent — control notified \d\d:\d\d$/);
    id = conversationIdOf(driver);
    expect(id).not.toBe("");
    await expect.poll(() => alarmCount(control)).toBe(alarmsBefore + 1);
    await expect(driver.getByTestId("false-alarm")).toBeVisible();
    await expect(driver.getByTestId("call-control")).toHaveAttribute("href", "tel:+442079460000");
    await expect(driver.getByTestId("call-control")).toHaveAttribute("data-prominent", "false");
  });

  await test.step("False alarm — cancel: the dashboard's alarm clears, the thread and the driver say so", async () => {
    await driver.getByTestId("false-alarm").click();
    await expect(driver.getByTestId("emergency-status-text")).toHaveText(/^Alarm cancelled — false alarm \d\d:\d\d$/);
    await expect(driver.getByTestId("false-alarm")).toHaveCount(0);
    await expect(driver.getByTestId("system-message").filter({ hasText: `False alarm: ${DEMO.driver.name} cancelled this emergency.` })).toHaveCount(1);
    await expect(driver.getByTestId("start-new-request")).toBeVisible();
    await expect.poll(() => alarmCount(control)).toBe(alarmsBefore);
  });

  await test.step("the SOS in a conversation raises a second alarm through the same hold", async () => {
    await raiseEmergency(driver);
    const second = conversationIdOf(driver);
    expect(second).not.toBe(id);
    await expect.poll(() => alarmCount(control)).toBe(alarmsBefore + 1);
    await driver.getByTestId("false-alarm").click();
    await expect.poll(() => alarmCount(control)).toBe(alarmsBefore);
  });

  await test.step("without signal the alarm waits on the phone, Call control is offered at once, and it goes out on reconnection", async () => {
    await driver.getByTestId("back-to-list").click();
    // Other specs leave this driver emergencies of their own: the new one is the id not listed yet.
    const emergencyItems = driver.locator('[data-testid="conversation-item"][data-category="EMERGENCY"]');
    const listedIds = () => emergencyItems.evaluateAll((items) => items.map((item) => item.getAttribute("data-conversation-id") ?? ""));
    const before = await listedIds();
    await driver.context().setOffline(true);
    await expect(driver.getByTestId("connection-state")).toHaveAttribute("data-state", "no-signal");
    await driver.getByTestId("emergency-button").click();
    await pressAndHold(driver, "emergency-hold");
    await expect(driver.getByTestId("alarm-not-sent")).toBeVisible();
    await expect(driver.getByTestId("alarm-not-sent").getByTestId("call-control")).toHaveAttribute("href", "tel:+442079460000");
    await driver.context().setOffline(false);
    await expect.poll(() => alarmCount(control)).toBe(alarmsBefore + 1);
    await expect(driver.getByTestId("alarm-not-sent")).toHaveCount(0);
    await expect(emergencyItems).toHaveCount(before.length + 1);
    const sent = (await listedIds()).find((id) => !before.includes(id));
    expect(sent).toBeTruthy();
    await driver.locator(`[data-testid="conversation-item"][data-conversation-id="${sent}"]`).click();
    await driver.getByTestId("false-alarm").click();
    await expect.poll(() => alarmCount(control)).toBe(alarmsBefore);
  });
});
