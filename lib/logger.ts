import pino from "pino";

/**
 * Structured JSON logs. Message text, passwords and tokens never belong in a log line: callers log
 * ids and sizes, and these paths are redacted as a second line of defence.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { pid: process.pid },
  redact: {
    paths: ["password", "token", "body", "*.password", "*.token", "*.body", "headers.cookie", "*.headers.cookie", "req.headers.authorization"],
    censor: "[redacted]",
  },
});

export type Logger = typeof logger;
