import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

// The module graph of the runtime code: no import cycle inside lib/ (type-only imports count: a cycle
// of types is still two modules that cannot be understood one without the other), and nothing that
// runs the product (lib, app, components, server.ts) imports from scripts/.

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^"'`;]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function files(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" || entry.name === "node_modules" ? [] : files(relative);
    return SOURCE.test(entry.name) && !entry.name.endsWith(".d.mts") ? [relative] : [];
  });
}

/** Relative imports of a file, resolved to project-relative paths (extension and index files tried). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2];
    if (!specifier?.startsWith(".")) continue;
    const base = path.join(path.dirname(file), specifier);
    const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")];
    const resolved = candidates.find((candidate) => fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile());
    if (resolved) found.push(resolved);
  }
  return found;
}

void test("the import scanner sees this project's imports (so the checks below can fail)", () => {
  assert.ok(importsOf("server.ts").includes(path.join("lib", "realtime", "server.ts")));
  assert.ok(importsOf(path.join("lib", "db", "open.ts")).includes(path.join("lib", "db", "schema-engine.mjs")));
});

void test("no import cycle in lib/", () => {
  const graph = new Map(files("lib").map((file) => [file, importsOf(file).filter((target) => target.startsWith(`lib${path.sep}`))]));
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, [], "import cycles in lib/");
});

void test("runtime code does not import from scripts/", () => {
  const runtime = [...files("lib"), ...files("app"), ...files("components"), "server.ts"];
  const offenders = runtime.flatMap((file) => importsOf(file).filter((target) => target.startsWith(`scripts${path.sep}`)).map((target) => `${file} → ${target}`));
  assert.deepEqual(offenders, []);
});
