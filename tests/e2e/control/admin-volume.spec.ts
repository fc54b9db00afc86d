import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { startShiftServer, signedInPage, type ShiftServer } from "../../helpers/shift-server";

// The admin screens at a city's size: 500+ accounts and a shift's audit record, on a server of its
// own (seeded in bulk before it starts). Account changes ask first, naming the person; the user list
// pages and searches on the server; the audit record names people and conversations, never raw ids.
base.describe.configure({ mode: "serial", timeout: 240_000 });

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
let shift: ShiftServer;

base.beforeAll(async () => {
  base.setTimeout(240_000);
  shift = await startShiftServer({ extraUsers: 500, openConversations: 12 });
});
base.afterAll(async () => {
  await shift?.close();
});

const test = base.extend<{ admin: Page }>({
  admin: async ({ browser }, use) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      await use(await signedInPage(context, shift.server.url, "admin@demo.local", "/admin"));
    } finally {
      await context.close();
    }
  },
});

function row(page: Page, email: string) {
  return page.locator(`[data-testid="user-row"][data-email="${email}"]`);
}

async function rangeTotal(page: Page): Promise<number> {
  const text = (await page.getByTestId("users-range").textContent()) ?? "";
  const match = /of (\d+)/.exec(text);
  if (!match) throw new Error(`no total in "${text}"`);
  return Number(match[1]);
}

test("the user list pages through 500+ accounts by name and searches on the server", async ({ admin }) => {
  await expect(admin.getByTestId("users-range")).toHaveText(/^1–50 of \d+$/);
  const total = await rangeTotal(admin);
  expect(total).toBeGreaterThanOrEqual(500);
  await expect(admin.getByTestId("user-row")).toHaveCount(50);
  const firstPage = await admin.getByTestId("user-row").locator("td:first-child").allTextContents();
  expect(firstPage).toEqual([...firstPage].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })));

  await admin.getByTestId("users-next").click();
  await expect(admin.getByTestId("users-range")).toHaveText(`51–100 of ${total}`);
  await expect(admin.getByTestId("user-row")).toHaveCount(50);
  const secondPage = await admin.getByTestId("user-row").locator("td:first-child").allTextContents();
  expect(secondPage.some((name) => firstPage.includes(name))).toBe(false);

  await admin.getByTestId("user-search").fill("staff0420");
  await expect(admin.getByTestId("users-range")).toHaveText("1–1 of 1");
  await expect(admin.getByTestId("user-row")).toHaveCount(1);
  await expect(row(admin, "staff0420@fleet.local")).toBeVisible();

  await admin.getByTestId("user-search").fill("kowalski");
  await expect(admin.getByTestId("users-range")).toHaveText(/^1–50 of \d+$/);
  const matches = await rangeTotal(admin);
  expect(matches).toBeGreaterThan(0);
  expect(matches).toBeLessThan(total);
  for (const name of await admin.getByTestId("user-row").locator("td:first-child").allTextContents()) expect(name).toMatch(/kowalski/i);

  await admin.getByTestId("user-search").fill("");
  await admin.getByTestId("user-role-filter").selectOption("QUEUE_REGULATOR");
  await expect(admin.getByTestId("users-range")).toHaveText(/^1–50 of \d+$/);
  expect(new Set(await admin.getByTestId("user-role").evaluateAll((els) => els.map((el) => (el as HTMLSelectElement).value)))).toEqual(new Set(["QUEUE_REGULATOR"]));

  await admin.getByTestId("user-search").fill("no such person anywhere");
  await expect(admin.getByTestId("users-empty")).toBeVisible();
});

