#!/usr/bin/env node
// Our offline schema engine for the Prisma 7 CLI.
//
// Why: `prisma generate | migrate | db push` spawn a native "schema engine" that the CLI downloads on
// first use. That host is unreachable here and on many on-premises networks, and no native engine can
// open an embedded PGlite directory anyway. The CLI honours PRISMA_SCHEMA_ENGINE_BINARY (set in
// prisma.config.ts), so this file answers the engine's line-delimited JSON-RPC on stdin/stdout with
// the WASM build of the same engine (@prisma/schema-engine-wasm) over a JavaScript driver adapter.
//
// Datasource URLs: postgresql://pglite/<dir> (embedded PGlite; an empty dir means in-memory) and
// postgres(ql)://… (PostgreSQL through @prisma/adapter-pg).
//
// The server also imports `applyMigrations()` from here to migrate the embedded database at start,
// reusing the PGlite it already holds open (one process per data directory).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as wasmBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const require = createRequire(import.meta.url);
/** What `--version` reports: the engine hash the installed prisma CLI expects. */
const ENGINE_VERSION = "schema-engine-cli d1b3f377ca835d73fd50954a5e22128b9ebdd6b8";
const NO_FILTERS = { externalTables: [], externalEnums: [] };
const PGLITE_URL = /^postgres(?:ql)?:\/\/pglite\/(.*)$/;

/** Parses a postgres:// URL into discrete pg settings (adapter-pg 7.10 mishandles connectionString for shadow DBs). */
function pgSettings(url) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)) || "postgres",
  };
}

async function pgliteFactory(dir) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const target = dir || "memory://";
  if (!target.startsWith("memory://")) fs.mkdirSync(target, { recursive: true });
  const db = new PGlite(target);
  await db.waitReady;
  const factory = new PrismaPGlite(db);
  // pglite-prisma-adapter 0.7.2 does not await exec() in executeScript(), so a failing migration
  // would be recorded as applied. Replace it with an awaited version on every adapter it hands out.
  const awaitScripts = (adapter) => {
    adapter.executeScript = async (sql) => {
      try {
        await adapter.client.exec(sql);
      } catch (error) {
        adapter.onError(error);
      }
    };
    return adapter;
  };
  const connect = factory.connect.bind(factory);
  const connectShadow = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => awaitScripts(await connect());
  factory.connectToShadowDb = async () => awaitScripts(await connectShadow());
  factory.close = () => db.close();
  return factory;
}

