import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { test, expect, DEMO, apiAs, callPaced, createConversationAs, filterChip, openControl } from "./control-fixtures";
import type { ChatSocket } from "../../helpers/clients";
import { ALERT_STRIP_PX } from "../../../components/control/dimensions";

// The dashboard at the volume of a real shift: 40 open conversations from 8 drivers and 3
// unacknowledged emergencies. The queue must stay the main surface at laptop sizes, the header one
// line, and the alert area one fixed height, however many emergencies arrive.
test.describe.configure({ timeout: 240_000 });

const DRIVERS = Array.from({ length: 8 }, (_, i) => ({ email: `volume.driver${i + 1}@demo.local`, name: `Volume Driver ${i + 1}`, vehicle: `Bus ${500 + i}`, route: `Route ${i + 1}` }));
const DRIVER_PASSWORD = "volume-driver-pass";

async function ensureDrivers(admin: ChatSocket): Promise<void> {
  for (const d of DRIVERS) {
    try {
      await callPaced(admin, "user:create", { email: d.email, name: d.name, role: "BUS_DRIVER", password: DRIVER_PASSWORD, vehicle: d.vehicle, route: d.route });
    } catch (error) {
      if (!String(error).includes("CONFLICT")) throw error;
    }
  }
}

/** 40 open conversations (5 per driver, mixed categories) and `emergencies` emergencies. */
async function seedShift(baseURL: string, admin: ChatSocket, emergencies: number): Promise<ChatSocket[]> {
  await ensureDrivers(admin);
  const sockets = await Promise.all(DRIVERS.map((d) => apiAs(baseURL, d.email, DRIVER_PASSWORD)));
  const categories = ["DRIVER", "GENERAL", "DRIVER", "DRIVER", "GENERAL"] as const;
  await Promise.all(
    sockets.map(async (socket, i) => {
      for (let n = 0; n < 5; n += 1) await createConversationAs(socket, categories[n]!, `Volume ${i + 1}.${n + 1}: a fairly long title about a ticket machine that keeps freezing`, `Message ${n + 1} from driver ${i + 1}`);
    }),
  );
  for (let e = 0; e < emergencies; e += 1) await createConversationAs(sockets[e]!, "EMERGENCY", `Emergency ${e + 1}`, "Need help now");
  return sockets;
}

/** Queue rows drawn inside the viewport and the queue's scroll area, and not covered by anything. */
function visibleRows(page: Page): Promise<number> {
  return page.evaluate(() => {
    const scroller = document.querySelector('[data-testid="queue-scroller"]')!.getBoundingClientRect();
    return [...document.querySelectorAll<HTMLElement>('[data-testid="queue-item"]')].filter((row) => {
      const r = row.getBoundingClientRect();
      if (r.height === 0 || r.top < Math.max(0, scroller.top) || r.bottom > Math.min(window.innerHeight, scroller.bottom) || r.right > window.innerWidth) return false;
      const probes = [
        [r.left + 8, r.top + 4],
        [r.left + r.width / 2, r.top + r.height / 2],
        [r.right - 8, r.bottom - 4],
      ];
      return probes.every(([x, y]) => row.contains(document.elementFromPoint(x!, y!)));
    }).length;
  });
}

/** The header's items all sit on one line (same vertical centre), and it is one line tall. */
async function expectOneLineHeader(page: Page): Promise<void> {
  const layout = await page.evaluate(() => {
    const header = document.querySelector("header")!;
    const centres = [...header.querySelectorAll<HTMLElement>("h1, p, [data-testid], button, a, select")]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.height > 0 && r.width > 0)
      .map((r) => r.top + r.height / 2);
    return { height: header.getBoundingClientRect().height, spread: Math.max(...centres) - Math.min(...centres), overflow: header.scrollHeight - header.clientHeight };
  });
  expect(layout.height).toBeLessThanOrEqual(48);
  expect(layout.spread).toBeLessThanOrEqual(2);
  expect(layout.overflow).toBe(0);
}

