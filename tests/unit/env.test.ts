import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadEnv } from "../../lib/env";

const SECRET = "s".repeat(32);
const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), "env-test-"));
after(() => fs.rmSync(tempRoot, { recursive: true, force: true }));

/** Only the variables given, nothing from the real environment. */
const load = (vars: Record<string, string>) => loadEnv(vars as NodeJS.ProcessEnv);

/** The ConfigError loadEnv throws; fails the test when it does not throw one. */
function configError(source: Record<string, string>): ConfigError {
  try {
    load(source);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`loadEnv accepted ${JSON.stringify(source)}`);
}

void test("defaults apply when nothing is set", () => {
  const env = load({ NEXTAUTH_SECRET: SECRET });
  assert.equal(env.NODE_ENV, "development");
  assert.equal(env.PORT, 3000);
  assert.equal(env.HOST, "0.0.0.0");
  assert.equal(env.DATA_DIR, "./data");
  assert.equal(env.LOG_LEVEL, "info");
  assert.equal(env.UNCLAIMED_REMINDER_SECONDS, 30);
  assert.deepEqual(env.ALLOWED_ORIGINS, []);
  assert.equal(env.DATABASE_URL, undefined);
  assert.equal(env.REDIS_URL, undefined);
  assert.equal(env.NEXTAUTH_SECRET, SECRET);
  assert.equal(env.isProduction, false);
});

void test("values are read and coerced; empty strings count as unset", () => {
  const env = load({ NEXTAUTH_SECRET: SECRET, PORT: "8080", HOST: "", NODE_ENV: "production", ALLOWED_ORIGINS: " https://a.example.org, https://b.example.org:8443 " });
  assert.equal(env.PORT, 8080);
  assert.equal(env.HOST, "0.0.0.0");
  assert.equal(env.isProduction, true);
  assert.deepEqual(env.ALLOWED_ORIGINS, ["https://a.example.org", "https://b.example.org:8443"]);
});

void test("a bad PORT is a one-line ConfigError naming PORT", () => {
  for (const port of ["abc", "70000", "-1", "80.5"]) {
    const error = configError({ NEXTAUTH_SECRET: SECRET, PORT: port });
    assert.match(error.message, /\bPORT\b/);
    assert.ok(!error.message.includes("\n"), `more than one line: ${JSON.stringify(error.message)}`);
  }
});

void test("other bad values name their variable", () => {
  assert.match(configError({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: "mysql://x" }).message, /DATABASE_URL/);
  assert.match(configError({ NEXTAUTH_SECRET: SECRET, ALLOWED_ORIGINS: "https://a.example.org/path" }).message, /ALLOWED_ORIGINS/);
  assert.match(configError({ NEXTAUTH_SECRET: "short" }).message, /NEXTAUTH_SECRET/);
});

void test("the rate limit is read from RATE_LIMIT_BURST and RATE_LIMIT_PER_SECOND; today's limit is the default", () => {
  const defaults = load({ NEXTAUTH_SECRET: SECRET });
  assert.equal(defaults.RATE_LIMIT_BURST, 30);
  assert.equal(defaults.RATE_LIMIT_PER_SECOND, 10);
  const set = load({ NEXTAUTH_SECRET: SECRET, RATE_LIMIT_BURST: "500", RATE_LIMIT_PER_SECOND: "2.5" });
  assert.equal(set.RATE_LIMIT_BURST, 500);
  assert.equal(set.RATE_LIMIT_PER_SECOND, 2.5);
  const bad: [string, string][] = [["RATE_LIMIT_BURST", "0"], ["RATE_LIMIT_BURST", "1.5"], ["RATE_LIMIT_BURST", "many"], ["RATE_LIMIT_PER_SECOND", "0"], ["RATE_LIMIT_PER_SECOND", "-3"], ["RATE_LIMIT_PER_SECOND", "fast"]];
  for (const [name, value] of bad) {
    const error = configError({ NEXTAUTH_SECRET: SECRET, [name]: value });
    assert.match(error.message, new RegExp(`^Invalid configuration: ${name} `), `${name}=${value}: ${error.message}`);
    assert.ok(!error.message.includes("\n"));
  }
});

void test("METRICS_TOKEN is optional and must be long enough when set", () => {
  assert.equal(load({ NEXTAUTH_SECRET: SECRET }).METRICS_TOKEN, undefined);
  assert.equal(load({ NEXTAUTH_SECRET: SECRET, METRICS_TOKEN: "m".repeat(16) }).METRICS_TOKEN, "m".repeat(16));
  assert.match(configError({ NEXTAUTH_SECRET: SECRET, METRICS_TOKEN: "short" }).message, /METRICS_TOKEN/);
});

void test("production without NEXTAUTH_SECRET fails, naming NEXTAUTH_SECRET", () => {
  const dataDir = path.join(tempRoot, "production");
  const error = configError({ NODE_ENV: "production", DATA_DIR: dataDir });
  assert.match(error.message, /NEXTAUTH_SECRET/);
  assert.ok(!error.message.includes("\n"));
  assert.equal(fs.existsSync(dataDir), false, "production must not create a secret file");
});

void test("development creates a secret file in DATA_DIR once and then reuses it", () => {
  const dataDir = path.join(tempRoot, "dev", "nested");
  const first = load({ DATA_DIR: dataDir });
  assert.ok(first.NEXTAUTH_SECRET.length >= 32);
  const file = path.join(dataDir, ".nextauth-secret");
  assert.equal(fs.readFileSync(file, "utf8").trim(), first.NEXTAUTH_SECRET);
  const second = load({ DATA_DIR: dataDir, NODE_ENV: "development" });
  assert.equal(second.NEXTAUTH_SECRET, first.NEXTAUTH_SECRET);
  // A different data directory gets its own secret.
  assert.notEqual(load({ DATA_DIR: path.join(tempRoot, "other") }).NEXTAUTH_SECRET, first.NEXTAUTH_SECRET);
});

void test("a NEXTAUTH_SECRET that is set wins over the file", () => {
  const dataDir = path.join(tempRoot, "explicit");
  const env = load({ DATA_DIR: dataDir, NEXTAUTH_SECRET: SECRET });
  assert.equal(env.NEXTAUTH_SECRET, SECRET);
  assert.equal(fs.existsSync(path.join(dataDir, ".nextauth-secret")), false);
});

void test("CONTROL_PHONE: a phone number is kept; anything else is named at start", () => {
  assert.equal(load({ NEXTAUTH_SECRET: SECRET }).CONTROL_PHONE, undefined);
  assert.equal(load({ NEXTAUTH_SECRET: SECRET, CONTROL_PHONE: "+44 20 7946 0000" }).CONTROL_PHONE, "+44 20 7946 0000");
  for (const bad of ["call me", "javascript:alert(1)", "+", "12"]) {
    assert.match(configError({ NEXTAUTH_SECRET: SECRET, CONTROL_PHONE: bad }).message, /^Invalid configuration: CONTROL_PHONE must be a phone number/);
  }
});