async function postgresFactory(url) {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { default: pg } = await import("pg");
  const settings = pgSettings(url);
  const onAdminDb = async (sql) => {
    const client = new pg.Client({ ...settings, database: "postgres" });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  // adapter-pg 7.10 has no mapping for PostgreSQL's internal "char" type (oid 18), which the engine's
  // schema describer reads; report it as text.
  const mapCharAsText = (adapter) => {
    let proto = adapter;
    while (proto && !Object.prototype.hasOwnProperty.call(proto, "performIO")) proto = Object.getPrototypeOf(proto);
    if (proto && !proto.performIO.charAsText) {
      const performIO = proto.performIO;
      proto.performIO = async function (query) {
        const result = await performIO.call(this, query);
        for (const field of result?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
        return result;
      };
      proto.performIO.charAsText = true;
    }
    return adapter;
  };
  const factory = new PrismaPg(settings);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => mapCharAsText(await connect());
  // adapter-pg's own shadow database can end up being the main database, and it drops the database
  // before closing its pool. Make a uniquely named one, and drop it only after the pool is closed.
  factory.connectToShadowDb = async () => {
    const name = `prisma_shadow_${crypto.randomUUID().replaceAll("-", "")}`;
    await onAdminDb(`CREATE DATABASE "${name}"`);
    const adapter = mapCharAsText(await new PrismaPg({ ...settings, database: name }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await onAdminDb(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  };
  factory.createDatabase = async () => {
    const quoted = settings.database.replaceAll('"', '""');
    const found = await onAdminDb({ text: "SELECT 1 FROM pg_database WHERE datname = $1", values: [settings.database] });
    if (!found.rowCount) await onAdminDb(`CREATE DATABASE "${quoted}"`);
  };
  return factory;
}

/** A migration-capable driver adapter factory for a datasource URL. The caller closes it with `close()`. */
export async function openAdapterFactory(url) {
  const lite = PGLITE_URL.exec(url ?? "");
  if (lite) return pgliteFactory(lite[1]);
  if (/^postgres(?:ql)?:\/\//.test(url ?? "")) return postgresFactory(url);
  throw new Error(`prisma-schema-engine: unsupported datasource url (expected postgresql://…): ${url}`);
}

let wasmReady = false;
function initWasm() {
  if (wasmReady) return;
  const bindingsDir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const module = new WebAssembly.Module(fs.readFileSync(path.join(bindingsDir, "schema_engine_bg.wasm")));
  const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": wasmBindings });
  wasmBindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  wasmReady = true;
}

async function startEngine(factory, schemaFiles) {
  initWasm();
  const datamodels = schemaFiles.map((file) => [file, fs.readFileSync(file, "utf8")]);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const debugLog = (line) => process.env.SCHEMA_ENGINE_DEBUG && fs.appendFileSync(process.env.SCHEMA_ENGINE_DEBUG, `${line}\n`);
  const engine = await wasmBindings.SchemaEngine.new({ datamodels }, debugLog, bound);
  return { engine, driverErrors: () => bound.errorRegistry.registeredErrors.filter(Boolean).map((r) => r.error) };
}

/** The migrations folder in the shape the engine expects (the same one the CLI builds). */
export function readMigrations(migrationsDir) {
  const lockFile = path.join(migrationsDir, "migration_lock.toml");
  const dirs = fs.existsSync(migrationsDir)
    ? fs.readdirSync(migrationsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
    : [];
  return {
    baseDir: migrationsDir,
    shadowDbInitScript: "",
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lockFile) ? fs.readFileSync(lockFile, "utf8") : null },
    migrationDirectories: dirs.map((name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const content = fs.existsSync(file) ? { tag: "ok", value: fs.readFileSync(file, "utf8") } : { tag: "error", value: `missing ${file}` };
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  };
}

/**
 * `prisma migrate deploy`, in process. Pass an open `factory` to reuse the PGlite the server holds;
 * otherwise one is opened from `url` and closed afterwards. Resolves to the names of applied migrations.
 */
export async function applyMigrations({ url, factory, schemaPath = "prisma/schema.prisma", migrationsDir = "prisma/migrations" }) {
  const own = factory ?? (await openAdapterFactory(url));
  const { engine } = await startEngine(own, [schemaPath]);
  try {
    const result = await engine.applyMigrations({ migrationsList: readMigrations(migrationsDir), filters: NO_FILTERS });
    return result.appliedMigrationNames;
  } finally {
    engine.free();
    if (!factory) await own.close?.();
  }
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC server: what the CLI talks to when it spawns this file as its schema engine.

function parseArgs(argv) {
  const parsed = { schemaFiles: [], datasource: {}, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--datamodels") parsed.schemaFiles.push(argv[++i]);
    else if (arg === "--datasource") parsed.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++;
    else parsed.rest.push(arg);
  }
  return parsed;
}

/** `… cli can-connect-to-database | create-database`: one-shot commands with an exit code. */
async function runCliCommand(url, command) {
  try {
    const factory = await openAdapterFactory(url);
    try {
      if (command === "create-database" && factory.createDatabase) {
        await factory.createDatabase();
      } else {
        const adapter = await factory.connect();
        await adapter.queryRaw({ sql: "SELECT 1", args: [], argTypes: [] });
        await adapter.dispose?.();
      }
    } finally {
      await factory.close?.();
    }
    return 0;
  } catch (error) {
    const message = `${error?.message ?? error} ${JSON.stringify(error?.cause ?? "")}`;
    const code = /3D000|does not exist/i.test(message) ? "P1003" : "P1001";
    // The CLI skips the first stderr line and then reads a structured log record for the error code.
    process.stderr.write(`offline schema engine\n${JSON.stringify({ level: "ERROR", target: "schema_engine::logger", fields: { message, error_code: code } })}\n`);
    return 1;
  }
}

async function serveRpc({ schemaFiles, datasource }) {
  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  let factory;
  let started;
  const engineOnce = () =>
    (started ??= (async () => {
      factory = await openAdapterFactory(datasource.url);
      let files = schemaFiles;
      if (files.length === 0) {
        // e.g. `migrate diff --from-empty`: the WASM engine still wants a schema to start from.
        const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schema-engine-")), "schema.prisma");
        fs.writeFileSync(empty, 'datasource db {\n  provider = "postgresql"\n}\n');
        files = [empty];
      }
      return startEngine(factory, files);
    })());

  let printId = 1_000_000_000;
  async function handle(request) {
    const { id, method, params } = request;
    if (!method) return; // a reply to one of our own `print` requests
    let driverErrors = () => [];
    try {
      const started = await engineOnce();
      const engine = started.engine;
      driverErrors = started.driverErrors;
      let result;
      if (method === "createDatabase") {
        result = { databaseName: "" };
      } else {
        const name = method === "getDatabaseVersion" ? "version" : method;
        if (typeof engine[name] !== "function") throw new Error(`${method} is not supported by the WASM schema engine`);
        if (method === "evaluateDataLoss") {
          // The WASM engine only gets its shadow database for evaluateDataLoss after a devDiagnostic.
          await engine.devDiagnostic({ migrationsList: params.migrationsList, filters: params.filters ?? NO_FILTERS }).catch(() => {});
        }
        result = (await engine[name](params)) ?? {};
        if (method === "diff") {
          // The native engine prints a diff through a `print` request to the CLI, then returns the exit code.
          if (result.stdout) send({ jsonrpc: "2.0", id: printId++, method: "print", params: { content: result.stdout.replace(/\n$/, "") } });
          result = { exitCode: result.exitCode };
        }
      }
      send({ jsonrpc: "2.0", id, result });
    } catch (error) {
      const causes = driverErrors();
      const detail = causes.length ? `\nDriver error: ${causes.map((c) => c?.message ?? JSON.stringify(c)).join("; ")}` : "";
      send({
        jsonrpc: "2.0",
        id,
        error: {
          code: 4466,
          message: "An error happened. Check the data field for details.",
          data: { is_panic: error instanceof WebAssembly.RuntimeError, message: `${error?.message ?? error}${detail}`, error_code: error?.code, meta: error?.meta },
        },
      });
    }
  }

  // Requests are answered one at a time, in order, as the native engine does.
  let chain = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      return;
    }
    chain = chain.then(() => handle(request));
  });
  await new Promise((resolve) => lines.on("close", resolve));
  await chain;
  try {
    if (started) (await started).engine.free();
    await factory?.close?.();
  } catch {
    // closing after the CLI hung up: nothing left to report to
  }
  return 0;
}

async function main(argv) {
  if (argv[0] === "--version") {
    console.log(ENGINE_VERSION);
    return 0;
  }
  const args = parseArgs(argv);
  if (args.rest[0] === "cli") return runCliCommand(args.datasource.url, args.rest[1]);
  return serveRpc(args);
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
