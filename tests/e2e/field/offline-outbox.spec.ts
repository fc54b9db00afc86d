import { contactSupport, expect, expectFieldCachedForOffline, expectOnline, messageWithBody, test, uniqueTitle } from "./field-fixtures";

const OFFLINE_BODIES = ["Offline one", "Offline two", "Offline three"];

test("messages written offline survive a reload and go out once each, in order", async ({ driver, controller }) => {
  const context = driver.context();
  const id = await contactSupport(driver, { title: uniqueTitle("No signal"), body: "Entering the tunnel section" });
  await controller.call(controller.socket, "conversation:join", { conversationId: id });
  await expectFieldCachedForOffline(driver);
  await expect.poll(() => controller.messagesIn(id).length).toBe(1);
  /** What control received after the first message. */
  const afterFirst = () => controller.messagesIn(id).slice(1).map((m) => m.body);

  await test.step("offline: three messages wait on the device", async () => {
    await context.setOffline(true);
    await expect(driver.getByTestId("connection-state")).not.toHaveAttribute("data-state", "online");
    for (const body of OFFLINE_BODIES) {
      await driver.getByTestId("composer-input").fill(body);
      await driver.getByTestId("composer-send").click();
      await expect(messageWithBody(driver, body).getByTestId("message-state")).toHaveText("waiting to send");
    }
  });

  await test.step("a reload without signal is served by the service worker and keeps the outbox", async () => {
    await driver.reload();
    await expect(driver.getByTestId("conversation-view")).toBeVisible();
    await expect(driver.getByTestId("connection-state")).not.toHaveAttribute("data-state", "online");
    for (const body of OFFLINE_BODIES) {
      await expect(messageWithBody(driver, body)).toHaveCount(1);
      await expect(messageWithBody(driver, body).getByTestId("message-state")).toHaveText("waiting to send");
    }
    expect(afterFirst()).toEqual([]);
  });

  await test.step("back online: control receives exactly three, once each, in order", async () => {
    await context.setOffline(false);
    await expectOnline(driver);
    for (const body of OFFLINE_BODIES) await expect(messageWithBody(driver, body).getByTestId("message-state")).toHaveText("sent");
    // A barrier: anything sent before this message (a duplicate included) reaches control before it.
    await driver.getByTestId("composer-input").fill("Back in coverage");
    await driver.getByTestId("composer-send").click();
    await expect.poll(afterFirst).toEqual([...OFFLINE_BODIES, "Back in coverage"]);
    const stored = await controller.call(controller.socket, "message:list", { conversationId: id });
    expect(stored.messages.filter((m) => OFFLINE_BODIES.includes(m.body)).map((m) => m.body)).toEqual(OFFLINE_BODIES);
    for (const body of OFFLINE_BODIES) await expect(messageWithBody(driver, body)).toHaveCount(1);
  });

  await test.step("control reads them: the driver sees 'read by control'", async () => {
    const last = Math.max(...controller.messagesIn(id).map((m) => m.sequence));
    await controller.call(controller.socket, "message:read", { conversationId: id, sequence: last });
    for (const body of OFFLINE_BODIES) await expect(messageWithBody(driver, body).getByTestId("message-state")).toHaveText("read by control");
  });

  await test.step("nothing is left in the device outbox", async () => {
    const left = await driver.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open("transit-support");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const count = open.result.transaction("outbox", "readonly").objectStore("outbox").count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );
    expect(left).toBe(0);
  });
});

test("a conversation opened offline waits in the outbox and is created once when the signal returns", async ({ driver, controller }) => {
  const context = driver.context();
  await expectFieldCachedForOffline(driver);
  const title = uniqueTitle("Opened offline");
  await context.setOffline(true);
  await expect(driver.getByTestId("connection-state")).not.toHaveAttribute("data-state", "online");
  await driver.getByTestId("contact-support").click();
  await driver.getByTestId("contact-title").fill(title);
  await driver.getByTestId("contact-body").fill("Written without signal");
  await driver.getByTestId("contact-submit").click();
  const waiting = driver.getByTestId("pending-conversation").filter({ hasText: title });
  await expect(waiting.getByTestId("pending-conversation-state")).toHaveText("waiting to send");

  await driver.reload();
  await expect(waiting.getByTestId("pending-conversation-state")).toHaveText("waiting to send");
  await context.setOffline(false);
  await expectOnline(driver);
  await expect(driver.getByTestId("conversation-item").filter({ hasText: title })).toHaveCount(1);
  await expect(waiting).toHaveCount(0);
  await expect.poll(() => controller.conversations.filter((c) => c.title === title).length).toBe(1);
});
