import AxeBuilder from "@axe-core/playwright";
import { JsonWsClient } from "../../helpers/clients";
import { test, expect, DEMO, contactSupport, queueItem, tokenFor, apiAs, createConversationAs } from "./control-fixtures";
import type { Page } from "@playwright/test";

// Several browser contexts per test, and server-side timers (reminders, escalation).
test.describe.configure({ timeout: 120_000 });

function message(page: Page, body: string) {
  return page.getByTestId("message").filter({ has: page.getByTestId("message-body").getByText(body, { exact: true }) });
}

test("conversation: typing and read both ways; an internal note never reaches the driver (UI and JSON WebSocket)", async ({ admin, open, baseURL }) => {
  expect(admin.connected).toBe(true);
  const a = await open.control();
  const driver = await open.field();
  const wsDriver = await JsonWsClient.connect(baseURL ?? "", await tokenFor(baseURL ?? "", DEMO.driver.email));
  const title = `Wheelchair ramp ${Date.now()}`;
  const note = `Internal: check CCTV for bus ${Date.now()}`;
  try {
    await contactSupport(driver, "driver", title, "The ramp does not deploy.");
    await queueItem(a, title).click();
    await expect(a.getByTestId("workspace-title")).toHaveText(title);

    await test.step("context panel: role, vehicle, route, online now", async () => {
      await expect(a.getByTestId("context-role")).toHaveText("Bus driver");
      await expect(a.getByTestId("context-vehicle")).toHaveText("Bus 412");
      await expect(a.getByTestId("context-online")).toHaveAttribute("data-online", "true");
      await expect(a.getByTestId("context-conversations")).toContainText(title);
    });

    await test.step("the driver's message shows read once control opened it", async () => {
      await expect(message(driver, "The ramp does not deploy.").getByTestId("message-state")).toHaveAttribute("data-state", "read");
    });

    await test.step("typing both ways", async () => {
      await a.getByTestId("composer-input").pressSequentially("Sending help");
      await expect(driver.getByTestId("typing-indicator")).toHaveText("Control is typing…");
      await driver.getByTestId("composer-input").pressSequentially("Thank");
      await expect(a.getByTestId("typing-indicator")).toHaveText(`${DEMO.driver.name} is typing…`);
      await driver.getByTestId("composer-input").fill("");
      await expect(a.getByTestId("typing-indicator")).toHaveText("");
    });

    await test.step("control's reply is seen by the driver", async () => {
      await a.getByTestId("composer-send").click();
      await expect(message(driver, "Sending help")).toBeVisible();
      await expect(a.getByTestId("seen-marker")).toHaveText("Seen by driver");
    });

    await test.step("an internal note is marked staff-only for control", async () => {
      await a.getByTestId("note-toggle").check();
      await expect(a.getByTestId("composer")).toHaveAttribute("data-note", "true");
      await a.getByTestId("composer-input").fill(note);
      await a.getByTestId("composer-send").click();
      await expect(message(a, note).getByTestId("note-label")).toHaveText("Internal note — staff only");
      await a.getByTestId("note-toggle").uncheck();
    });

    await test.step("a canned response is inserted with the keyboard and sent", async () => {
      await a.getByTestId("composer-input").focus();
      await a.keyboard.press("Alt+c");
      await expect(a.getByTestId("canned-list")).toBeVisible();
      const firstCanned = (await a.getByTestId("canned-response").first().textContent())?.replace(/^1/, "") ?? "";
      expect(firstCanned.length).toBeGreaterThan(0);
      await a.keyboard.press("1");
      await expect(a.getByTestId("composer-input")).toHaveValue(firstCanned);
      await a.keyboard.press("Enter");
      await expect(message(driver, firstCanned)).toBeVisible();
    });

    await test.step("the driver never sees the note, in the UI or on the JSON WebSocket", async () => {
      // The canned reply was sent after the note: once it arrived, the note would have too.
      await expect(driver.getByTestId("message-list")).not.toContainText(note);
      // After a reload the field app reopens the conversation from the server's history.
      await driver.reload();
      await expect(driver.getByTestId("conversation-view")).toContainText(title);
      await expect(driver.getByTestId("message-list")).toContainText("Sending help");
      await expect(driver.getByTestId("message-list")).not.toContainText(note);
      await wsDriver.waitFor((f) => f.type === "new_message" && JSON.stringify(f.data).includes("Sending help"));
      const conversationId = await a.getByTestId("workspace").getAttribute("data-conversation-id");
      const history = await wsDriver.request("get_conversation_messages", { conversation_id: conversationId, limit: 100 });
      expect(history.type).toBe("response");
      expect(JSON.stringify(history.data)).toContain("Sending help");
      expect(JSON.stringify(history.data)).not.toContain(note);
      expect(wsDriver.frames.some((f) => JSON.stringify(f).includes(note))).toBe(false);
    });
  } finally {
    wsDriver.close();
  }
});

