import { test, expect, DEMO, STAFF_B, apiAs, call, createConversationAs, queueItem, sendToBackground } from "./control-fixtures";

test.describe.configure({ timeout: 120_000 });

test("resolve offers Undo, by click and by shortcut; unread driver messages warn first", async ({ admin, open, baseURL }) => {
  expect(admin.connected).toBe(true);
  const driver = await apiAs(baseURL ?? "", DEMO.driver.email);
  try {
    const conversation = await createConversationAs(driver, "DRIVER", `Undo me ${Date.now()}`, "Mirror is loose");
    const a = await open.control();
    await queueItem(a, conversation.title).click();
    await expect(a.getByTestId("workspace-title")).toHaveText(conversation.title);

    await test.step("click: resolved at once, Undo reopens", async () => {
      await a.getByTestId("resolve").click();
      await expect(a.getByTestId("workspace-status")).toHaveText("Resolved");
      await expect(a.getByTestId("resolve-toast")).toContainText(conversation.title);
      await a.getByTestId("resolve-undo").click();
      await expect(a.getByTestId("workspace-status")).toHaveText("Waiting");
      await expect(a.getByTestId("resolve-toast")).toHaveCount(0);
      await expect(a.getByTestId("system-message").last()).toContainText("reopened");
    });

    await test.step("shortcut r: the same Undo", async () => {
      await a.locator("body").click({ position: { x: 700, y: 500 } });
      await a.keyboard.press("r");
      await expect(a.getByTestId("workspace-status")).toHaveText("Resolved");
      await a.getByTestId("resolve-undo").click();
      await expect(a.getByTestId("workspace-status")).toHaveText("Waiting");
    });

    await test.step("an unread driver message asks first; Cancel keeps it open", async () => {
      await sendToBackground(a);
      await call(driver, "message:send", { conversationId: conversation.id, body: "Also the horn is broken", clientId: `unread-${Date.now()}` });
      await expect(queueItem(a, conversation.title).getByTestId("unread-badge")).toHaveText("1");
      await a.getByTestId("resolve").click();
      await expect(a.getByTestId("confirm-dialog")).toContainText(`${DEMO.driver.name} has 1 unread message`);
      await a.getByTestId("confirm-cancel").click();
      await expect(a.getByTestId("workspace-status")).toHaveText("Waiting");
      await a.getByTestId("resolve").click();
      await a.getByTestId("confirm-ok").click();
      await expect(a.getByTestId("workspace-status")).toHaveText("Resolved");
    });

    await test.step("a reply into the resolved conversation reopens it first, and the thread says so", async () => {
      await a.getByTestId("composer-input").fill("One more thing: the depot has a spare mirror.");
      await a.getByTestId("composer-send").click();
      await expect(a.getByTestId("confirm-dialog")).toContainText("resolved — reopen it and send?");
      await a.getByTestId("confirm-cancel").click();
      await expect(a.getByTestId("workspace-status")).toHaveText("Resolved");
      await expect(a.getByTestId("composer-input")).toHaveValue("One more thing: the depot has a spare mirror.");
      await a.getByTestId("composer-send").click();
      await a.getByTestId("confirm-ok").click();
      await expect(a.getByTestId("workspace-status")).toHaveText("Waiting");
      await expect(a.getByTestId("message-body").filter({ hasText: "spare mirror" })).toHaveCount(1);
      await expect(a.getByTestId("system-message").filter({ hasText: "reopened" })).not.toHaveCount(0);
    });
  } finally {
    driver.disconnect();
  }
});

test("collision: B sees “A is viewing” and “A is typing” within a second; replying into A's conversation asks first", async ({ admin, open, baseURL }) => {
  expect(admin.connected).toBe(true);
  const driver = await apiAs(baseURL ?? "", DEMO.driver.email);
  try {
    const conversation = await createConversationAs(driver, "DRIVER", `Collision ${Date.now()}`, "Which diversion?");
    const a = await open.control();
    const b = await open.staffB();
    await queueItem(b, conversation.title).click();
    await expect(b.getByTestId("collision")).toHaveAttribute("data-kind", "none");

    await queueItem(a, conversation.title).click();
    await expect(b.getByTestId("collision")).toContainText(`${DEMO.control.name} is viewing`, { timeout: 1000 });
    await expect(a.getByTestId("collision")).toContainText(`${STAFF_B.name} is viewing`, { timeout: 1000 });

    await a.getByTestId("composer-input").pressSequentially("Take the", { delay: 30 });
    await expect(b.getByTestId("collision")).toContainText(`${DEMO.control.name} is typing`, { timeout: 1000 });
    await a.getByTestId("composer-input").fill("");

    await test.step("A takes it; B's reply asks “A has taken this — reply anyway?”", async () => {
      await a.getByTestId("take").click();
      await expect(b.getByTestId("workspace-assignee")).toHaveText(`Taken by ${DEMO.control.name}`);
      await b.getByTestId("composer-input").fill("Use the ring road.");
      await b.getByTestId("composer-send").click();
      await expect(b.getByTestId("confirm-dialog")).toContainText(`${DEMO.control.name} has taken this — reply anyway?`);
      await b.getByTestId("confirm-cancel").click();
      await expect(b.getByTestId("message-body").filter({ hasText: "ring road" })).toHaveCount(0);
      await b.getByTestId("composer-send").click();
      await b.getByTestId("confirm-ok").click();
      await expect(a.getByTestId("message-body").filter({ hasText: "ring road" })).toHaveCount(1);
    });

    await test.step("A closes the conversation: B's sign clears", async () => {
      await a.getByTestId("conversation-tab-close").click();
      await expect(b.getByTestId("collision")).toHaveAttribute("data-kind", "none", { timeout: 2000 });
    });
  } finally {
    driver.disconnect();
  }
});
