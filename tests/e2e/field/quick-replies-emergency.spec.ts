import { QUICK_REPLIES } from "../../../components/field/quick-replies";
import { contactSupport, expect, messageWithBody, test, uniqueTitle, DEMO } from "./field-fixtures";
import { raiseEmergency } from "../fixtures";

test("a quick reply sends in one tap", async ({ driver, controller }) => {
  const id = await contactSupport(driver, { title: uniqueTitle("Quick"), body: "Starting my shift" });
  await expect(driver.getByTestId("quick-reply")).toHaveText([...QUICK_REPLIES]);
  for (const button of await driver.getByTestId("quick-reply").all()) {
    const box = await button.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  }
  await driver.getByTestId("quick-reply").filter({ hasText: "Bus full" }).click();
  await expect(messageWithBody(driver, "Bus full").getByTestId("message-state")).toHaveText("sent");
  await expect.poll(() => controller.messagesIn(id).map((m) => m.body)).toEqual(["Starting my shift", "Bus full"]);
});

test("the emergency control needs a completed hold, then shows sent and the acknowledgement", async ({ driver, controller }) => {
  const emergencies = () => controller.conversations.filter((c) => c.category === "EMERGENCY" && c.creator.name === DEMO.driver.name);
  const before = emergencies().length;

  await test.step("one tap and a cancel send nothing", async () => {
    await driver.getByTestId("emergency-button").click();
    await expect(driver.getByRole("alertdialog")).toContainText("Send an emergency alarm to control?");
    await driver.getByTestId("emergency-hold").click();
    await driver.getByTestId("emergency-cancel").click();
    await expect(driver.getByTestId("emergency-status")).toHaveCount(0);
    // A round trip on the same socket: had anything been created, control would have heard it first.
    await controller.call(controller.socket, "conversation:list", {});
    expect(emergencies().length).toBe(before);
  });

  await test.step("a completed hold: it goes out and the driver sees it sent", async () => {
    await raiseEmergency(driver);
    await expect.poll(() => emergencies().length).toBe(before + 1);
  });

  await test.step("control acknowledges: the driver sees who and when", async () => {
    const emergency = emergencies().at(-1);
    await controller.call(controller.socket, "emergency:acknowledge", { conversationId: emergency?.id ?? "" });
    await expect(driver.getByTestId("emergency-status-text")).toHaveText(new RegExp(`^Acknowledged by ${DEMO.control.name} \\d\\d:\\d\\d$`));
  });
});
