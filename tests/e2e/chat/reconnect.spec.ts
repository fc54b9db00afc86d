import { DEMO, expect, expectOnline, test } from "../fixtures";

test("after a connection loss the driver's queued message goes out and missed replies arrive", async ({ openAs }) => {
  const control = await openAs({ email: DEMO.control.email, path: "/control", viewport: { width: 1280, height: 800 } });
  const driver = await openAs({ email: DEMO.driver.email, path: "/field", viewport: { width: 390, height: 844 } });
  const driverContext = driver.context();

  const title = "Flat tyre at the depot";
  await driver.getByTestId("contact-support").click();
  await driver.getByTestId("contact-title").fill(title);
  await driver.getByTestId("contact-body").fill("Front left tyre is flat.");
  await driver.getByTestId("contact-submit").click();
  await control.getByTestId("queue-item").filter({ hasText: title }).click();
  await expect(control.getByTestId("workspace-title")).toHaveText(title);

  await driverContext.setOffline(true);
  await expect(driver.getByTestId("connection-state")).toHaveAttribute("data-state", "no-signal");
  await driver.getByTestId("composer-input").fill("Sent while offline");
  await driver.getByTestId("composer-send").click();
  const queued = driver.getByTestId("message").filter({ hasText: "Sent while offline" });
  await expect(queued.getByTestId("message-state")).toHaveText("waiting to send");

  await control.getByTestId("composer-input").fill("Reply while you were away");
  await control.getByTestId("composer-send").click();

  await driverContext.setOffline(false);
  await expectOnline(driver);
  await expect(driver.getByTestId("message-body").getByText("Reply while you were away", { exact: true })).toHaveCount(1);
  await expect(control.getByTestId("message-body").getByText("Sent while offline", { exact: true })).toHaveCount(1);
  await expect(queued).toHaveCount(1);
  await expect(queued.getByTestId("message-state")).not.toHaveText("waiting to send");
});
