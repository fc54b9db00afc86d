import { io, type Socket } from "socket.io-client";
import type { Page } from "@playwright/test";
import { expect, signInThroughApi, test, DEMO, DEMO_PASSWORD } from "../fixtures";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";

// The security pass's XSS corpus: at least 50 hostile strings sent as message text, as a conversation
// title and as account names render as inert text in both UIs. Every payload tries to set
// window.__xss or open a dialog; the test fails if either happens or if a payload became markup.

const ACTIONS = ["window.__xss=1", "alert(1)", "top.__xss=1", "confirm(1)"];
const PAYLOADS: string[] = [
  "<img src=x onerror=window.__xss=1>",
  "<script>window.__xss=1</script>",
  "<svg onload=window.__xss=1>",
  "<svg><script>window.__xss=1</script></svg>",
  "<iframe src=javascript:window.__xss=1>",
  "<iframe srcdoc='<script>parent.__xss=1</script>'>",
  "<body onload=window.__xss=1>",
  "<details open ontoggle=window.__xss=1>",
  "<video><source onerror=window.__xss=1>",
  "<audio src=x onerror=window.__xss=1>",
  "<input autofocus onfocus=window.__xss=1>",
  "<select autofocus onfocus=window.__xss=1>",
  "<textarea autofocus onfocus=window.__xss=1>",
  "<marquee onstart=window.__xss=1>",
  "<object data=javascript:window.__xss=1>",
  "<embed src=javascript:window.__xss=1>",
  "<a href=javascript:window.__xss=1>tap me</a>",
  "<form action=javascript:window.__xss=1><button>go</button></form>",
  "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
  "<noscript><p title=\"</noscript><img src=x onerror=window.__xss=1>\">",
  "\"><img src=x onerror=window.__xss=1>",
  "'><svg onload=window.__xss=1>",
  "</textarea><script>window.__xss=1</script>",
  "</title><script>window.__xss=1</script>",
  "<style>@import 'javascript:window.__xss=1';</style>",
  "<link rel=stylesheet href=javascript:window.__xss=1>",
  "<meta http-equiv=refresh content='0;url=javascript:window.__xss=1'>",
  "<base href=javascript:window.__xss=1//>",
  "<img src=\"x\" onerror=\"&#119;indow.__xss=1\">",
  "<img src=x onerror=eval(atob('d2luZG93Ll9feHNzPTE='))>",
  "<IMG SRC=x ONERROR=window.__xss=1>",
  "<img/src/onerror=window.__xss=1>",
  "<img src=x:alert(1) onerror=eval(src)>",
  "javascript:window.__xss=1",
  "data:text/html,<script>window.__xss=1</script>",
  "{{constructor.constructor('window.__xss=1')()}}",
  "${window.__xss=1}",
  "<div style=\"background:url(javascript:window.__xss=1)\">x</div>",
  "<x onmouseover=window.__xss=1>hover</x>",
  "<p onclick=window.__xss=1>click</p>",
  "<template><img src=x onerror=window.__xss=1></template>",
  "<isindex action=javascript:window.__xss=1 type=image>",
  "<table background=javascript:window.__xss=1>",
  "<svg><a xlink:href=javascript:window.__xss=1><text x=0 y=20>x</text></a></svg>",
  "<svg><animate onbegin=window.__xss=1 attributeName=x dur=1s>",
  "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
  "%3Cscript%3Ewindow.__xss=1%3C/script%3E",
  "&lt;script&gt;window.__xss=1&lt;/script&gt;",
  "<!--<img src=x onerror=window.__xss=1>-->",
  "\u202e<img src=x onerror=window.__xss=1>",
  ...ACTIONS.map((action) => `<img src=x onerror="${action}">`),
];

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

