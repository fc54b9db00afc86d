import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "transit-demo";
export const DEMO = {
  driver: { email: "driver@demo.local", name: "Dana Driver" },
  regulator: { email: "regulator@demo.local", name: "Rafa Regulator" },
  control: { email: "control@demo.local", name: "Casey Control" },
  admin: { email: "admin@demo.local", name: "Alex Admin" },
} as const;

/** Signs a browser context in through next-auth's credentials endpoint (no form), setting the session cookie. */
export async function signInThroughApi(context: BrowserContext, email: string, password = DEMO_PASSWORD): Promise<void> {
  const csrf = await context.request.get("/api/auth/csrf");
  expect(csrf.ok()).toBe(true);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await context.request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, json: "true" },
    maxRedirects: 0,
  });
  expect(response.status(), await response.text()).toBeLessThan(400);
  const cookies = await context.cookies();
  expect(cookies.some((cookie) => cookie.name.endsWith("next-auth.session-token"))).toBe(true);
}

/** Waits until the page says it is connected (the server sent session:ready). */
export async function expectOnline(page: Page): Promise<void> {
  await expect(page.getByTestId("connection-state")).toHaveAttribute("data-state", "online");
}

/** Records every dialog (alert/confirm) a page opens, dismissing it. */
export function recordDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on("dialog", (dialog) => {
    seen.push(dialog.message());
    void dialog.dismiss();
  });
  return seen;
}

export interface OpenAsOptions {
  email: string;
  path: string;
  viewport: { width: number; height: number };
}

/**
 * `openAs` gives each user their own browser context, signed in through the API, on a page that is
 * online; every context is closed after the test so no page keeps listening into the next one.
 */
export const test = base.extend<{ openAs: (options: OpenAsOptions) => Promise<Page> }>({
  openAs: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async ({ email, path, viewport }) => {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      await signInThroughApi(context, email);
      const page = await context.newPage();
      await page.goto(path);
      await expectOnline(page);
      return page;
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export { expect };

/** Presses and holds a hold-to-confirm control for `ms` (a full hold is 1.5 s), then lets go. */
export async function pressAndHold(page: Page, testId: string, ms = 1900): Promise<void> {
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${testId} is not on screen`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(ms);
  await page.mouse.up();
}

/** The driver's SOS: open it and complete the hold. Resolves once the alarm's status is on screen. */
export async function raiseEmergency(page: Page): Promise<void> {
  await page.getByTestId("emergency-button").first().click();
  await pressAndHold(page, "emergency-hold");
  await expect(page.getByTestId("emergency-status-text")).toHaveText(/^Alarm sent — control notified \d\d:\d\d$/);
}
