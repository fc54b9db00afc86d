import { CATEGORIES } from "../../../lib/chat/types";
import { contactSupport, expect, messageWithBody, test, uniqueTitle, DEMO } from "./field-fixtures";

test("a driver opens a conversation in each category; each is listed and reaches control", async ({ driver, controller }) => {
  await expect(driver.getByTestId("signed-in-as")).toHaveText(`Signed in as ${DEMO.driver.name}`);
  const opened: { category: (typeof CATEGORIES)[number]; title: string; id: string }[] = [];

  for (const category of CATEGORIES) {
    const title = uniqueTitle(`${category} case`);
    await test.step(`${category}: the form opens it and the list shows it`, async () => {
      const id = await contactSupport(driver, { category: category.toLowerCase() as "general", title, body: `First message about ${title}` });
      opened.push({ category, title, id });
      await driver.getByTestId("back-to-list").click();
      const item = driver.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
      await expect(item).toContainText(title);
      await expect(item).toHaveAttribute("data-category", category);
      await expect(item.getByTestId("conversation-last-message")).toContainText(`First message about ${title}`);
    });
  }

  await test.step("the form's default category follows the driver's role", async () => {
    await driver.getByTestId("contact-support").click();
    await expect(driver.getByTestId("category-driver")).toBeChecked();
  });

  await test.step("control received each conversation, with its category and first message", async () => {
    for (const { category, title, id } of opened) {
      await expect.poll(() => controller.conversations.filter((c) => c.id === id).length).toBe(1);
      const received = controller.conversations.find((c) => c.id === id);
      expect(received?.category).toBe(category);
      expect(received?.title).toBe(title);
      expect(received?.creator.name).toBe(DEMO.driver.name);
    }
  });
});

test("messages flow both ways; the driver sees control typing and 'read by control'", async ({ driver, controller }) => {
  const title = uniqueTitle("Two-way");
  const id = await contactSupport(driver, { title, body: "Door sensor fault on bus 12" });
  const first = messageWithBody(driver, "Door sensor fault on bus 12");
  await expect(first.getByTestId("message-state")).toHaveText("sent");
  await controller.call(controller.socket, "conversation:join", { conversationId: id });

  await test.step("the driver writes; control receives it", async () => {
    await driver.getByTestId("composer-input").fill("It keeps beeping");
    await driver.getByTestId("composer-send").click();
    await expect.poll(() => controller.messagesIn(id).map((m) => m.body)).toContain("It keeps beeping");
    await expect(messageWithBody(driver, "It keeps beeping").getByTestId("message-state")).toHaveText("sent");
  });

  await test.step("control types: the driver sees it, and it clears", async () => {
    await controller.call(controller.socket, "typing:set", { conversationId: id, isTyping: true });
    await expect(driver.getByTestId("typing-indicator")).toHaveText("Control is typing…");
    await controller.call(controller.socket, "typing:set", { conversationId: id, isTyping: false });
    await expect(driver.getByTestId("typing-indicator")).toHaveText("");
  });

  await test.step("control reads: the driver's messages turn 'read by control'", async () => {
    const sequences = controller.messagesIn(id).map((m) => m.sequence);
    await controller.call(controller.socket, "message:read", { conversationId: id, sequence: Math.max(...sequences) });
    await expect(first.getByTestId("message-state")).toHaveText("read by control");
    await expect(messageWithBody(driver, "It keeps beeping").getByTestId("message-state")).toHaveText("read by control");
  });

  await test.step("control replies: the driver sees it on control's side", async () => {
    await controller.call(controller.socket, "message:send", { conversationId: id, body: "Mechanic on the way", clientId: `ctl-${Date.now()}` });
    const reply = messageWithBody(driver, "Mechanic on the way");
    await expect(reply).toHaveAttribute("data-mine", "false");
    await expect(reply).toContainText(DEMO.control.name);
    await expect(reply.getByTestId("message-state")).toHaveCount(0);
  });
});
