import type { Page } from "@playwright/test";
import { expect, signInThroughApi, test, DEMO, DEMO_PASSWORD } from "../fixtures";
import { XSS_PAYLOADS } from "../../helpers/xss-corpus";
import { connect, send, tokenFor } from "../api-client";

// The security pass's XSS corpus: at least 50 hostile strings sent as message text, as a conversation
// title and as account names render as inert text in both UIs. Every payload tries to set
// window.__xss or open a dialog; the test fails if either happens or if a payload became markup.

const PAYLOADS = XSS_PAYLOADS;

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
