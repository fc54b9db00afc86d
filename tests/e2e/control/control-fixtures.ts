// Fixtures for the control dashboard specs: controller contexts A and B on /control, a driver (or
// regulator) context on /field, and a realtime API client (socket.io-client with a token) for setup,
// races and cleanup. Each test starts from an empty queue, so counts are exact.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { connectSocketIo, call, callPaced, type ChatSocket } from "../../helpers/clients";
import type { Category, ConversationView } from "../../../lib/chat/types";
import { DEMO, DEMO_PASSWORD, expect, expectOnline, signInThroughApi, test as base } from "../fixtures";

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** The second controller, created by the admin (idempotently) for these specs. */
export const STAFF_B = { email: "blake.backup@demo.local", name: "Blake Backup", password: "transit-demo-b" };

/** Records what the dashboard announces: browser notifications and alert sounds. */
const RECORDERS = `
  window.__notifications = [];
  window.__sounds = [];
  window.addEventListener("control-sound", (event) => window.__sounds.push(event.detail));
  class RecordingNotification {
    static permission = "granted";
    static requestPermission() { return Promise.resolve("granted"); }
    constructor(title, options) { window.__notifications.push({ title, body: options && options.body, tag: options && options.tag }); }
    close() {}
  }
  window.Notification = RecordingNotification;
`;

export async function tokenFor(baseURL: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const response = await fetch(`${baseURL}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status, `token for ${email}`).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

export async function apiAs(baseURL: string, email: string, password = DEMO_PASSWORD): Promise<ChatSocket> {
  return connectSocketIo(baseURL, { token: await tokenFor(baseURL, email, password) });
}

/** Creates STAFF_B once (CONFLICT when it exists is fine). */
export async function ensureStaffB(admin: ChatSocket): Promise<void> {
  try {
    await call(admin, "user:create", { email: STAFF_B.email, name: STAFF_B.name, role: "CONTROL_STAFF", password: STAFF_B.password });
  } catch (error) {
    if (!String(error).includes("CONFLICT") && !/already|taken|exists/i.test(String(error))) throw error;
  }
}

/** Acknowledges every open emergency and resolves every open conversation, so the next test starts empty. */
export async function clearQueue(admin: ChatSocket): Promise<void> {
  const { conversations } = await callPaced(admin, "conversation:list", { status: "open" });
  // Paced: a volume spec leaves dozens, more than one user's rate limit allows at once.
  for (const c of conversations) {
    if (c.category === "EMERGENCY" && !c.emergencyAck) await callPaced(admin, "emergency:acknowledge", { conversationId: c.id });
    await callPaced(admin, "conversation:resolve", { conversationId: c.id });
  }
}

export async function createConversationAs(socket: ChatSocket, category: Category, title: string, body: string): Promise<ConversationView> {
  const { conversation } = await call(socket, "conversation:create", { category, title, body });
  return conversation;
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
}

export async function openControl(browser: Browser, email: string, password = DEMO_PASSWORD): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: DESKTOP });
  await context.addInitScript(RECORDERS);
  await signInThroughApi(context, email, password);
  const page = await context.newPage();
  await page.goto("/control");
  await expectOnline(page);
  return { context, page };
}

export async function openField(browser: Browser, email: string, password = DEMO_PASSWORD): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: PHONE });
  await signInThroughApi(context, email, password);
  const page = await context.newPage();
  await page.goto("/field");
  await expectOnline(page);
  return { context, page };
}

/** Playwright pages are always visible: make the dashboard believe its tab went to the background. */
export async function sendToBackground(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

export async function notifications(page: Page): Promise<{ title: string; body?: string; tag?: string }[]> {
  return page.evaluate(() => (window as unknown as { __notifications: { title: string; body?: string; tag?: string }[] }).__notifications);
}

export async function sounds(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __sounds: string[] }).__sounds);
}

export function queueItem(page: Page, title: string) {
  return page.getByTestId("queue-item").filter({ hasText: title });
}

/** A category chip above the queue ("all" = every support request, the seed's general_support). */
export function filterChip(page: Page, name: "all" | "GENERAL" | "DRIVER" | "REGULATOR" | "EMERGENCY") {
  return page.getByTestId(`filter-${name}`);
}

/** The "alert me for this room" checkbox, in the Rooms popover (opened if needed). */
export async function monitorCheckbox(page: Page, name: "general_support" | "driver_support" | "regulator_support" | "emergency_support") {
  const menu = page.getByTestId("monitor-menu");
  if (!(await menu.isVisible())) await page.getByTestId("monitor-open").click();
  await expect(menu).toBeVisible();
  return menu.getByTestId(`room-${name}`).getByTestId("room-monitor");
}

/** The driver contacts support through the field app's form. */
export async function contactSupport(page: Page, category: "driver" | "regulator" | "general", title: string, body: string): Promise<void> {
  await page.getByTestId("contact-support").click();
  await page.getByTestId(`category-${category}`).check();
  await page.getByTestId("contact-title").fill(title);
  await page.getByTestId("contact-body").fill(body);
  await page.getByTestId("contact-submit").click();
  await expect(page.getByTestId("conversation-view")).toBeVisible();
}

interface ControlFixtures {
  admin: ChatSocket;
  open: {
    control(email?: string, password?: string): Promise<Page>;
    staffB(): Promise<Page>;
    field(email?: string, password?: string): Promise<Page>;
  };
}

export const test = base.extend<ControlFixtures>({
  admin: async ({ baseURL }, use) => {
    const url = baseURL ?? "";
    const admin = await apiAs(url, DEMO.admin.email);
    await ensureStaffB(admin);
    await clearQueue(admin);
    await use(admin);
    await clearQueue(admin).catch(() => undefined);
    admin.disconnect();
  },
  open: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    const track = async (opened: Promise<OpenedPage>) => {
      const { context, page } = await opened;
      contexts.push(context);
      return page;
    };
    await use({
      control: (email = DEMO.control.email, password = DEMO_PASSWORD) => track(openControl(browser, email, password)),
      staffB: () => track(openControl(browser, STAFF_B.email, STAFF_B.password)),
      field: (email = DEMO.driver.email, password = DEMO_PASSWORD) => track(openField(browser, email, password)),
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export { expect, DEMO, DEMO_PASSWORD, call, callPaced };
