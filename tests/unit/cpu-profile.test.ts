import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { analyzeProfile, categorize } from "../../bench/lib/cpu-profile";

// The benchmark's CPU breakdown: each frame lands in the part of the hot path it belongs to, and the
// shares are of busy time (idle excluded), weighted by the samples' time deltas.

void test("frames are put in the hot path's parts by script and function", () => {
  assert.equal(categorize("(garbage collector)", ""), "garbage collection");
  assert.equal(categorize("parse", ""), "JSON parse/stringify");
  assert.equal(categorize("stringify", ""), "JSON parse/stringify");
  assert.equal(categorize("writev", ""), "socket I/O (ws, engine.io, socket.io, net)");
  assert.equal(categorize("$func123", "wasm://wasm/0149f536"), "database engine (PGlite WASM)");
  assert.equal(categorize("parseMessage", "file:///app/node_modules/pg-protocol/dist/parser.js"), "database driver (pg / PGlite JS)");
  assert.equal(categorize("query", "file:///app/node_modules/@electric-sql/pglite/dist/index.js"), "database driver (pg / PGlite JS)");
  assert.equal(categorize("queryRaw", "file:///app/node_modules/@prisma/adapter-pg/dist/index.mjs"), "database driver (pg / PGlite JS)");
  assert.equal(categorize("request", "file:///app/node_modules/@prisma/client/runtime/client.js"), "Prisma runtime");
  assert.equal(categorize("x", "file:///app/lib/generated/prisma/internal/class.ts"), "Prisma runtime");
  assert.equal(categorize("sendFrame", "file:///app/node_modules/ws/lib/sender.js"), "socket I/O (ws, engine.io, socket.io, net)");
  assert.equal(categorize("writeGeneric", "node:internal/stream_base_commons"), "socket I/O (ws, engine.io, socket.io, net)");
  assert.equal(categorize("flush", "file:///app/lib/chat/message-writer.ts"), "product code (lib/, server.ts)");
  assert.equal(categorize("render", "file:///app/node_modules/next/dist/server/render.js"), "other (Node core, Next.js, native)");
  assert.equal(categorize("(idle)", ""), "idle");
});

void test("shares are of busy time, by time delta", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cpuprofile-")), "x.cpuprofile");
  const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, scriptId: "0", lineNumber: 0, columnNumber: 0 } });
  fs.writeFileSync(
    file,
    JSON.stringify({
      nodes: [frame(1, "(root)", ""), frame(2, "(idle)", ""), frame(3, "parse", ""), frame(4, "flush", "file:///app/lib/chat/message-writer.ts")],
      samples: [2, 3, 4, 4, 2],
      timeDeltas: [5000, 1000, 2000, 1000, 9000],
      startTime: 0,
      endTime: 18000,
    }),
  );
  const breakdown = analyzeProfile(file);
  assert.equal(breakdown.busyMs, 4);
  assert.equal(breakdown.percent["JSON parse/stringify"], 25);
  assert.equal(breakdown.percent["product code (lib/, server.ts)"], 75);
  assert.equal(breakdown.top[0]?.functionName, "flush");
});
