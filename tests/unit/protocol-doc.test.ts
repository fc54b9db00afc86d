import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CLIENT_EVENTS, SERVER_EVENTS } from "../../lib/realtime/events";
import { SEED_PUSH_TYPES, SEED_REQUEST_TYPES } from "../../lib/realtime/json-gateway";
import { ERROR_CODES, type ErrorCode } from "../../lib/errors";
import {
  HISTORY_PAGE_MAX,
  MAX_FRAME_BYTES,
  MESSAGE_MAX_LENGTH,
  RATE_LIMIT_BURST,
  RATE_LIMIT_PER_SECOND,
  TYPING_EXPIRY_MS,
  TYPING_THROTTLE_MS,
} from "../../lib/chat/constants";

// The protocol document must name every event, seed type and error code of the code, in backticks,
// so that a new event or code cannot ship undocumented.

const DOC_PATH = fileURLToPath(new URL("../../docs/websocket-chat-events.md", import.meta.url));
const doc = readFileSync(DOC_PATH, "utf8");

/** The JSON WebSocket's name for `session:ready` (sent literally by the gateway, not in SEED_PUSH_TYPES). */
const SESSION_READY_TYPE = "connection_established";

function requiredNames(): string[] {
  return [
    ...CLIENT_EVENTS,
    ...SERVER_EVENTS,
    ...Object.keys(SEED_REQUEST_TYPES),
    ...Object.values(SEED_PUSH_TYPES),
    SESSION_READY_TYPE,
    ...Object.keys(ERROR_CODES),
  ];
}

/** Names that do not appear as `name` in the text. */
function missingNames(text: string, names: readonly string[] = requiredNames()): string[] {
  return [...new Set(names)].filter((name) => !text.includes(`\`${name}\``));
}

const headings = doc.split("\n").filter((line) => /^#{2,4} /.test(line));

function hasHeading(...parts: string[]): boolean {
  return headings.some((line) => line.includes(parts.map((p) => `\`${p}\``).join(" / ")));
}

void test("the check reports a name that is missing or not in backticks", () => {
  assert.deepEqual(missingNames("`message:send` and `typing`", ["message:send", "typing", "VALIDATION"]), ["VALIDATION"]);
  assert.deepEqual(missingNames("message:send without backticks", ["message:send"]), ["message:send"]);
  const withoutOne = doc.split("`send_chat_message`").join("send_chat_message");
  assert.ok(missingNames(withoutOne).includes("send_chat_message"));
});

void test("every Socket.IO event, seed type and error code appears in backticks", () => {
  assert.ok(CLIENT_EVENTS.length > 0 && SERVER_EVENTS.length > 0 && Object.keys(ERROR_CODES).length > 0);
  assert.deepEqual(missingNames(doc), [], `docs/websocket-chat-events.md lacks: ${missingNames(doc).join(", ")}`);
});

void test("each client event has a subsection titled with its Socket.IO name and its seed type", () => {
  for (const event of CLIENT_EVENTS) {
    const seedTypes = Object.entries(SEED_REQUEST_TYPES)
      .filter(([, seed]) => seed.event === event)
      .map(([type]) => type);
    if (seedTypes.length === 0) {
      assert.ok(headings.some((line) => line.startsWith(`### \`${event}\` /`)), `no "### \`${event}\` / …" subsection`);
    }
    for (const type of seedTypes) assert.ok(hasHeading(event, type), `no subsection titled \`${event}\` / \`${type}\``);
  }
});

void test("each pushed event has a subsection titled with its Socket.IO name and its JSON type", () => {
  for (const event of SERVER_EVENTS) {
    const type = event === "session:ready" ? SESSION_READY_TYPE : SEED_PUSH_TYPES[event];
    assert.ok(hasHeading(event, type), `no subsection titled \`${event}\` / \`${type}\``);
  }
});

void test("the mapping table pairs every seed type with its Socket.IO event", () => {
  const rows = doc.split("\n").filter((line) => line.startsWith("|"));
  const hasRow = (seed: string, event: string) => rows.some((row) => row.startsWith(`| \`${seed}\` | \`${event}\` |`));
  for (const [type, seed] of Object.entries(SEED_REQUEST_TYPES)) assert.ok(hasRow(type, seed.event), `no mapping row for ${type}`);
  for (const [event, type] of Object.entries(SEED_PUSH_TYPES)) assert.ok(hasRow(type, event), `no mapping row for ${type}`);
  assert.ok(hasRow(SESSION_READY_TYPE, "session:ready"));
});

void test("the error table gives each code its HTTP status from lib/errors.ts", () => {
  const rows = doc.split("\n").filter((line) => line.startsWith("| `"));
  for (const [code, status] of Object.entries(ERROR_CODES) as [ErrorCode, number][]) {
    assert.ok(
      rows.some((row) => row.startsWith(`| \`${code}\` | ${status}`)),
      `no error table row "| \`${code}\` | ${status} …"`,
    );
  }
});

void test("the limits section states the limits of lib/chat/constants.ts", () => {
  const limits = doc.slice(doc.indexOf("## 4. Limits"), doc.indexOf("## 5."));
  assert.ok(limits.length > 0, "no Limits section");
  const expected = [
    `${MESSAGE_MAX_LENGTH.toLocaleString("en-US")} characters`,
    `${MAX_FRAME_BYTES / 1024} KB`,
    `**${RATE_LIMIT_BURST}**`,
    `**${RATE_LIMIT_PER_SECOND} per second**`,
    `**${HISTORY_PAGE_MAX}**`,
    `**${TYPING_THROTTLE_MS / 1000} second**`,
    `**${TYPING_EXPIRY_MS / 1000} seconds**`,
  ];
  for (const text of expected) assert.ok(limits.includes(text), `Limits section lacks "${text}"`);
});
