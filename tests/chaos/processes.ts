import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ROOT, TEST_SECRET } from "../helpers/server";
import type { TestDatabase } from "../helpers/database";

// The processes a chaos run starts and kills: server nodes (server.ts, production build) on fixed
// ports so that a restarted node comes back at the same address, and a private redis-server. Only
// processes started here are ever signalled, always by their own pid.

const OUTPUT_KEEP = 4_000_000;

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

export interface NodeOptions {
  name: string;
  database: TestDatabase;
  /** This node's own DATA_DIR (PGlite: the database; PostgreSQL: only the dev secret's directory). */
  dataDir: string;
  env?: Record<string, string>;
  startTimeoutMs: number;
}

/**
 * One server.ts process, restartable on the same port. It runs as `node --import tsx server.ts`
 * (no tsx wrapper process), so SIGKILL reaches the server itself and the exit code is the server's.
 */
export class ServerNode {
  port = 0;
  private child: ChildProcess | undefined;
  private output = "";
  private starts = 0;
  private errorLines = 0;

  constructor(private readonly options: NodeOptions) {}

  get name(): string {
    return this.options.name;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many times this node was started. */
  get startCount(): number {
    return this.starts;
  }

  /** Log lines at level error or fatal, over every start. */
  get errorLogLines(): number {
    return this.errorLines;
  }

  /** Everything the node printed across restarts (the last megabyte or two). */
  fullOutput(): string {
    return this.output;
  }

  /** The last part of everything the node printed, across restarts. */
  tail(chars = 4000): string {
    return this.output.slice(-chars);
  }

  /** Starts the node and resolves once it listens; a port taken meanwhile is replaced by a fresh one. */
  async start(): Promise<void> {
    if (this.isRunning) throw new Error(`node ${this.name} is already running`);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.port === 0) this.port = await freePort();
      try {
        await this.spawnOnce();
        return;
      } catch (error) {
        if (!/EADDRINUSE/.test(String(error))) throw error;
        this.port = 0;
      }
    }
    throw new Error(`node ${this.name}: no free port after 3 attempts`);
  }

  private spawnOnce(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(this.port),
      HOST: "127.0.0.1",
      DATA_DIR: this.options.dataDir,
      NEXTAUTH_SECRET: TEST_SECRET,
      LOG_LEVEL: "info",
      SEED_DEMO: "0",
      ...this.options.env,
    };
    delete env.REDIS_URL;
    delete env.REDIS_PREFIX;
    if (this.options.database.databaseUrl) env.DATABASE_URL = this.options.database.databaseUrl;
    else delete env.DATABASE_URL;
    Object.assign(env, this.options.env);

    this.starts += 1;
    const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let pendingLine = "";
    let recent = "";
    let onListening: (() => void) | undefined;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output += text;
      if (this.output.length > OUTPUT_KEEP * 2) this.output = this.output.slice(-OUTPUT_KEEP);
      recent = (recent + text).slice(-8000);
      const lines = (pendingLine + text).split("\n");
      pendingLine = lines.pop() ?? "";
      for (const line of lines) {
        if (/"level":(50|60)/.test(line)) this.errorLines += 1;
        if (/"msg":"listening"/.test(line)) onListening?.();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);

    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`node ${this.name} did not listen within ${this.options.startTimeoutMs} ms:\n${recent.slice(-4000)}`));
      }, this.options.startTimeoutMs);
      onListening = () => {
        onListening = undefined;
        clearTimeout(timer);
        resolve();
      };
      void waitForExit(child).then(({ code, signal }) => {
        if (!onListening) return;
        clearTimeout(timer);
        reject(new Error(`node ${this.name} exited (${code ?? signal}) before listening:\n${recent.slice(-4000)}`));
      });
    });
  }

  /** Power loss: SIGKILL, no shutdown code runs. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.isRunning) return;
    const exited = waitForExit(child);
    child.kill("SIGKILL");
    await exited;
  }

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    if (!this.isRunning) return child.exitCode;
    const exited = waitForExit(child);
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const { code } = await exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * A redis-server of our own on a random port, never the machine's shared one: it can be killed and
 * restarted without touching anyone else. No persistence (`--save ""`, no AOF): a restart loses
 * everything in it, the hardest case for the cluster.
 */
export class PrivateRedis {
  port = 0;
  private child: ChildProcess | undefined;
  private output = "";
  restarts = 0;

  constructor(private readonly workDir: string) {}

  static isInstalled(): boolean {
    return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, "redis-server")));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) throw new Error("redis is already running");
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.port === 0) this.port = await freePort();
      const child = spawn(
        "redis-server",
        ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.workDir, "--protected-mode", "yes"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      this.child = child;
      const ready = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 30_000);
        const onData = (chunk: Buffer) => {
          this.output += chunk.toString();
          if (/Ready to accept connections/.test(this.output)) {
            clearTimeout(timer);
            resolve(true);
          }
        };
        this.output = "";
        child.stdout?.on("data", onData);
        child.stderr?.on("data", onData);
        void waitForExit(child).then(() => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (ready) return;
      child.kill("SIGKILL");
      await waitForExit(child);
      if (!/Address already in use/.test(this.output)) throw new Error(`redis-server did not start:\n${this.output.slice(-2000)}`);
      this.port = 0;
    }
    throw new Error("redis-server: no free port after 3 attempts");
  }

  /** SIGKILL: everything in memory is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = waitForExit(child);
    child.kill("SIGKILL");
    await exited;
  }

  async restart(downMs: number): Promise<void> {
    await this.kill();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.restarts += 1;
    await this.start();
  }
}
