import { expect, test, recordDialogs, raiseEmergency, DEMO } from "../fixtures";
import type { Page } from "@playwright/test";

const XSS_BODY = "<img src=x onerror=alert(1)>";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

function messageWithBody(page: Page, body: string) {
  return page.getByTestId("message").filter({ has: page.getByTestId("message-body").getByText(body, { exact: true }) });
}

test("driver and control chat in real time", async ({ openAs }) => {
  const control = await openAs({ email: DEMO.control.email, path: "/control", viewport: DESKTOP });
  const driver = await openAs({ email: DEMO.driver.email, path: "/field", viewport: PHONE });
  const controlDialogs = recordDialogs(control);
  const driverDialogs = recordDialogs(driver);
  const title = "Bus 412 stuck on Main St";
  const firstBody = "Traffic lights are out at Main St, I cannot move.";

  await test.step("the driver contacts support; the category defaults to Driver", async () => {
    await driver.getByTestId("contact-support").click();
    await expect(driver.getByTestId("category-driver")).toBeChecked();
    await driver.getByTestId("contact-title").fill(title);
    await driver.getByTestId("contact-body").fill(firstBody);
    await driver.getByTestId("contact-submit").click();
    await expect(driver.getByTestId("conversation-view")).toBeVisible();
    const mine = messageWithBody(driver, firstBody);
    await expect(mine).toHaveAttribute("data-mine", "true");
    await expect(mine.getByTestId("message-state")).toHaveText("sent");
  });

  await test.step("control sees the alert and the conversation in the queue", async () => {
    await expect(control.getByTestId("new-conversation-alert")).toContainText(`${DEMO.driver.name} — ${title}`);
    await expect(control).toHaveTitle(/^\(1\) New/);
    const item = control.getByTestId("queue-item").filter({ hasText: title });
    await expect(item).toContainText(DEMO.driver.name);
    await expect(item).toContainText("Bus 412");
    await expect(item).toContainText("Route 7");
    await expect(item.getByTestId("unread-badge")).toHaveText("1");
  });

  await test.step("control opens it; the driver's message shows read", async () => {
    await control.getByTestId("queue-item").filter({ hasText: title }).click();
    await expect(control.getByTestId("workspace-title")).toHaveText(title);
    await expect(messageWithBody(control, firstBody)).toHaveAttribute("data-mine", "false");
    await expect(control.getByTestId("new-conversation-alert")).toHaveCount(0);
    await expect(control).not.toHaveTitle(/^\(\d+\)/);
    await expect(messageWithBody(driver, firstBody).getByTestId("message-state")).toHaveText("read by control");
  });

  await test.step("control types: the driver sees the typing indicator", async () => {
    await control.getByTestId("composer-input").pressSequentially("On my way");
    await expect(driver.getByTestId("typing-indicator")).toHaveText("Control is typing…");
  });

  await test.step("control replies: the driver sees it, and control sees it was seen", async () => {
    await control.getByTestId("composer-send").click();
    const reply = messageWithBody(driver, "On my way");
    await expect(reply).toHaveAttribute("data-mine", "false");
    await expect(reply).toContainText(DEMO.control.name);
    await expect(driver.getByTestId("typing-indicator")).toHaveText("");
    await expect(messageWithBody(control, "On my way").getByTestId("message-state")).toHaveText("read");
    await expect(control.getByTestId("seen-marker")).toHaveText("Seen by driver");
  });

  await test.step("the driver types: control sees who is typing", async () => {
    await driver.getByTestId("composer-input").pressSequentially("Thanks");
    await expect(control.getByTestId("typing-indicator")).toHaveText(`${DEMO.driver.name} is typing…`);
    await driver.getByTestId("composer-input").fill("");
    await expect(control.getByTestId("typing-indicator")).toHaveText("");
  });

  await test.step("a quick reply arrives at control as a message", async () => {
    await driver.getByTestId("quick-reply").filter({ hasText: "Road blocked" }).click();
    await expect(messageWithBody(control, "Road blocked")).toHaveAttribute("data-mine", "false");
  });

  await test.step("markup in a message shows as text on both sides", async () => {
    await driver.getByTestId("composer-input").fill(XSS_BODY);
    await driver.getByTestId("composer-send").click();
    await expect(messageWithBody(driver, XSS_BODY).getByTestId("message-body")).toHaveText(XSS_BODY);
    await expect(messageWithBody(control, XSS_BODY).getByTestId("message-body")).toHaveText(XSS_BODY);
    await expect(driver.locator('[data-testid="message-list"] img')).toHaveCount(0);
    await expect(control.locator('[data-testid="message-list"] img')).toHaveCount(0);
    expect(driverDialogs).toEqual([]);
    expect(controlDialogs).toEqual([]);
  });

  await test.step("control takes, resolves and reopens; the driver sees each status", async () => {
    await control.getByTestId("take").click();
    await expect(control.getByTestId("workspace-status")).toHaveText("In progress");
    await expect(driver.getByTestId("conversation-status")).toHaveAttribute("data-status", "ASSIGNED");
    await expect(driver.getByTestId("conversation-status")).toContainText(`Taken by ${DEMO.control.name}`);
    await control.getByTestId("resolve").click();
    await expect(driver.getByTestId("conversation-status")).toHaveAttribute("data-status", "RESOLVED");
    await expect(driver.getByTestId("start-new-request")).toBeVisible();
    await expect(driver.getByTestId("composer-input")).toHaveCount(0);
    await control.getByTestId("reopen").click();
    await expect(driver.getByTestId("conversation-status")).toHaveAttribute("data-status", "ASSIGNED");
    await expect(control.getByTestId("system-message").filter({ hasText: `${DEMO.control.name} reopened this conversation.` })).toHaveCount(1);
  });

  await test.step("the driver's emergency needs a completed hold and waits for control", async () => {
    await raiseEmergency(driver);
  });

  await test.step("control acknowledges; the driver sees who did and when", async () => {
    await expect(control.getByTestId("new-conversation-alert")).toContainText("EMERGENCY");
    const first = control.getByTestId("queue-item").first();
    await expect(first).toContainText("EMERGENCY");
    await first.click();
    await control.getByTestId("acknowledge-emergency").click();
    await expect(control.getByTestId("emergency-ack")).toContainText(`Emergency acknowledged by ${DEMO.control.name}`);
    await expect(driver.getByTestId("emergency-status-text")).toHaveText(new RegExp(`^Acknowledged by ${DEMO.control.name} \\d\\d:\\d\\d$`));
  });

  expect(driverDialogs).toEqual([]);
  expect(controlDialogs).toEqual([]);
});
