import { test, expect, DEMO, apiAs, contactSupport, createConversationAs, notifications, queueItem, filterChip, monitorCheckbox, sendToBackground, sounds, STAFF_B } from "./control-fixtures";

// Several browser contexts per test, and server-side timers (reminders, escalation).
test.describe.configure({ timeout: 120_000 });

test("rooms: a regulator's conversation counts under All and Regulator, never Driver, live on A and B", async ({ admin, open, baseURL }) => {
  expect(admin.connected).toBe(true);
  const a = await open.control();
  const b = await open.staffB();
  const regulator = await open.field(DEMO.regulator.email);
  const title = `Queue overflow at Central ${Date.now()}`;

  for (const page of [a, b]) {
    await expect(filterChip(page, "REGULATOR")).toHaveAttribute("data-open", "0");
    await expect(filterChip(page, "all")).toHaveAttribute("data-open", "0");
  }

  await contactSupport(regulator, "regulator", title, "Three buses bunched at stand 4.");

  for (const page of [a, b]) {
    await expect(filterChip(page, "REGULATOR")).toHaveAttribute("data-open", "1");
    await expect(filterChip(page, "REGULATOR")).toHaveAttribute("data-unread", "1");
    await expect(filterChip(page, "REGULATOR")).toContainText("Regulator 1");
    await expect(filterChip(page, "all")).toHaveAttribute("data-open", "1");
    await expect(filterChip(page, "GENERAL")).toHaveAttribute("data-open", "0");
    await expect(filterChip(page, "DRIVER")).toHaveAttribute("data-open", "0");
    await expect(filterChip(page, "EMERGENCY")).toHaveAttribute("data-open", "0");
  }

  await test.step("the queue filtered by category shows it under All and Regulator only", async () => {
    await filterChip(a, "DRIVER").click();
    await expect(a.getByTestId("queue-count")).toHaveText("0");
    await expect(queueItem(a, title)).toHaveCount(0);
    await expect(a.getByTestId("queue-empty")).toBeVisible();
    await filterChip(a, "REGULATOR").click();
    await expect(queueItem(a, title)).toHaveCount(1);
    await filterChip(a, "all").click();
    await expect(queueItem(a, title)).toHaveCount(1);
    await expect(queueItem(a, title)).toContainText(DEMO.regulator.name);
    await expect(queueItem(a, title).getByTestId("queue-assignee")).toHaveText("Unclaimed");
  });

  await test.step("A opens it: A's unread count clears, B's stays", async () => {
    await queueItem(a, title).click();
    await expect(filterChip(a, "REGULATOR")).toHaveAttribute("data-unread", "0");
    await expect(filterChip(b, "REGULATOR")).toHaveAttribute("data-unread", "1");
  });

  await test.step("a resolved conversation leaves the open counts on both", async () => {
    await a.getByTestId("resolve").click();
    await expect(filterChip(a, "REGULATOR")).toHaveAttribute("data-open", "0");
    await expect(filterChip(b, "REGULATOR")).toHaveAttribute("data-open", "0");
    await b.getByTestId("status-filter").selectOption("resolved");
    await expect(queueItem(b, title)).toHaveCount(1);
  });

  await test.step("the monitored-room choice persists across a reload", async () => {
    const monitor = await monitorCheckbox(b, "driver_support");
    await expect(monitor).toBeChecked();
    await monitor.uncheck();
    await expect(monitor).not.toBeChecked();
    await b.reload();
    await expect(b.getByTestId("connection-state")).toHaveAttribute("data-state", "online");
    await expect(await monitorCheckbox(b, "driver_support")).not.toBeChecked();
    await expect(await monitorCheckbox(b, "regulator_support")).toBeChecked();
    // Restore for the other specs, through the API as B.
    const socketB = await apiAs(baseURL ?? "", STAFF_B.email, STAFF_B.password);
    try {
      await new Promise<void>((resolve, reject) =>
        socketB.emit("room:join", { room: "driver_support" }, (reply) => (reply.ok ? resolve() : reject(new Error(reply.error.message)))),
      );
    } finally {
      socketB.disconnect();
    }
  });
});

test("alerts: a background tab gets the banner, the title count, a sound and a notification; reminders repeat", async ({ admin, open }) => {
  expect(admin.connected).toBe(true);
  const a = await open.control();
  const driver = await open.field();
  const title = `Door fault ${Date.now()}`;
  await sendToBackground(a);
  expect(await a.evaluate(() => document.visibilityState)).toBe("hidden");

  await contactSupport(driver, "driver", title, "Rear door will not close.");

  await expect(a.getByTestId("new-conversation-alert")).toContainText(`${DEMO.driver.name} — ${title}`);
  await expect.poll(() => a.evaluate(() => document.title)).toMatch(/^\(1\) New · 1 waiting — /);
  await expect.poll(async () => (await notifications(a)).filter((n) => n.title === "New conversation").map((n) => n.body)).toEqual([`${DEMO.driver.name} — ${title}`]);
  await expect.poll(async () => (await sounds(a)).includes("new-conversation")).toBe(true);

  await test.step("while it stays unclaimed, the reminder repeats", async () => {
    await expect(a.getByTestId("unclaimed-reminder")).toContainText("1 conversation still unclaimed");
    await expect.poll(async () => Number(await a.getByTestId("unclaimed-reminder").getAttribute("data-times")), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect((await notifications(a)).some((n) => n.title === "Still unclaimed")).toBe(true);
  });

  await test.step("taking it ends the waiting count and the reminder", async () => {
    await a.getByTestId("alert-open").click();
    await a.getByTestId("take").click();
    await expect(a.getByTestId("workspace-assignee")).toHaveText(`Taken by ${DEMO.control.name}`);
    await expect.poll(() => a.evaluate(() => document.title)).not.toMatch(/waiting/);
    await expect(a.getByTestId("unclaimed-reminder")).toHaveCount(0);
  });
});

test("alerts: a backlog gathered while away collapses into one alert", async ({ admin, open, baseURL }) => {
  const regulator = await apiAs(baseURL ?? "", DEMO.regulator.email);
  try {
    for (let i = 1; i <= 3; i += 1) await createConversationAs(regulator, "REGULATOR", `Backlog ${i} ${Date.now()}`, `Backlog item ${i}`);
  } finally {
    regulator.disconnect();
  }
  expect(admin.connected).toBe(true);
  const a = await open.control();
  await expect(a.getByTestId("backlog-alert")).toHaveText(/^3 conversations waiting while you were away\./);
  await expect.poll(() => a.evaluate(() => document.title)).toMatch(/^3 waiting — /);
  await expect.poll(async () => (await notifications(a)).filter((n) => n.tag === "new-conversations").map((n) => n.title)).toEqual(["3 conversations waiting"]);
  await expect(a.getByTestId("new-conversation-alert")).toHaveCount(0);
});