test("workspace: tabs, keyboard shortcuts and the help overlay", async ({ admin, open, baseURL }) => {
  expect(admin.connected).toBe(true);
  const driverApi = await apiAs(baseURL ?? "", DEMO.driver.email);
  const one = await createConversationAs(driverApi, "DRIVER", `Tab one ${Date.now()}`, "First.");
  const two = await createConversationAs(driverApi, "GENERAL", `Tab two ${Date.now()}`, "Second.");
  driverApi.disconnect();
  const a = await open.control();
  await expect(queueItem(a, one.title)).toBeVisible();
  await expect(queueItem(a, two.title)).toBeVisible();

  await a.keyboard.press("?");
  await expect(a.getByTestId("shortcuts-help")).toContainText("Next conversation in the queue");
  await a.keyboard.press("Escape");
  await expect(a.getByTestId("shortcuts-help")).toHaveCount(0);

  // Longest waiting first: "one" was created first.
  await a.keyboard.press("j");
  await expect(a.getByTestId("workspace-title")).toHaveText(one.title);
  await a.keyboard.press("j");
  await expect(a.getByTestId("workspace-title")).toHaveText(two.title);
  await expect(a.getByTestId("conversation-tab")).toHaveCount(2);
  await a.keyboard.press("k");
  await expect(a.getByTestId("workspace-title")).toHaveText(one.title);

  await a.keyboard.press("t");
  await expect(a.getByTestId("workspace-assignee")).toHaveText(`Taken by ${DEMO.control.name}`);
  await a.getByTestId("conversation-tab").filter({ hasText: two.title }).click();
  await expect(a.getByTestId("workspace-title")).toHaveText(two.title);
  await a.getByTestId("conversation-tab").filter({ hasText: one.title }).click();
  await a.keyboard.press("r");
  await expect(a.getByTestId("workspace-status")).toHaveText("Resolved");
});

test("quality: axe finds no serious or critical violations; markup in a message renders as text", async ({ admin, open, baseURL }) => {
  expect(admin.connected).toBe(true);
  const xss = `<img src=x onerror=alert(1)> ${Date.now()}`;
  const driverApi = await apiAs(baseURL ?? "", DEMO.driver.email);
  const conversation = await createConversationAs(driverApi, "DRIVER", `<b>bold</b> title ${Date.now()}`, xss);
  driverApi.disconnect();
  const a = await open.control();
  const dialogs: string[] = [];
  a.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await queueItem(a, conversation.title).click();
  await expect(message(a, xss).getByTestId("message-body")).toHaveText(xss);
  await expect(a.getByTestId("workspace-title")).toHaveText(conversation.title);
  await expect(a.locator("main img")).toHaveCount(0);
  await expect(a.locator("main b")).toHaveCount(0);
  expect(dialogs).toEqual([]);

  for (const scheme of ["light", "dark"] as const) {
    await a.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page: a }).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${scheme}: ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`)).toEqual([]);
  }
  await a.keyboard.press("?");
  const help = await new AxeBuilder({ page: a }).include('[data-testid="shortcuts-help"]').analyze();
  expect(help.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
});
