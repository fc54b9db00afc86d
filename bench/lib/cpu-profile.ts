import fs from "node:fs";
import path from "node:path";

// Reads a V8 .cpuprofile (written by `node --cpu-prof`) and splits the server's busy time into the
// parts issue #14 asks about: the database driver or engine, the Prisma runtime, JSON, socket writes,
// the product's own code, garbage collection and the rest. Self time only: each sample counts once,
// for the function that was running.

export const CPU_CATEGORIES = [
  "database engine (PGlite WASM)",
  "database driver (pg / PGlite JS)",
  "Prisma runtime",
  "JSON parse/stringify",
  "socket I/O (ws, engine.io, socket.io, net)",
  "product code (lib/, server.ts)",
  "garbage collection",
  "other (Node core, Next.js, native)",
] as const;
export type CpuCategory = (typeof CPU_CATEGORIES)[number];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SOCKET_CORE = ["node:net", "node:internal/stream_base_commons", "node:internal/streams/writable", "node:_http_server", "node:internal/net"];

/** The category of one stack frame, from its script URL and function name. */
export function categorize(functionName: string, url: string): CpuCategory | "idle" {
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "garbage collection";
  if (url.startsWith("wasm://")) return "database engine (PGlite WASM)";
  if (url === "" && (functionName === "parse" || functionName === "stringify")) return "JSON parse/stringify";
  if (url === "" && (functionName === "writev" || functionName === "writeUtf8String" || functionName === "writeBuffer")) return "socket I/O (ws, engine.io, socket.io, net)";
  if (/node_modules\/(\.pnpm\/)?(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+|@electric-sql\/pglite[a-z-]*|@prisma\/adapter-[a-z]+)\//.test(url)) return "database driver (pg / PGlite JS)";
  if (/node_modules\/(@prisma\/|\.prisma\/|prisma\/)/.test(url) || /lib\/generated\/prisma\//.test(url)) return "Prisma runtime";
  if (/node_modules\/(ws|engine\.io|engine\.io-parser|socket\.io|socket\.io-parser|socket\.io-adapter)\//.test(url)) return "socket I/O (ws, engine.io, socket.io, net)";
  if (SOCKET_CORE.some((prefix) => url.startsWith(prefix))) return "socket I/O (ws, engine.io, socket.io, net)";
  if (!url.includes("node_modules") && (/\/lib\//.test(url) || url.endsWith("/server.ts"))) return "product code (lib/, server.ts)";
  return "other (Node core, Next.js, native)";
}

export interface CpuBreakdown {
  file: string;
  /** Busy milliseconds in the profile (idle excluded). */
  busyMs: number;
  /** Share of busy time per category, in percent (one decimal). */
  percent: Record<CpuCategory, number>;
  /** The ten functions with the most self time: "name (file:category) ms". */
  top: { functionName: string; url: string; category: CpuCategory; ms: number }[];
}

export function analyzeProfile(file: string): CpuBreakdown {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totals = new Map<CpuCategory, number>(CPU_CATEGORIES.map((category) => [category, 0]));
  const perFunction = new Map<string, { functionName: string; url: string; category: CpuCategory; micros: number }>();
  let busy = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node || micros <= 0) continue;
    const category = categorize(node.callFrame.functionName, node.callFrame.url);
    if (category === "idle") continue;
    busy += micros;
    totals.set(category, (totals.get(category) ?? 0) + micros);
    const key = `${node.callFrame.functionName}@${node.callFrame.url}`;
    const entry = perFunction.get(key) ?? { functionName: node.callFrame.functionName || "(anonymous)", url: node.callFrame.url, category, micros: 0 };
    entry.micros += micros;
    perFunction.set(key, entry);
  }
  const percent = Object.fromEntries(CPU_CATEGORIES.map((category) => [category, busy > 0 ? Math.round(((totals.get(category) ?? 0) / busy) * 1000) / 10 : 0])) as Record<CpuCategory, number>;
  const top = [...perFunction.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, 10)
    .map((entry) => ({ functionName: entry.functionName, url: shortUrl(entry.url), category: entry.category, ms: Math.round(entry.micros / 1000) }));
  return { file, busyMs: Math.round(busy / 1000), percent, top };
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  return url.replace(/^file:\/\/.*?\/(lib|server\.ts)/, "$1");
}

/**
 * The main thread's profile in `dir`. Node writes one file per thread, named
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the event loop that serves the
 * sockets (the others are tsx's module-loader worker and the like).
 */
export function mainThreadProfile(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const files = fs
    .readdirSync(dir)
    .filter((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name))
    .map((name) => path.join(dir, name))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0] ?? null;
}

/** One markdown row per category. */
export function breakdownTable(label: string, breakdown: CpuBreakdown): string {
  const header = `| ${label} | ${CPU_CATEGORIES.join(" | ")} |`;
  const rule = `|---|${CPU_CATEGORIES.map(() => "---").join("|")}|`;
  const row = `| busy ${breakdown.busyMs} ms | ${CPU_CATEGORIES.map((category) => `${breakdown.percent[category]}%`).join(" | ")} |`;
  return [header, rule, row].join("\n");
}