test("deactivate, role change and password reset ask first, naming the person; Cancel changes nothing", async ({ admin }) => {
  const email = "staff0003@fleet.local";
  await admin.getByTestId("user-search").fill(email);
  const target = row(admin, email);
  await expect(target).toHaveAttribute("data-active", "true");
  const name = (await target.locator("td:first-child").textContent()) ?? "";
  expect(name).not.toBe("");

  await test.step("deactivate: Cancel keeps the account, Confirm deactivates it", async () => {
    await target.getByTestId("user-deactivate").click();
    await expect(admin.getByTestId("confirm-dialog")).toContainText(`Deactivate ${name}?`);
    await expect(admin.getByTestId("confirm-dialog")).toContainText(email);
    await admin.getByTestId("confirm-cancel").click();
    await expect(admin.getByTestId("confirm-dialog")).toBeHidden();
    await expect(target).toHaveAttribute("data-active", "true");
    await target.getByTestId("user-deactivate").click();
    await admin.getByTestId("confirm-ok").click();
    await expect(target).toHaveAttribute("data-active", "false");
    await expect(admin.getByTestId("admin-status")).toHaveText(`${name} deactivated.`);
  });

  await test.step("role change names the person and both roles; Cancel puts the choice back", async () => {
    const before = await target.getByTestId("user-role").inputValue();
    const next = before === "CONTROL_STAFF" ? "QUEUE_REGULATOR" : "CONTROL_STAFF";
    await target.getByTestId("user-role").selectOption(next);
    await target.getByTestId("user-set-role").click();
    const dialog = admin.getByTestId("confirm-dialog");
    await expect(dialog).toContainText(`Change ${name}'s role?`);
    await expect(dialog).toContainText(next === "CONTROL_STAFF" ? "to Control staff" : "to Queue regulator");
    await admin.getByTestId("confirm-cancel").click();
    await expect(target.getByTestId("user-role")).toHaveValue(before);
    await target.getByTestId("user-role").selectOption(next);
    await target.getByTestId("user-set-role").click();
    await admin.getByTestId("confirm-ok").click();
    await expect(admin.getByTestId("admin-status")).toHaveText(new RegExp(`^${name} is now `));
    await expect(target.getByTestId("user-role")).toHaveValue(next);
  });

  await test.step("password reset names the person", async () => {
    await target.getByTestId("user-new-password").fill("a-new-password-1");
    await target.getByTestId("user-reset-password").click();
    await expect(admin.getByTestId("confirm-dialog")).toContainText(`Reset ${name}'s password?`);
    await admin.getByTestId("confirm-ok").click();
    await expect(admin.getByTestId("admin-status")).toHaveText(`Password reset for ${name}.`);
  });

  await test.step("the audit record shows those changes with the person's name, not an id", async () => {
    await admin.getByTestId("admin-tab-audit").click();
    await admin.getByTestId("audit-search").fill(name);
    await expect(admin.getByTestId("audit-table")).toHaveAttribute("data-query", name);
    const rows = admin.getByTestId("audit-row");
    await expect(rows.filter({ hasText: "Account deactivated" })).toHaveCount(1);
    await expect(rows.filter({ hasText: "Role changed" })).toHaveCount(1);
    await expect(rows.filter({ hasText: "Password reset" })).toHaveCount(1);
    await expect(rows.filter({ hasText: "Account deactivated" }).getByTestId("audit-subject")).toHaveText(`${name} (${email})`);
  });
});

test("the audit record names conversations by title, pages to older entries and searches", async ({ admin }) => {
  await admin.getByTestId("admin-tab-audit").click();
  const rows = admin.getByTestId("audit-row");
  await expect(rows).toHaveCount(50);
  for (const subject of await admin.getByTestId("audit-subject").allTextContents()) expect(subject).not.toMatch(UUID);
  await admin.getByTestId("audit-more").click();
  await expect(rows).toHaveCount(100);

  await admin.getByTestId("audit-search").fill(shift.fixture.historyTitle);
  await expect(admin.getByTestId("audit-table")).toHaveAttribute("data-query", shift.fixture.historyTitle);
  await expect(rows.filter({ hasText: "Conversation taken" }).first()).toBeVisible();
  for (const subject of await admin.getByTestId("audit-subject").allTextContents()) expect(subject).toBe(`“${shift.fixture.historyTitle}”`);

  await admin.getByTestId("audit-search").fill("emergency");
  await expect(admin.getByTestId("audit-table")).toHaveAttribute("data-query", "emergency");
  await expect(rows.filter({ hasText: "Emergency raised" })).toHaveCount(shift.fixture.emergencyTitles.length);

  await admin.reload();
  await expect(admin.getByTestId("audit-table")).toBeVisible();
});

for (const theme of ["light", "dark"] as const) {
  test(`axe: users and audit views have no serious or critical violations (${theme})`, async ({ admin }) => {
    await admin.getByTestId("theme-toggle").selectOption(theme);
    await expect(admin.locator("html")).toHaveAttribute("data-theme", theme);
    for (const tab of ["users", "audit"] as const) {
      await admin.getByTestId(`admin-tab-${tab}`).click();
      await expect(admin.getByTestId(tab === "users" ? "users-table" : "audit-table")).toBeVisible();
      const results = await new AxeBuilder({ page: admin }).analyze();
      expect(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${tab}: ${v.id}`)).toEqual([]);
    }
  });
}
