import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { signInThroughApi } from "../fixtures";
import { contactSupport, expect, expectFieldCachedForOffline, hidePage, lastNotification, openDriver, test, uniqueTitle, DEMO } from "./field-fixtures";

interface Manifest {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  theme_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString("ascii")).toBe("PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test("the manifest is complete and Chromium finds the app installable", async ({ driver, playwright, baseURL }, testInfo) => {
  const href = await driver.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/manifest.webmanifest");
  const response = await driver.request.get("/manifest.webmanifest");
  expect(response.ok()).toBe(true);
  const manifest = (await response.json()) as Manifest;
  expect(manifest).toMatchObject({ start_url: "/field", display: "standalone", theme_color: "#0f766e" });
  expect(manifest.name.length).toBeGreaterThan(0);
  expect(manifest.short_name.length).toBeGreaterThan(0);

  const expected = [
    { sizes: "192x192", purpose: "any" },
    { sizes: "512x512", purpose: "any" },
    { sizes: "512x512", purpose: "maskable" },
  ];
  for (const { sizes, purpose } of expected) {
    const icon = manifest.icons.find((i) => i.sizes === sizes && (i.purpose ?? "any") === purpose && i.type === "image/png");
    expect(icon, `${sizes} ${purpose} PNG icon`).toBeDefined();
    const image = await driver.request.get(icon?.src ?? "");
    expect(image.headers()["content-type"]).toBe("image/png");
    const [width, height] = sizes.split("x").map(Number);
    expect(pngSize(await image.body())).toEqual({ width, height });
  }

  // Test contexts are incognito, which Chromium never offers to install from: ask a persistent profile.
  const profile = await mkdtemp(path.join(os.tmpdir(), "field-install-"));
  const persistent = await playwright.chromium.launchPersistentContext(profile, { ...testInfo.project.use.launchOptions, baseURL, viewport: { width: 360, height: 640 } });
  try {
    await signInThroughApi(persistent, DEMO.driver.email);
    const page = persistent.pages()[0] ?? (await persistent.newPage());
    await page.goto("/field");
    await expectFieldCachedForOffline(page);
    const cdp = await persistent.newCDPSession(page);
    const manifestReport = (await cdp.send("Page.getAppManifest")) as { errors: { message: string }[] };
    expect(manifestReport.errors).toEqual([]);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
  } finally {
    await persistent.close();
    await rm(profile, { recursive: true, force: true });
  }
});

test("the service worker is registered and serves the offline page when a page cannot be reached", async ({ driver }) => {
  await expectFieldCachedForOffline(driver);
  const scriptURL = await driver.evaluate(async () => (await navigator.serviceWorker.getRegistration("/"))?.active?.scriptURL ?? null);
  expect(scriptURL).toMatch(/\/sw\.js$/);

  await driver.context().setOffline(true);
  await driver.goto("/signin");
  await expect(driver.getByTestId("offline-page")).toBeVisible();
  await expect(driver.getByRole("heading", { level: 1 })).toHaveText("No connection");

  await test.step("the field app itself still starts from the saved copy", async () => {
    await driver.getByRole("link", { name: "Open the field app" }).click();
    await expect(driver.getByTestId("signed-in-as")).toHaveText(`Signed in as ${DEMO.driver.name}`);
    await expect(driver.getByTestId("connection-state")).not.toHaveAttribute("data-state", "online");
  });
  await driver.context().setOffline(false);
});

test("a reply while the page is hidden becomes a notification shown by the service worker", async ({ browser, controller }) => {
  const { context, page } = await openDriver(browser, { permissions: ["notifications"] });
  try {
    const id = await contactSupport(page, { title: uniqueTitle("Notify me"), body: "Waiting at the depot" });
    await controller.call(controller.socket, "conversation:join", { conversationId: id });
    await expectFieldCachedForOffline(page);
    expect(await lastNotification(page)).toBeNull();

    await test.step("a reply while visible is not notified", async () => {
      await controller.call(controller.socket, "message:send", { conversationId: id, body: "Seen you, one moment", clientId: `v-${Date.now()}` });
      await expect(page.getByTestId("message-body").getByText("Seen you, one moment", { exact: true })).toBeVisible();
      expect(await lastNotification(page)).toBeNull();
    });

    await test.step("hidden: the reply is notified with its sender and text", async () => {
      await hidePage(page);
      await controller.call(controller.socket, "message:send", { conversationId: id, body: "Relief driver arrives 14:10", clientId: `h-${Date.now()}` });
      await expect.poll(() => lastNotification(page)).toMatchObject({ body: "Relief driver arrives 14:10", tag: id });
      expect((await lastNotification(page))?.title).toContain(`${DEMO.control.name} replied`);
    });
  } finally {
    await context.close();
  }
});
