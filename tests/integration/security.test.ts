import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnServer, startTestServer, type RunningServer, type TestServer } from "../helpers/server";
import { call, connectSocketIo, expectRefusal } from "../helpers/clients";

// Part of the security pass: sign-in throttling, JSON-only token endpoint, security headers,
// sign-out closing sockets, and logs free of message text, passwords and tokens.

let server: TestServer;

before(async () => {
  server = await startTestServer({
    driver: { role: "BUS_DRIVER", name: "Dana" },
    control: { role: "CONTROL_STAFF", name: "Casey" },
    target: { role: "BUS_DRIVER", name: "Tess" },
  });
});

after(async () => {
  await server?.close();
});

const postToken = (body: unknown, contentType = "application/json") =>
  fetch(`${server.url}/api/auth/token`, { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) });

test("brute force on one account is throttled, even with the right password afterwards", async () => {
  const target = server.users.target!;
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 10; attempt++) statuses.push((await postToken({ email: target.email, password: `wrong-${attempt}` })).status);
  assert.deepEqual(new Set(statuses), new Set([401]));
  const blocked = await postToken({ email: target.email, password: target.password });
  assert.equal(blocked.status, 429);
  const body = (await blocked.json()) as { error: { code: string; details: { retryAfterMs: number } } };
  assert.equal(body.error.code, "RATE_LIMITED");
  assert.ok(body.error.details.retryAfterMs > 0);
});

test("the token endpoint accepts only JSON (no cross-site form posts)", async () => {
  const driver = server.users.driver!;
  const form = await postToken(`email=${encodeURIComponent(driver.email)}&password=${driver.password}`, "application/x-www-form-urlencoded");
  assert.equal(form.status, 415);
});

test("pages carry security headers", async () => {
  const response = await fetch(`${server.url}/signin`);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  assert.equal(response.headers.get("x-frame-options"), "DENY");
  assert.equal(response.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
  const csp = response.headers.get("content-security-policy") ?? "";
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
});

test("signing out closes the account's sockets and the old session is refused", async () => {
  const driver = server.users.driver!;
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  let cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const signIn = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
    body: new URLSearchParams({ csrfToken, email: driver.email, password: driver.password, json: "true" }),
  });
  const session = signIn.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="))?.split(";")[0];
  assert.ok(session);
  cookies = `${cookies}; ${session}`;
  const socket = await connectSocketIo(server.url, { cookie: cookies, origin: server.url });
  const disconnected = new Promise<string>((resolve) => socket.on("disconnect", (reason) => resolve(reason)));
  const signOut = await fetch(`${server.url}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  assert.ok(signOut.status < 400, `sign-out answered ${signOut.status}`);
  assert.equal(await disconnected, "io server disconnect");
  const refusal = await expectRefusal(server.url, { cookie: cookies, origin: server.url });
  assert.equal(refusal.code, "UNAUTHENTICATED");
});

test("logs contain no message text, passwords or tokens", async () => {
  const driverToken = await server.token("control");
  const control = await connectSocketIo(server.url, { token: driverToken });
  const fresh = await fetch(`${server.url}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: server.users.driver!.email, password: server.users.driver!.password }),
  });
  const { token } = (await fresh.json()) as { token: string };
  const driver = await connectSocketIo(server.url, { token });
  const secretText = "Passenger in seat 14 feels unwell zq7x";
  const created = await call(driver, "conversation:create", { body: secretText, title: "Medical zq7x" });
  await call(control, "message:send", { conversationId: created.conversation.id, body: "Ambulance called zq7x", clientId: "log-1" });
  driver.disconnect();
  control.disconnect();
  const output = server.output();
  assert.ok(output.includes('"msg":"connected"'), "the run was logged");
  for (const secret of ["zq7x", server.users.driver!.password, token, driverToken]) {
    assert.equal(output.includes(secret), false, `the log contains ${secret.slice(0, 12)}…`);
  }
});

test("the sign-in throttle is kept in the database: a new server process on it still refuses the throttled account", async () => {
  // The brute-force test above throttled `target`. A restart (or another node of a cluster) reads the
  // same failures from the audit log, so neither resets the count.
  const target = server.users.target!;
  await server.stop();
  let restarted: RunningServer | undefined;
  try {
    restarted = await spawnServer({ database: server.database });
    const response = await fetch(`${restarted.url}/api/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: target.email, password: target.password }),
    });
    assert.equal(response.status, 429);
    // Another account from the same address is not throttled yet (its own count, and the address
    // allows five times as many failures).
    const other = await fetch(`${restarted.url}/api/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: server.users.driver!.email, password: server.users.driver!.password }),
    });
    assert.equal(other.status, 200);
  } finally {
    await restarted?.stop();
  }
});
