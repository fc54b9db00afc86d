import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { spawnServer, startTestServer, TEST_SECRET, type TestServer } from "../helpers/server";
import { adminQuery, createTestDatabase, isPostgresAvailable, prepareDatabase } from "../helpers/database";
import { connectSocketIo, expectRefusal, JsonWsClient, waitFor } from "../helpers/clients";
import { issueToken } from "../../lib/auth/tokens";

// Acceptance 3 of the foundation issue: the token endpoint, the handshake matrix, readiness, the
// one-process rule for the embedded database, readable misconfiguration and a clean shutdown.

let server: TestServer;

before(async () => {
  server = await startTestServer({
    driver: { role: "BUS_DRIVER", name: "Dana" },
    control: { role: "CONTROL_STAFF", name: "Casey" },
    retired: { role: "BUS_DRIVER", name: "Rory" },
    admin: { role: "CONTROL_ADMIN", name: "Alex" },
  });
  // Issued before deactivation, so that the later refusal is about the account, not the token.
  retiredToken = await server.token("retired");
});

after(async () => {
  await server?.close();
});

let retiredToken = "";

async function postToken(body: string) {
  const response = await fetch(`${server.url}/api/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Signs in through next-auth's credentials flow, as the browser does, and returns the session cookie. */
async function sessionCookie(email: string, password: string): Promise<string> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const response = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = response.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  assert.ok(session, `no session cookie (status ${response.status})`);
  return session.split(";")[0] as string;
}

describe("POST /api/auth/token", () => {
  test("good credentials give a token, its expiry and the user", async () => {
    const driver = server.users.driver!;
    const { status, json } = await postToken(JSON.stringify({ email: driver.email, password: driver.password }));
    assert.equal(status, 200);
    assert.equal(typeof json.token, "string");
    assert.ok(Date.parse(String(json.expiresAt)) > Date.now());
    assert.deepEqual(json.user, { id: driver.id, name: "Dana", role: "BUS_DRIVER" });
  });

  test("a wrong password or an unknown email is 401, malformed JSON is 400", async () => {
    const driver = server.users.driver!;
    const wrong = await postToken(JSON.stringify({ email: driver.email, password: "not-it" }));
    assert.equal(wrong.status, 401);
    assert.equal((wrong.json.error as { code: string }).code, "UNAUTHENTICATED");
    const unknown = await postToken(JSON.stringify({ email: "nobody@test.local", password: "whatever1" }));
    assert.equal(unknown.status, 401);
    const malformed = await postToken("{not json");
    assert.equal(malformed.status, 400);
    assert.equal((malformed.json.error as { code: string }).code, "VALIDATION");
  });

  test("a deactivated account is 401 and its sockets are refused", async () => {
    const control = await connectSocketIo(server.url, { token: await server.token("control") });
    const admin = await connectSocketIo(server.url, { token: await server.token("admin") });
    try {
      const retired = server.users.retired!;
      const ack = await admin.timeout(5000).emitWithAck("user:deactivate", { userId: retired.id });
      assert.deepEqual(ack, { ok: true, data: { userId: retired.id } });
      const { status, json } = await postToken(JSON.stringify({ email: retired.email, password: retired.password }));
      assert.equal(status, 401);
      assert.equal((json.error as { code: string }).code, "ACCOUNT_DISABLED");
      const refusal = await expectRefusal(server.url, { token: retiredToken });
      assert.ok(["ACCOUNT_DISABLED", "UNAUTHENTICATED"].includes(refusal.code), refusal.code);
    } finally {
      control.disconnect();
      admin.disconnect();
    }
  });
});

describe("Socket.IO handshake", () => {
  test("accepted with a token and with the browser's session cookie", async () => {
    const byToken = await connectSocketIo(server.url, { token: await server.token("driver") });
    assert.ok(byToken.connected);
    byToken.disconnect();
    const driver = server.users.driver!;
    const cookie = await sessionCookie(driver.email, driver.password);
    const byCookie = await connectSocketIo(server.url, { cookie, origin: server.url });
    assert.ok(byCookie.connected);
    byCookie.disconnect();
  });

  test("refused with a typed connect_error: no token, tampered, expired, foreign origin", async () => {
    assert.equal((await expectRefusal(server.url, {})).code, "UNAUTHENTICATED");
    const token = await server.token("driver");
    const tampered = `${token.slice(0, -6)}AAAAAA`;
    assert.equal((await expectRefusal(server.url, { token: tampered })).code, "UNAUTHENTICATED");
    process.env.NEXTAUTH_SECRET = TEST_SECRET;
    const driver = server.users.driver!;
    const expired = await issueToken({ sub: driver.id, name: driver.name, email: driver.email, role: "BUS_DRIVER", ver: 0 }, -120);
    assert.equal((await expectRefusal(server.url, { token: expired.token })).code, "UNAUTHENTICATED");
    assert.equal((await expectRefusal(server.url, { token, origin: "https://evil.example" })).code, "ORIGIN_NOT_ALLOWED");
    // The refusal reaches the client before the server's log line reaches us: wait for it.
    await waitFor(() => /"code":"ORIGIN_NOT_ALLOWED"[^\n]*"msg":"connection refused"/.test(server.output()), "the refusal is logged");
    assert.equal(server.output().includes(token), false, "tokens never reach the log");
  });

  test("the JSON WebSocket refuses a bad token with 401 and a foreign origin with 403", async () => {
    const status = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url, { headers });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => reject(new Error("the upgrade was accepted")));
        ws.on("error", () => undefined);
      });
    const base = `${server.url.replace("http", "ws")}/api/websocket/connect`;
    assert.equal(await status(`${base}?token=garbage`), 401);
    assert.equal(await status(base), 401);
    const token = await server.token("driver");
    assert.equal(await status(`${base}?token=${token}`, { origin: "https://evil.example" }), 403);
    const ok = await JsonWsClient.connect(server.url, token, { origin: server.url });
    ok.close();
  });
});

describe("embedded database", () => {
  test("a second process on the same DATA_DIR is refused with a clear message", async () => {
    if (server.database.kind !== "pglite") return;
    const second = await spawnServer({ database: server.database, waitForExit: true });
    assert.equal(await second.stop(), 1);
    assert.match(second.output(), /already open in process \d+/);
    // The first server still works.
    const health = await fetch(`${server.url}/api/ready`);
    assert.equal(health.status, 200);
  });
});

describe("configuration", () => {
  test("a malformed value stops the process with one readable line naming it", async () => {
    const database = await createTestDatabase("pglite");
    try {
      const bad = await spawnServer({ database, env: { PORT: "eighty" }, waitForExit: true });
      assert.equal(await bad.stop(), 1);
      const lines = bad.output().trim().split("\n");
      assert.equal(lines.length, 1, bad.output());
      assert.match(lines[0] ?? "", /^Invalid configuration: PORT /);
      const noSecret = await spawnServer({ database, env: { NEXTAUTH_SECRET: undefined }, waitForExit: true });
      assert.equal(await noSecret.stop(), 1);
      assert.match(noSecret.output().trim(), /^Invalid configuration: NEXTAUTH_SECRET is required in production/);
    } finally {
      await database.drop();
    }
  });
});

describe("readiness and shutdown", () => {
  test("/api/ready is 503 with the reason when the database stops, /api/health stays 200", async (t) => {
    if (!(await isPostgresAvailable())) {
      if (process.env.CI) assert.fail("PostgreSQL is required in CI");
      t.skip("no PostgreSQL on 127.0.0.1:5432");
      return;
    }
    const database = await createTestDatabase("postgres");
    await prepareDatabase(database, {});
    const running = await spawnServer({ database });
    try {
      assert.equal((await fetch(`${running.url}/api/ready`)).status, 200);
      const name = new URL(database.databaseUrl!).pathname.slice(1);
      await adminQuery(`DROP DATABASE "${name}" WITH (FORCE)`);
      const ready = await fetch(`${running.url}/api/ready`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { reason: string }).reason, "database unreachable");
      assert.equal((await fetch(`${running.url}/api/health`)).status, 200);
    } finally {
      await running.stop();
      await database.drop();
    }
  });

  test("SIGTERM closes sockets with a reason and exits 0", async () => {
    const database = await createTestDatabase();
    const users = await prepareDatabase(database, { d: { role: "BUS_DRIVER" } });
    const running = await spawnServer({ database });
    try {
      const response = await fetch(`${running.url}/api/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: users.d!.email, password: users.d!.password }),
      });
      const { token } = (await response.json()) as { token: string };
      const socket = await connectSocketIo(running.url, { token });
      const ws = await JsonWsClient.connect(running.url, token);
      const wsClosed = new Promise<number>((resolve) => ws.ws.on("close", (code) => resolve(code)));
      const disconnected = new Promise<string>((resolve) => socket.on("disconnect", (reason) => resolve(reason)));
      assert.equal(await running.stop("SIGTERM"), 0);
      assert.equal(await wsClosed, 1001);
      assert.ok(["io server disconnect", "transport close"].includes(await disconnected));
      assert.match(running.output(), /"msg":"stopped"/);
    } finally {
      await database.drop();
    }
  });
});
