// Fixtures for the field app's acceptance specs: the driver in a phone-sized browser context, and a
// controller speaking the realtime API directly (socket.io-client with a token), so these specs do not
// depend on the control dashboard.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { connectSocketIo, call, record, type ChatSocket } from "../../helpers/clients";
import type { ConversationView, MessageView } from "../../../lib/chat/types";
import { DEMO, DEMO_PASSWORD, expect, expectOnline, pressAndHold, signInThroughApi, test as base } from "../fixtures";

/** The smallest phone the issue targets. */
export const PHONE = { width: 360, height: 640 };
export const SHELL_CACHE = "field-shell-v1";

export interface Controller {
  socket: ChatSocket;
  conversations: ConversationView[];
  messages: MessageView[];
  /** Messages received in one conversation, in arrival order. */
  messagesIn(conversationId: string): MessageView[];
  call: typeof call;
}

async function connectController(baseURL: string): Promise<Controller> {
  const response = await fetch(`${baseURL}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: DEMO.control.email, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  const { token } = (await response.json()) as { token: string };
  const socket = await connectSocketIo(baseURL, { token });
  const conversations = record(socket, "conversation:new");
  const messages = record(socket, "message:new");
  return { socket, conversations, messages, messagesIn: (id) => messages.filter((m) => m.conversationId === id), call };
}

export async function openDriver(browser: Browser, options: { permissions?: string[]; colorScheme?: "light" | "dark" } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    permissions: options.permissions ?? [],
    colorScheme: options.colorScheme ?? "light",
  });
  await signInThroughApi(context, DEMO.driver.email);
  const page = await context.newPage();
  await page.goto("/field");
  await expectOnline(page);
  return { context, page };
}

export const test = base.extend<{ controller: Controller; driver: Page }>({
  controller: async ({ baseURL }, use) => {
    const controller = await connectController(baseURL ?? "");
    await use(controller);
    controller.socket.disconnect();
  },
  driver: async ({ browser }, use) => {
    const { context, page } = await openDriver(browser);
    await use(page);
    await context.close();
  },
});

export { DEMO, expect, expectOnline };

/** A title no other test uses, so specs sharing the server's database stay independent. */
export function uniqueTitle(prefix: string): string {
  return `${prefix} ${Math.random().toString(36).slice(2, 8)}`;
}

export function messageWithBody(page: Page, body: string) {
  return page.getByTestId("message").filter({ has: page.getByTestId("message-body").getByText(body, { exact: true }) });
}

/** Opens a conversation from the Contact support form and returns its id (from the URL). */
export async function contactSupport(page: Page, input: { category?: "general" | "driver" | "regulator" | "emergency"; title: string; body: string }): Promise<string> {
  await page.getByTestId("contact-support").click();
  if (input.category) await page.getByTestId(`category-${input.category}`).check();
  await page.getByTestId("contact-title").fill(input.title);
  await page.getByTestId("contact-body").fill(input.body);
  // An emergency goes out only through the hold; everything else through Send.
  if (input.category === "emergency") await pressAndHold(page, "contact-emergency-hold");
  else await page.getByTestId("contact-submit").click();
  await expect(page.getByTestId("conversation-view")).toBeVisible();
  await expect(page).toHaveURL(/\/field\?c=/);
  const id = new URL(page.url()).searchParams.get("c");
  expect(id).toBeTruthy();
  return id ?? "";
}

/** Waits until the service worker controls the page and holds a copy of /field for offline starts. */
export async function expectFieldCachedForOffline(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(async (cacheName) => {
        const registration = await navigator.serviceWorker.ready;
        const cache = await caches.open(cacheName);
        return Boolean(registration.active && navigator.serviceWorker.controller && (await cache.match("/field")));
      }, SHELL_CACHE),
    )
    .toBe(true);
}

/** Makes the page report itself hidden (as when the phone is locked), and tells the app. */
export async function hidePage(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

/** What the service worker was last asked to show (its test hook answers on a MessageChannel). */
export async function lastNotification(page: Page): Promise<{ title: string; body: string; tag: string } | null> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const channel = new MessageChannel();
    const answer = new Promise<{ notification: { title: string; body: string; tag: string } | null }>((resolve) => {
      channel.port1.onmessage = (event: MessageEvent<{ notification: { title: string; body: string; tag: string } | null }>) => resolve(event.data);
    });
    registration.active?.postMessage({ type: "last-notification" }, [channel.port2]);
    return (await answer).notification;
  });
}
