import { test, expect, DEMO, STAFF_B, call, apiAs, createConversationAs, queueItem, sounds } from "./control-fixtures";
import { raiseEmergency } from "../fixtures";
import type { Page } from "@playwright/test";

// Several browser contexts per test, and server-side timers (reminders, escalation).
test.describe.configure({ timeout: 120_000 });

async function triggerEmergency(driver: Page): Promise<void> {
  await raiseEmergency(driver);
}

test("take: A takes and B sees it taken by A; when both take at once exactly one wins", async ({ admin, open, baseURL }) => {
  expect(admin.connected).toBe(true);
  const a = await open.control();
  const b = await open.staffB();
  const driverApi = await apiAs(baseURL ?? "", DEMO.driver.email);
  const first = await createConversationAs(driverApi, "DRIVER", `Take me ${Date.now()}`, "Ticket machine down.");
  const second = await createConversationAs(driverApi, "DRIVER", `Race me ${Date.now()}`, "Mirror broken.");
  driverApi.disconnect();

  await test.step("A takes; B sees the new owner at once", async () => {
    await queueItem(a, first.title).click();
    await queueItem(b, first.title).click();
    await a.getByTestId("take").click();
    await expect(a.getByTestId("workspace-assignee")).toHaveText(`Taken by ${DEMO.control.name}`);
    await expect(queueItem(b, first.title).getByTestId("queue-assignee")).toHaveText(DEMO.control.name);
    await expect(b.getByTestId("workspace-assignee")).toHaveText(`Taken by ${DEMO.control.name}`);
    await expect(b.getByTestId("take")).toHaveCount(0);
  });

  await test.step("both take at the same moment in the UI: one owner, and the other is told", async () => {
    await queueItem(a, second.title).click();
    await queueItem(b, second.title).click();
    await expect(a.getByTestId("take")).toBeVisible();
    await expect(b.getByTestId("take")).toBeVisible();
    const clickTake = (page: Page) =>
      page.evaluate(() => {
        const button = document.querySelector<HTMLButtonElement>('[data-testid="take"]');
        button?.click();
        return Boolean(button);
      });
    const [clickedA, clickedB] = await Promise.all([clickTake(a), clickTake(b)]);
    expect(clickedA || clickedB).toBe(true);
    const owner = await a.getByTestId("workspace-assignee").filter({ hasText: /^Taken by / }).textContent();
    expect([`Taken by ${DEMO.control.name}`, `Taken by ${STAFF_B.name}`]).toContain(owner);
    await expect(b.getByTestId("workspace-assignee")).toHaveText(owner ?? "");
    const loser = owner === `Taken by ${DEMO.control.name}` ? b : a;
    const winner = loser === a ? b : a;
    const loserClicked = loser === a ? clickedA : clickedB;
    if (loserClicked) await expect(loser.getByTestId("action-error")).toContainText("has already taken this conversation");
    await expect(winner.getByTestId("action-error")).toHaveCount(0);
  });

  await test.step("two API clients racing: exactly one ack succeeds", async () => {
    const driver = await apiAs(baseURL ?? "", DEMO.driver.email);
    const third = await createConversationAs(driver, "DRIVER", `API race ${Date.now()}`, "Heater stuck on.");
    driver.disconnect();
    const staffA = await apiAs(baseURL ?? "", DEMO.control.email);
    const staffB = await apiAs(baseURL ?? "", STAFF_B.email, STAFF_B.password);
    try {
      const emitTake = (socket: typeof staffA) =>
        new Promise<boolean>((resolve) => socket.emit("conversation:take", { conversationId: third.id }, (reply) => resolve(reply.ok)));
      const results = await Promise.all([emitTake(staffA), emitTake(staffB)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      staffA.disconnect();
      staffB.disconnect();
    }
  });
});

test("emergency: the alarm runs on A and B until A acknowledges; the driver sees A's name", async ({ admin, open }) => {
  expect(admin.connected).toBe(true);
  const a = await open.control();
  const b = await open.staffB();
  const driver = await open.field();
  await triggerEmergency(driver);

  for (const page of [a, b]) {
    await expect(page.getByTestId("emergency-alarm")).toContainText(DEMO.driver.name);
    await expect(page.getByTestId("queue-item").first()).toContainText("EMERGENCY");
    // The tone repeats while nobody acknowledges.
    await expect.poll(async () => (await sounds(page)).filter((s) => s === "emergency" || s === "escalated").length).toBeGreaterThanOrEqual(2);
  }

  await expect(b.getByTestId("emergency-alarm")).toBeVisible();
  await a.getByTestId("alarm-acknowledge").click();
  await expect(a.getByTestId("emergency-alarm")).toHaveCount(0);
  await expect(b.getByTestId("emergency-alarm")).toHaveCount(0);
  await expect(driver.getByTestId("emergency-status-text")).toHaveText(new RegExp(`^Acknowledged by ${DEMO.control.name} \\d\\d:\\d\\d$`));

  await test.step("the acknowledgement shows in the conversation on B", async () => {
    await b.getByTestId("queue-item").filter({ hasText: DEMO.driver.name }).first().click();
    await expect(b.getByTestId("emergency-ack")).toContainText(`Emergency acknowledged by ${DEMO.control.name}`);
  });

  await test.step("after acknowledging, no new alarm tone starts", async () => {
    const before = (await sounds(a)).length;
    // The alarm repeats every 1–2 s; an idle second and a half with the banner gone shows it stopped.
    await a.waitForTimeout(2500);
    expect((await sounds(a)).filter((s, i) => i >= before && (s === "emergency" || s === "escalated"))).toEqual([]);
  });
});

test("emergency: unacknowledged, it escalates after the configured time on every control screen", async ({ admin, open }) => {
  const a = await open.control();
  const b = await open.staffB();
  const adminPage = await open.control(DEMO.admin.email);
  const driver = await open.field();
  await triggerEmergency(driver);

  for (const page of [a, b, adminPage]) {
    await expect(page.getByTestId("emergency-alarm")).toHaveAttribute("data-escalated", "true", { timeout: 20_000 });
    await expect(page.getByTestId("escalated-mark")).toHaveText("ESCALATED");
    await expect.poll(async () => (await sounds(page)).includes("escalated")).toBe(true);
  }
  await expect(a.getByTestId("queue-escalated")).toHaveText("ESCALATED");

  const { conversations } = await call(admin, "conversation:list", { room: "emergency_support" });
  const emergency = conversations.find((c) => c.creator.name === DEMO.driver.name && !c.emergencyAck);
  expect(emergency).toBeDefined();
  await call(admin, "emergency:acknowledge", { conversationId: emergency?.id ?? "" });
  await expect(a.getByTestId("emergency-alarm")).toHaveCount(0);
});
