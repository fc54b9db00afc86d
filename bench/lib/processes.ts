import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

// Child processes of the benchmark (the server under test) and what /proc says about them.
// Every child runs in its own process group so that it and anything it starts can be stopped by
// that group's id, and every stop is registered in one cleanup list that also runs on SIGINT/errors.

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const BENCH_SECRET = "bench-secret-that-is-long-enough-0123456789abcdef";

type Cleanup = () => Promise<void>;
const cleanups = new Map<number, { what: string; run: Cleanup }>();
let nextCleanupId = 1;

/** Registers `run` to happen at the end (or on SIGINT / error); returns a function that runs it now, once. */
export function onCleanup(what: string, run: Cleanup): () => Promise<void> {
  const id = nextCleanupId++;
  cleanups.set(id, { what, run });
  return async () => {
    const entry = cleanups.get(id);
    if (!entry) return;
    cleanups.delete(id);
    await entry.run();
  };
}

let cleaning: Promise<void> | undefined;

/**
 * Runs every registered cleanup, newest first; errors are reported, never thrown. Callers that arrive
 * while a cleanup is under way (a signal and the failing run it causes) wait for that same one.
 */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.size > 0) {
      const entries = [...cleanups.entries()].reverse();
      for (const [id, entry] of entries) {
        cleanups.delete(id);
        try {
          await entry.run();
        } catch (error) {
          process.stderr.write(`cleanup of ${entry.what} failed: ${(error as Error).message}\n`);
        }
      }
    }
  })().finally(() => (cleaning = undefined));
  return cleaning;
}

export const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && tree.length < 1000) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** CPU time (user + system) in milliseconds used so far by these processes. */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.ticks ?? 0;
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
}

/** Resident set size in bytes (VmRSS), summed over these processes. */
export function rssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/**
 * Time some runnable task waited for a CPU, in µs since boot (Linux PSI, /proc/pressure/cpu "some");
 * null where PSI is not available. Its growth over a step, divided by the step's length, is how
 * contended the machine was (other work on the box included).
 */
export function cpuStallMicros(): number | null {
  try {
    const match = /^some .*total=(\d+)/m.exec(fs.readFileSync("/proc/pressure/cpu", "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** What the bench probe (bench/server-probe.ts) reports from inside a server process on SIGUSR2. */
export interface ProbeReport {
  /** Date.now() in the server when it handled the signal. */
  at: number;
  /** How long the event-loop histogram of this report covers (since the previous report). */
  windowMs: number;
  samples: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  url: string;
  child: ChildProcess;
  /** Everything printed so far (capped), for error messages. */
  output(): string;
  /** Asks the probe for a report (and resets its event-loop histogram); null without a probe. */
  probe(timeoutMs?: number): Promise<ProbeReport | null>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  /** Script relative to the project root, run as `node --import tsx <script>`. */
  script: string;
  env: NodeJS.ProcessEnv;
  /** Load bench/server-probe.ts into the process (event-loop delay and heap, read on SIGUSR2). */
  withProbe: boolean;
  /** Expose `gc` so the probe can collect before reading the heap (capacity runs). */
  exposeGc?: boolean;
  /** More Node flags for this server, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  nodeArgs?: readonly string[];
  startTimeoutMs?: number;
}

const LISTENING = /"port":(\d+)[^\n]*"msg":"listening"/;
const OUTPUT_CAP = 200_000;

/**
 * Starts `node --import tsx <script>` (the same runtime as `npm start`, without tsx's wrapper process,
 * so the child's pid is the server's pid) and resolves once it logs its "listening" line.
 */
export function spawnNodeServer(options: SpawnOptions): Promise<ServerProcess> {
  const args = ["--import", "tsx"];
  if (options.withProbe) args.push("--import", path.join(ROOT, "bench", "server-probe.ts"));
  if (options.exposeGc) args.push("--expose-gc");
  // Extra Node flags for the server under test, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  args.push(...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean), ...(options.nodeArgs ?? []));
  args.push(options.script);
  const child = spawn(process.execPath, args, { cwd: ROOT, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const pid = child.pid;
  if (pid === undefined) return Promise.reject(new Error(`${options.name}: spawn failed`));

  let output = "";
  let probeWaiters: ((report: ProbeReport) => void)[] = [];
  let pendingLine = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    if (output.length < OUTPUT_CAP) output += text;
    pendingLine += text;
    let newline = pendingLine.indexOf("\n");
    while (newline >= 0) {
      const line = pendingLine.slice(0, newline);
      pendingLine = pendingLine.slice(newline + 1);
      if (line.startsWith("BENCH_PROBE ")) {
        const report = JSON.parse(line.slice("BENCH_PROBE ".length)) as ProbeReport;
        const waiters = probeWaiters;
        probeWaiters = [];
        for (const resolve of waiters) resolve(report);
      }
      newline = pendingLine.indexOf("\n");
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);

  const stop = onCleanup(`${options.name} (pid ${pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // The whole process group, by its id (the child is its leader).
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      return;
    }
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000).unref())]);
    if (!killed) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
      await exited;
    }
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.name} did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${output.slice(-4000)}`));
    }, options.startTimeoutMs ?? 60_000);
    const check = () => {
      const match = LISTENING.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off("data", check);
      child.stderr.off("data", check);
      const port = Number(match[1]);
      resolve({
        name: options.name,
        pid,
        port,
        url: `http://127.0.0.1:${port}`,
        child,
        output: () => output,
        probe(timeoutMs = 20_000) {
          if (!options.withProbe || child.exitCode !== null) return Promise.resolve(null);
          return new Promise<ProbeReport | null>((done) => {
            const sentAt = Date.now();
            let settled = false;
            const timeout = setTimeout(() => {
              settled = true;
              done(null);
            }, timeoutMs);
            // A report that answers an earlier, timed-out signal is older than this one: skip it.
            const wait = (report: ProbeReport) => {
              if (settled) return;
              if (report.at < sentAt) {
                probeWaiters.push(wait);
                return;
              }
              settled = true;
              clearTimeout(timeout);
              done(report);
            };
            probeWaiters.push(wait);
            child.kill("SIGUSR2");
          });
        },
        stop,
      });
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${child.exitCode ?? child.signalCode} before listening:\n${output.slice(-4000)}`));
    });
  });
}
