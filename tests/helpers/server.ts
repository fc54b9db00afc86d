import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createTestDatabase, inspectDatabase, prepareDatabase, type TestDatabase, type TestUser, type TestUserSpec } from "./database";
import type { Db } from "../../lib/db";

// Boots the real server.ts (production build) on port 0 in a child process, with its own database.
// Needs `npm run build` first (npm test does it).

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the server printed, for log assertions. */
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  database: TestDatabase;
  env?: Record<string, string | undefined>;
  /** Resolve on the first line matching this instead of "listening" (for refusal tests). */
  waitForExit?: boolean;
}

export function spawnServer(options: StartOptions): Promise<RunningServer> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: options.database.dataDir,
    NEXTAUTH_SECRET: TEST_SECRET,
    LOG_LEVEL: "info",
    SEED_DEMO: "0",
    ...options.env,
  };
  if (options.database.databaseUrl) env.DATABASE_URL = options.database.databaseUrl;
  else delete env.DATABASE_URL;
  for (const [key, value] of Object.entries(options.env ?? {})) if (value === undefined) delete env[key];

  // node itself (not the tsx wrapper) so that a signal, SIGKILL included, reaches the server process.
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(output);
      if (match && !options.waitForExit) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({
          url: `http://127.0.0.1:${port}`,
          port,
          process: child,
          output: () => output,
          async stop(signal = "SIGTERM") {
            if (child.exitCode !== null) return child.exitCode;
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      if (options.waitForExit) {
        clearTimeout(timer);
        resolve({ url: "", port: 0, process: child, output: () => output, stop: async () => code });
      } else {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${output}`));
      }
    });
  });
}

export interface TestServer extends RunningServer {
  database: TestDatabase;
  users: Record<string, TestUser>;
  /** A token from POST /api/auth/token for a user key. */
  token(key: string): Promise<string>;
  /** Stops the server (if running) and reads the database directly. */
  inspect<T>(read: (db: Db) => Promise<T>): Promise<T>;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/** A fresh database with `users`, and the server running on it. */
export async function startTestServer(users: Record<string, TestUserSpec>, env?: Record<string, string | undefined>): Promise<TestServer> {
  const database = await createTestDatabase();
  const created = await prepareDatabase(database, users);
  const running = await spawnServer({ database, env });
  const tokens = new Map<string, string>();
  return {
    ...running,
    database,
    users: created,
    async token(key) {
      const cached = tokens.get(key);
      if (cached) return cached;
      const user = created[key];
      if (!user) throw new Error(`no test user ${key}`);
      const response = await fetch(`${running.url}/api/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      if (!response.ok) throw new Error(`token for ${key}: ${response.status} ${await response.text()}`);
      const { token } = (await response.json()) as { token: string };
      tokens.set(key, token);
      return token;
    },
    ...databaseControls(running, database),
  };
}

/** `inspect` and `close` for a server running on its own test database (see TestServer). */
export function databaseControls(running: RunningServer, database: TestDatabase): Pick<TestServer, "inspect" | "close"> {
  return {
    async inspect(read) {
      if (database.kind === "pglite") await running.stop();
      return inspectDatabase(database, read);
    },
    async close() {
      await running.stop();
      await database.drop();
    },
  };
}
