import path from "node:path";
import { analyzeProfile, breakdownTable, mainThreadProfile } from "./lib/cpu-profile";

// `npx tsx bench/cpu-profile.ts <dir or .cpuprofile>…`: the CPU breakdown of profiles written by
// `npm run bench -- --profile` (or any `node --cpu-prof` run), without running anything again.

for (const arg of process.argv.slice(2)) {
  const file = arg.endsWith(".cpuprofile") ? arg : mainThreadProfile(arg);
  if (!file) {
    process.stdout.write(`${arg}: no main-thread profile\n`);
    continue;
  }
  const breakdown = analyzeProfile(file);
  process.stdout.write(`\n${path.basename(path.dirname(file))}\n${breakdownTable(path.basename(path.dirname(file)), breakdown)}\n`);
  process.stdout.write(`top functions: ${breakdown.top.map((f) => `${f.functionName} (${f.url || "native"}) ${f.ms} ms`).join("; ")}\n`);
}
