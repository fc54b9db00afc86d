import { io, type Socket } from "socket.io-client";
import { expect, test, DEMO, DEMO_PASSWORD } from "../fixtures";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";
import type { ConversationView } from "@/lib/chat/types";

// Vehicle and route are set once per shift and attached to what the driver opens.

test("a regulator sets vehicle and route for the shift; control sees them on the new conversation", async ({ openAs, baseURL }) => {
  const response = await fetch(`${baseURL}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: DEMO.control.email, password: DEMO_PASSWORD }),
  });
  const { token } = (await response.json()) as { token: string };
  const control: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseURL ?? "", { transports: ["websocket"], auth: { token }, forceNew: true });
  const announced: ConversationView[] = [];
  control.on("conversation:new", (conversation) => announced.push(conversation));
  await new Promise<void>((resolve) => control.once("session:ready", () => resolve()));
  try {
    const page = await openAs({ email: DEMO.regulator.email, path: "/field", viewport: { width: 360, height: 640 } });
    const stamp = Date.now().toString(36).slice(-5);
    await page.getByTestId("shift-details").getByRole("button").click();
    const form = page.getByTestId("shift-form");
    await form.getByLabel("Vehicle").fill(`Bus ${stamp}`);
    await form.getByLabel("Route").fill(`Route ${stamp}`);
    await form.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("shift-details")).toContainText(`Bus ${stamp} · Route ${stamp}`);

    await page.getByTestId("contact-support").click();
    await page.getByTestId("contact-body").fill(`Queue overflowing at the depot ${stamp}`);
    await page.getByTestId("contact-submit").click();
    await expect.poll(() => announced.find((c) => c.lastMessage?.body.includes(stamp) || c.title.includes(stamp))?.vehicle ?? null).toBe(`Bus ${stamp}`);
    const conversation = announced.find((c) => c.vehicle === `Bus ${stamp}`);
    expect(conversation?.route).toBe(`Route ${stamp}`);
    expect(conversation?.category).toBe("REGULATOR");
  } finally {
    control.disconnect();
  }
});
