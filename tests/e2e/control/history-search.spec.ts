import { test as base, expect, type Page } from "@playwright/test";
import { startShiftServer, signedInPage, type ShiftServer } from "../../helpers/shift-server";
import { XSS_PAYLOADS } from "../../helpers/xss-corpus";
import { connect, send, tokenFor } from "../api-client";
import { DEMO_PASSWORD } from "../fixtures";

// History search at a shift's volume (44 open conversations, 3 emergencies, a resolved conversation of
// three days ago with 150 messages): a word of an old message that no browser holds is found on the
// server, and choosing the result opens the thread at that message. The XSS corpus stays inert in
// results.
base.describe.configure({ mode: "serial", timeout: 240_000 });

let shift: ShiftServer;

base.beforeAll(async () => {
  base.setTimeout(240_000);
  shift = await startShiftServer({ openConversations: 44, emergencies: 3 });
});
base.afterAll(async () => {
  await shift?.close();
});

const test = base.extend<{ control: Page }>({
  control: async ({ browser }, use) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      await use(await signedInPage(context, shift.server.url, "control@demo.local", "/control"));
    } finally {
      await context.close();
    }
  },
});

test("a word of a message from three days ago, held by no browser, is found and opens the thread at that message", async ({ control }) => {
  const { archive } = shift.fixture;
  // Not in the queue (resolved three days ago) and not in the page.
  await expect(control.locator(`[data-testid="queue-item"][data-conversation-id="${archive.conversationId}"]`)).toHaveCount(0);
  await expect(control.getByText(archive.body)).toHaveCount(0);

  await control.keyboard.press("f");
  const dialog = control.getByTestId("history-search");
  await expect(dialog).toBeVisible();
  await expect(control.getByTestId("history-query")).toBeFocused();
  await control.getByTestId("history-query").fill(archive.word);
  const hits = control.getByTestId("history-hit");
  await expect(hits).toHaveCount(1);
  const hit = hits.first();
  await expect(hit).toHaveAttribute("data-conversation-id", archive.conversationId);
  await expect(hit).toHaveAttribute("data-sequence", String(archive.sequence));
  await expect(hit).toContainText(archive.title);
  await expect(hit).toContainText("resolved");
  await expect(hit.locator("mark")).toHaveText([archive.word]);

  // A filter that excludes it: open conversations only.
  await control.getByTestId("history-status").selectOption("open");
  await expect(control.getByTestId("history-state")).toHaveText("No message matches.");
  await control.getByTestId("history-status").selectOption("resolved");
  await expect(hits).toHaveCount(1);

  await hit.click();
  await expect(dialog).toHaveCount(0);
  await expect(control.getByTestId("workspace-title")).toHaveText(archive.title);
  const message = control.locator(`[data-testid="message"][data-sequence="${archive.sequence}"]`);
  await expect(message).toHaveAttribute("data-focused", "true");
  await expect(message.getByTestId("message-body")).toHaveText(archive.body);
  await expect(message).toBeInViewport();
  // The thread around it is there too: the message list holds everything from it to the newest.
  await expect(control.locator('[data-testid="message"][data-sequence="150"]')).toHaveCount(1);
});

test("search results render the XSS corpus as text", async ({ control }) => {
  const baseUrl = shift.server.url;
  const driver = await connect(baseUrl, await tokenFor(baseUrl, "driver@demo.local", DEMO_PASSWORD));
  const tag = `zebrafinch${Date.now().toString(36)}`;
  try {
    const created = (await send(driver, "conversation:create", { title: `Corpus ${tag}`, body: `${tag} ${XSS_PAYLOADS[0]}`, clientId: `${tag}-0` })) as { conversation: { id: string } };
    for (const [index, payload] of XSS_PAYLOADS.slice(1, 20).entries()) {
      await send(driver, "message:send", { conversationId: created.conversation.id, body: `${tag} ${payload}`, clientId: `${tag}-${index + 1}` });
    }
  } finally {
    driver.disconnect();
  }
  const dialogs: string[] = [];
  control.on("dialog", (dialog) => void dialog.dismiss().then(() => dialogs.push(dialog.message())));
  await control.getByTestId("history-search-open").click();
  await control.getByTestId("history-query").fill(tag);
  await expect(control.getByTestId("history-hit")).toHaveCount(20);
  const snippets = await control.getByTestId("history-snippet").allTextContents();
  for (const payload of XSS_PAYLOADS.slice(0, 20)) {
    expect(snippets.some((text) => text.includes(payload)), `shown literally: ${payload}`).toBe(true);
  }
  const dangerous = "img, script, svg, iframe, object, embed, video, audio, input, select, textarea, marquee, details, form, math, template, style, link, meta, base, a";
  expect(await control.locator('[data-testid="history-hit"]').locator(dangerous).count()).toBe(0);
  expect(await control.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
});
