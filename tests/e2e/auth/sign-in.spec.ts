import { expect, test, type Page } from "@playwright/test";
import { DEMO, DEMO_PASSWORD, signInThroughApi } from "../fixtures";

async function signInWithForm(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.describe("sign-in", () => {
  test("a driver signs in and lands on the field app", async ({ page }) => {
    await signInWithForm(page, DEMO.driver.email, DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/field$/);
    await expect(page.getByRole("heading", { name: "Field support" })).toBeVisible();
    await expect(page.getByTestId("signed-in-as")).toHaveText(`Signed in as ${DEMO.driver.name}`);
  });

  test("control staff sign in and land on the control dashboard", async ({ page }) => {
    await signInWithForm(page, DEMO.control.email, DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/control$/);
    await expect(page.getByRole("heading", { name: "Transit Control" })).toBeVisible();
    await expect(page.getByTestId("signed-in-as")).toHaveText(`Signed in as ${DEMO.control.name} · Control staff`);
  });

  test("a driver opening /control is sent to the 403 page", async ({ page, context }) => {
    await signInThroughApi(context, DEMO.driver.email);
    await page.goto("/control");
    await expect(page).toHaveURL(/\/forbidden/);
    await expect(page.getByRole("heading", { name: /403/ })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Transit Control" })).toHaveCount(0);
  });

  test("a wrong password shows an error and stays on sign-in", async ({ page }) => {
    await signInWithForm(page, DEMO.driver.email, "not-the-password");
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
    await expect(page).toHaveURL(/\/signin/);
  });
});
