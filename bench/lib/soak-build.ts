import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT } from "./processes";

// The production build the soak's server runs. It lives in its own dist dir (NEXT_DIST_DIR, default
// .next-soak; next.config.mjs reads it at build and at start), so a soak never replaces the `.next`
// that tests and other people's servers use. `next build` adds its dist dir to tsconfig.json and
// rewrites next-env.d.ts; both are put back afterwards, unless someone else changed tsconfig.json
// during the build too.

export const SOAK_DIST_DIR = ".next-soak";

export interface BuildInfo {
  distDir: string;
  /** Built by this run (and how long it took), or an existing build (and its age). */
  built: boolean;
  seconds: number;
}

const normalize = (line: string) => line.trim().replace(/,$/, "");

/** Lines added to and removed from `before`, ignoring indentation and trailing commas. */
function lineChanges(before: string, after: string): { added: string[]; removed: string[] } {
  const count = (text: string) => {
    const counts = new Map<string, number>();
    for (const line of text.split("\n").map(normalize)) counts.set(line, (counts.get(line) ?? 0) + 1);
    return counts;
  };
  const a = count(before);
  const b = count(after);
  const added = [...b].filter(([line, n]) => n > (a.get(line) ?? 0)).map(([line]) => line);
  const removed = [...a].filter(([line, n]) => n > (b.get(line) ?? 0)).map(([line]) => line);
  return { added, removed };
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function runNextBuild(distDir: string): Promise<void> {
  const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
  const child = spawn(process.execPath, [nextBin, "build"], { cwd: ROOT, env: { ...process.env, NEXT_DIST_DIR: distDir }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`next build (NEXT_DIST_DIR=${distDir}) exited with ${code ?? signal}:\n${output.slice(-4000)}`));
    });
  });
}

/** Uses the build in `distDir`, or makes one when there is none or `force` is set. */
export async function ensureBuild(distDir: string, force: boolean, log: (line: string) => void): Promise<BuildInfo> {
  const buildId = path.join(ROOT, distDir, "BUILD_ID");
  if (!force && fs.existsSync(buildId)) {
    return { distDir, built: false, seconds: Math.round((Date.now() - fs.statSync(buildId).mtimeMs) / 1000) };
  }
  const tsconfigFile = path.join(ROOT, "tsconfig.json");
  const nextEnvFile = path.join(ROOT, "next-env.d.ts");
  const tsconfigBefore = readOrNull(tsconfigFile);
  const nextEnvBefore = readOrNull(nextEnvFile);
  log(`building the app into ${distDir} (next build; a few minutes on a busy machine)…`);
  const start = performance.now();
  try {
    await runNextBuild(distDir);
  } finally {
    const tsconfigAfter = readOrNull(tsconfigFile);
    if (tsconfigBefore !== null && tsconfigAfter !== null && tsconfigAfter !== tsconfigBefore) {
      const { added, removed } = lineChanges(tsconfigBefore, tsconfigAfter);
      if (removed.length === 0 && added.every((line) => line.includes(distDir))) {
        fs.writeFileSync(tsconfigFile, tsconfigBefore);
      } else {
        log(`  note: tsconfig.json changed during the build beyond next build's ${distDir} entries; left as it is (remove the ${distDir} entries by hand)`);
      }
    }
    // Generated and ignored by git, but other people's typechecks read it: put the previous one back.
    if (nextEnvBefore === null) fs.rmSync(nextEnvFile, { force: true });
    else if (readOrNull(nextEnvFile) !== nextEnvBefore) fs.writeFileSync(nextEnvFile, nextEnvBefore);
  }
  return { distDir, built: true, seconds: Math.round((performance.now() - start) / 1000) };
}
