// npm run chaos [-- --full] [--messages=N] [--modes=pglite,postgres,cluster] [--seed=N] [--minutes=N] [--logs=DIR]
//
// Field and control clients on both transports write messages while the harness injects faults at
// random (see scenario.ts), then checks that nothing acknowledged was lost or duplicated and that
// every participant received everything once, in order. Prints the figures per mode and a last line
// `chaos: N passed, M failed`; exits non-zero on any failed check. Default: 2,000 messages per mode
// (the bounded run); --full: 10,000 per mode, longer offline periods and more faults.
// A mode whose services are missing (PostgreSQL; redis-server for the cluster) is skipped with the
// reason, or fails with CI=true.
import { CHAOS_MODES, missingForMode, runChaos, type ChaosMode } from "./scenario";
import { Checks } from "./verify";

function parseArgs(argv: readonly string[]) {
  const args = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new Error(`unknown argument ${arg}`);
    args.set(match[1], match[2] ?? "true");
  }
  const known = new Set(["full", "messages", "modes", "seed", "minutes", "logs"]);
  for (const key of args.keys()) if (!known.has(key)) throw new Error(`unknown option --${key}`);
  const full = args.get("full") === "true";
  const messages = Number(args.get("messages") ?? (full ? 10_000 : 2_000));
  const modes = (args.get("modes") ?? CHAOS_MODES.join(",")).split(",").map((m) => m.trim()) as ChaosMode[];
  for (const mode of modes) if (!CHAOS_MODES.includes(mode)) throw new Error(`unknown mode ${mode} (${CHAOS_MODES.join(", ")})`);
  const seed = Number(args.get("seed") ?? Math.floor(Math.random() * 2 ** 31));
  const minutes = Number(args.get("minutes") ?? (full ? 180 : 30));
  if (!Number.isInteger(messages) || messages < 1) throw new Error("--messages must be a positive integer");
  if (!Number.isInteger(seed)) throw new Error("--seed must be an integer");
  if (!(minutes > 0)) throw new Error("--minutes must be positive");
  return { full, messages, modes, seed, minutes, logDir: args.get("logs") };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const total = new Checks();
  for (const mode of options.modes) {
    const missing = await missingForMode(mode);
    if (missing) {
      if (process.env.CI === "true") total.fail(`${mode}: ${missing} (CI=true)`);
      console.log(`chaos [${mode}] skipped: ${missing}`);
      continue;
    }
    try {
      const result = await runChaos({
        mode,
        messages: options.messages,
        seed: options.seed,
        full: options.full,
        timeLimitMs: options.minutes * 60_000,
        log: (line) => console.log(line),
        logDir: options.logDir,
      });
      console.log(result.summary.join("\n"));
      total.merge(result.checks);
    } catch (error) {
      total.fail(`${mode}: the run could not complete: ${error instanceof Error ? error.message : String(error)}`);
      console.log(`chaos [${mode}] aborted: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  console.log(`chaos: ${total.passed} passed, ${total.failed} failed`);
  return total.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