async function tokenFor(baseURL: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseURL}/api/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function connect(baseURL: string, token: string): Promise<Client> {
  const socket: Client = io(baseURL, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("session:ready", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

/** Emits and retries on RATE_LIMITED (same payload and client id), failing on any other error. */
async function send<E extends keyof ClientToServerEvents>(socket: Client, event: E, input: unknown): Promise<unknown> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const ack = (await (socket.timeout(10_000) as unknown as { emitWithAck: (e: string, i: unknown) => Promise<{ ok: boolean; data?: unknown; error?: { code: string; details?: { retryAfterMs?: number } } }> }).emitWithAck(event, input));
    if (ack.ok) return ack.data;
    if (ack.error?.code !== "RATE_LIMITED") throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    await new Promise((resolve) => setTimeout(resolve, (ack.error?.details?.retryAfterMs ?? 100) + 50));
  }
  throw new Error(`${event}: still rate limited`);
}

test("the XSS corpus renders as text in the dashboard and the field app", async ({ browser, baseURL }) => {
  test.slow();
  expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
  const base = baseURL ?? "";
  const admin = await connect(base, await tokenFor(base, DEMO.admin.email, DEMO_PASSWORD));
  const password = "xss-corpus-password";
  const nameSuffix = Date.now().toString(36);
  const hostileName = `<img src=x onerror=window.__xss=1> ${nameSuffix}`;
  const email = `xss-${nameSuffix}@test.local`;
  await send(admin, "user:create", { email, name: hostileName, role: "BUS_DRIVER", password, vehicle: "<b>Bus</b>", route: "<i>7</i>" });
  admin.disconnect();

  // Two conversations of at most 30 messages, so that one history page shows each whole.
  const driver = await connect(base, await tokenFor(base, email, password));
  const half = Math.ceil(PAYLOADS.length / 2);
  const groups = [PAYLOADS.slice(0, half), PAYLOADS.slice(half)];
  const titles = groups.map((_, group) => `<script>window.__xss=1</script> ${nameSuffix}-${group}`);
  for (const [group, payloads] of groups.entries()) {
    const created = (await send(driver, "conversation:create", { title: titles[group], body: payloads[0], clientId: `xss-${group}-0-${nameSuffix}` })) as { conversation: { id: string } };
    for (const [index, payload] of payloads.entries()) {
      if (index === 0) continue;
      await send(driver, "message:send", { conversationId: created.conversation.id, body: payload, clientId: `xss-${group}-${index}-${nameSuffix}` });
    }
  }
  driver.disconnect();

  const check = async (page: Page, payloads: string[], dialogs: string[]) => {
    const bodies = page.getByTestId("message-body");
    await expect(bodies.filter({ hasText: payloads[payloads.length - 1] as string })).toHaveCount(1);
    const shown = await bodies.allTextContents();
    for (const payload of payloads) expect(shown, `payload shown literally: ${payload}`).toContain(payload);
    // No payload became markup: nothing inside the message list but the app's own elements.
    expect(await page.getByTestId("message-list").locator("img, script, svg, iframe, object, embed, video, audio, input, select, textarea, marquee, details, form, math, template, style, link, meta, base").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
  };

  const controlContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const fieldContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    await signInThroughApi(controlContext, DEMO.control.email);
    const control = await controlContext.newPage();
    const controlDialogs: string[] = [];
    control.on("dialog", (dialog) => void dialog.dismiss().then(() => controlDialogs.push(dialog.message())));
    await control.goto("/control");
    for (const [group, payloads] of groups.entries()) {
      const row = control.getByTestId("queue-item").filter({ hasText: `${nameSuffix}-${group}` });
      await expect(row).toHaveCount(1);
      await expect(row).toContainText(hostileName);
      await expect(row).toContainText(titles[group] as string);
      await row.click();
      await check(control, payloads, controlDialogs);
    }

    await signInThroughApi(fieldContext, email, password);
    const field = await fieldContext.newPage();
    const fieldDialogs: string[] = [];
    field.on("dialog", (dialog) => void dialog.dismiss().then(() => fieldDialogs.push(dialog.message())));
    for (const [group, payloads] of groups.entries()) {
      await field.goto("/field");
      const item = field.getByTestId("conversation-item").filter({ hasText: `${nameSuffix}-${group}` });
      await expect(item).toContainText(titles[group] as string);
      await item.click();
      await check(field, payloads, fieldDialogs);
    }
  } finally {
    await controlContext.close();
    await fieldContext.close();
  }
});