async function expectOneAlertArea(page: Page): Promise<void> {
  await expect(page.getByRole("region", { name: "Alerts" })).toHaveCount(1);
  const box = await page.getByTestId("alert-strip").boundingBox();
  expect(box?.height).toBe(ALERT_STRIP_PX);
}

test("volume: with 40 open and 3 emergencies the queue shows ≥10 rows at 1280×720 and ≥12 at 1440×900; one header line, one fixed alert area", async ({ admin, browser, baseURL }) => {
  const url = baseURL ?? "";
  const drivers = await seedShift(url, admin, 3);
  try {
    for (const [viewport, minimum] of [
      [{ width: 1280, height: 720 }, 10],
      [{ width: 1440, height: 900 }, 12],
      [{ width: 1920, height: 1080 }, 12],
    ] as const) {
      const { context, page } = await openControl(browser, DEMO.control.email);
      await page.setViewportSize(viewport);
      await expect(page.getByTestId("queue-count")).toHaveText("43");
      await expect(filterChip(page, "EMERGENCY")).toContainText("Emergency 3");
      await expect(page.getByTestId("alarm-item")).toHaveCount(3);
      const rows = await visibleRows(page);
      expect(rows, `rows visible at ${viewport.width}×${viewport.height}`).toBeGreaterThanOrEqual(minimum);
      await expectOneLineHeader(page);
      await expectOneAlertArea(page);
      // Two lines per row, never three: a long title is cut, not wrapped.
      const heights = await page.getByTestId("queue-item").evaluateAll((items) => items.map((i) => i.getBoundingClientRect().height));
      expect(new Set(heights).size).toBe(1);
      await context.close();
    }

    await test.step("five emergencies: still one header line, the same strip height, the rest behind +N more", async () => {
      await createConversationAs(drivers[3]!, "EMERGENCY", "Emergency 4", "Need help now");
      await createConversationAs(drivers[4]!, "EMERGENCY", "Emergency 5", "Need help now");
      const { context, page } = await openControl(browser, DEMO.control.email);
      await page.setViewportSize({ width: 1280, height: 720 });
      await expect(page.getByTestId("queue-count")).toHaveText("45");
      await expect(page.getByTestId("emergency-alarm").getByTestId("alarm-item")).toHaveCount(3);
      await expect(page.getByTestId("alert-more")).toContainText("more emergencies");
      await expectOneLineHeader(page);
      await expectOneAlertArea(page);
      expect(await visibleRows(page)).toBeGreaterThanOrEqual(10);
      await page.getByTestId("alert-more").click();
      await expect(page.getByTestId("alert-overflow").getByTestId("alarm-item")).toHaveCount(2);
      await page.keyboard.press("Escape");

      for (const theme of ["light", "dark"] as const) {
        await page.getByTestId("theme-toggle").selectOption(theme);
        await expect(page.locator("html")).toHaveClass(theme);
        const results = await new AxeBuilder({ page }).analyze();
        const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        expect(serious.map((v) => `${theme}: ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`)).toEqual([]);
      }
      // The choice is kept on this device.
      await page.reload();
      await expect(page.locator("html")).toHaveClass("dark");
      await page.getByTestId("theme-toggle").selectOption("system");
      await context.close();
    });

    await test.step("no emergencies: the strip keeps its height and says all is clear", async () => {
      const { conversations } = await callPaced(admin, "conversation:list", { status: "open" });
      for (const c of conversations.filter((c) => c.category === "EMERGENCY")) await callPaced(admin, "emergency:acknowledge", { conversationId: c.id });
      const { context, page } = await openControl(browser, DEMO.control.email);
      await page.setViewportSize({ width: 1280, height: 720 });
      await expect(page.getByTestId("queue-count")).toHaveText("45");
      await expect(page.getByTestId("emergency-alarm")).toHaveCount(0);
      await expectOneLineHeader(page);
      await expectOneAlertArea(page);
      await context.close();
    });
  } finally {
    for (const socket of drivers) socket.disconnect();
  }
});
