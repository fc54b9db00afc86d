import AxeBuilder from "@axe-core/playwright";
import { test, expect, DEMO, openControl } from "./control-fixtures";
import { signInThroughApi } from "../fixtures";

// Several browser contexts per test, and server-side timers (reminders, escalation).
test.describe.configure({ timeout: 120_000 });

test("admin: deactivating a driver disconnects their open page and refuses sign-in; it is audited", async ({ admin, open, browser, baseURL }) => {
  expect(admin.connected).toBe(true);
  const stamp = Date.now();
  const driverAccount = { email: `deb.${stamp}@demo.local`, name: `Deb Deactivate ${stamp}`, password: "deb-password-1" };
  const adminPage = await open.control(DEMO.admin.email);

  await test.step("the admin creates a driver in the admin UI", async () => {
    await adminPage.getByTestId("admin-link").click();
    await expect(adminPage.getByRole("heading", { name: "Administration" })).toBeVisible();
    await expect(adminPage.getByTestId("connection-state")).toHaveAttribute("data-state", "online");
    await adminPage.getByTestId("create-user-open").click();
    await adminPage.getByTestId("new-user-name").fill(driverAccount.name);
    await adminPage.getByTestId("new-user-email").fill(driverAccount.email);
    await adminPage.getByTestId("new-user-role").selectOption("BUS_DRIVER");
    await adminPage.getByTestId("new-user-password").fill(driverAccount.password);
    await adminPage.getByTestId("new-user-vehicle").fill("Bus 77");
    await adminPage.getByTestId("create-user-submit").click();
    await expect(adminPage.getByTestId("admin-status")).toHaveText(`Created ${driverAccount.email}.`);
    await adminPage.getByTestId("user-search").fill(driverAccount.email);
    await expect(adminPage.locator(`[data-testid="user-row"][data-email="${driverAccount.email}"]`)).toHaveAttribute("data-active", "true");
  });

  const driver = await open.field(driverAccount.email, driverAccount.password);
  await expect(driver.getByTestId("signed-in-as")).toContainText(driverAccount.name);

  await test.step("deactivation disconnects the driver's open page", async () => {
    const row = adminPage.locator(`[data-testid="user-row"][data-email="${driverAccount.email}"]`);
    await row.getByTestId("user-deactivate").click();
    await expect(adminPage.getByTestId("confirm-dialog")).toContainText(`Deactivate ${driverAccount.name}?`);
    await adminPage.getByTestId("confirm-ok").click();
    await expect(row).toHaveAttribute("data-active", "false");
    await expect(driver.getByTestId("connection-state")).toHaveAttribute("data-state", "offline");
  });

  await test.step("signing in again is refused", async () => {
    const context = await browser.newContext();
    try {
      await expect(signInThroughApi(context, driverAccount.email, driverAccount.password)).rejects.toThrow();
      const token = await fetch(`${baseURL ?? ""}/api/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: driverAccount.email, password: driverAccount.password }),
      });
      expect(token.status).toBe(401);
    } finally {
      await context.close();
    }
  });

  await test.step("the audit list shows the creation and the deactivation", async () => {
    await adminPage.getByTestId("admin-tab-audit").click();
    const audit = adminPage.getByTestId("audit-table");
    await expect(audit.getByTestId("audit-row").filter({ hasText: "Account deactivated" }).filter({ hasText: driverAccount.email }).first()).toBeVisible();
    await expect(audit.getByTestId("audit-row").filter({ hasText: "Account created" }).filter({ hasText: driverAccount.email }).first()).toBeVisible();
  });

  await test.step("the admin page passes axe", async () => {
    const results = await new AxeBuilder({ page: adminPage }).analyze();
    expect(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  });
});

test("admin: the admin page is for CONTROL_ADMIN only", async ({ browser }) => {
  const { context, page } = await openControl(browser, DEMO.control.email);
  try {
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/forbidden/);
  } finally {
    await context.close();
  }
});
