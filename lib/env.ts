import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "./chat/constants";

/** Configuration, validated once at start. A bad value becomes one readable line naming the variable. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// or postgresql:// URL")
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, "must be a redis:// URL").optional(),
  /** Prefix of every Redis key and channel (adapter stream, rate-limit buckets); the same on all nodes. */
  REDIS_PREFIX: z.string().min(1).max(64).default("transit:"),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  NEXTAUTH_URL: z.url("must be a URL such as https://chat.example.org").optional(),
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const origins = (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);
      for (const origin of origins) {
        try {
          if (new URL(origin).origin !== origin) throw new Error("not an origin");
        } catch {
          ctx.addIssue({ code: "custom", message: `"${origin}" is not an origin like https://chat.example.org` });
        }
      }
      return origins;
    }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** "1" seeds the demo accounts on an empty embedded database even in production; "0" never. */
  SEED_DEMO: z.enum(["0", "1"]).optional(),
  /** Interval of the reminder for unclaimed conversations, in seconds. */
  UNCLAIMED_REMINDER_SECONDS: z.coerce.number().int().min(5).max(3600).default(30),
  /** An emergency unacknowledged this long escalates (louder alert, admins notified). */
  EMERGENCY_ESCALATION_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Per-user event limit: a burst of this many events… */
  RATE_LIMIT_BURST: z.coerce.number().int("must be a whole number").min(1).max(100_000).default(RATE_LIMIT_BURST),
  /** …refilled at this many events per second. */
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive("must be a number above 0").max(100_000).default(RATE_LIMIT_PER_SECOND),
  /** The control room's phone number, shown to drivers as a "Call control" link (digits, spaces, + ( ) -). */
  CONTROL_PHONE: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{2,23}$/, "must be a phone number such as +44 20 7946 0000")
    .optional(),
  /** Bearer token of GET /api/metrics (Prometheus); without it the endpoint refuses every scrape. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
});

export type Env = z.infer<typeof envSchema> & { NEXTAUTH_SECRET: string; isProduction: boolean };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Reads the dev secret from the data directory, creating it once, so sessions survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, ".nextauth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString("base64url");
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  }
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const raw = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join(".") ?? "environment";
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? "is invalid"}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === "production";
  let secret = env.NEXTAUTH_SECRET;
  if (!secret) {
    if (isProduction) throw new ConfigError("Invalid configuration: NEXTAUTH_SECRET is required in production (32+ random characters)");
    secret = developmentSecret(env.DATA_DIR);
  }
  return { ...env, NEXTAUTH_SECRET: secret, isProduction };
}
