import { formatReport, runFuzz } from "./harness";

// npm run fuzz                 300 cases per transport (the bounded run the test suite also does)
// npm run fuzz -- --full       5,000 cases per transport (10,000 in all)
// Options: --cases N (per transport), --seed S (replay a run), --concurrency N, --batch N,
// --strict (known, reported server bugs count as failures; see KNOWN_ISSUES in judge.ts).
// TEST_DB=postgres runs it on a fresh PostgreSQL database instead of embedded PGlite.

/** `--name value` or `--name=value`. */
function option(name: string): string | undefined {
  const inline = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function integer(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be an integer, got ${raw}`);
  return value;
}

async function main(): Promise<number> {
  const full = process.argv.includes("--full");
  const perTransport = integer("cases", full ? 5000 : 300);
  const seed = integer("seed", Math.floor(Math.random() * 2 ** 31));
  console.log(`fuzz: ${perTransport * 2} cases (${perTransport} per transport), seed ${seed}${full ? ", full run" : ""}`);
  const report = await runFuzz({
    perTransport,
    seed,
    concurrency: integer("concurrency", 6),
    batchSize: integer("batch", 100),
    strict: process.argv.includes("--strict") || process.env.FUZZ_STRICT === "1",
    log: (line) => console.log(line),
  });
  for (const line of formatReport(report)) console.log(line);
  const failed = report.failures.length + [...report.checks, ...report.invariants].filter((c) => !c.ok).length;
  return failed === 0 && report.cases === perTransport * 2 ? 0 : 1;
}

// Exit explicitly: a failed setup can leave sockets (or the server child) that would keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
