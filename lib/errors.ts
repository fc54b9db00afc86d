/**
 * The one error type of the product. Rules in lib/ throw it; the edges (Socket.IO acks, the JSON
 * WebSocket gateway, route handlers) map it with `toAck` / `toHttpStatus`. Anything else that reaches
 * an edge is logged and reported as INTERNAL with a generic message.
 */
export const ERROR_CODES = {
  /** The payload failed validation (wrong type, missing field, too long, empty after trimming). */
  VALIDATION: 400,
  /** No credentials, or a bad, tampered or expired token. */
  UNAUTHENTICATED: 401,
  /** The account is known but deactivated. */
  ACCOUNT_DISABLED: 403,
  /** The role may not do this, or the conversation is not the caller's. */
  FORBIDDEN: 403,
  /** The conversation, message or user does not exist (or is not visible to the caller). */
  NOT_FOUND: 404,
  /** The action lost a race or does not fit the current state (e.g. someone else took it first). */
  CONFLICT: 409,
  /** A frame or body above the size limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** Too many events or sign-in attempts; retry after `retryAfterMs`. */
  RATE_LIMITED: 429,
  /** The request's origin is not in ALLOWED_ORIGINS. */
  ORIGIN_NOT_ALLOWED: 403,
  /** The event type is not part of the protocol. */
  UNKNOWN_EVENT: 400,
  /** The server is shutting down and did not run the request: retry (same clientId) after reconnecting. */
  UNAVAILABLE: 503,
  /** Anything unexpected; details are in the server log only. */
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: WireError };

const GENERIC_MESSAGE = "Something went wrong on the server. Please try again.";

/** Maps any thrown value to the wire error; unknown errors are reported by `onUnknown` and hidden. */
export function toWireError(error: unknown, onUnknown?: (error: unknown) => void): WireError {
  if (error instanceof AppError) {
    return error.details ? { code: error.code, message: error.message, details: error.details } : { code: error.code, message: error.message };
  }
  onUnknown?.(error);
  return { code: "INTERNAL", message: GENERIC_MESSAGE };
}

export function toAck<T>(error: unknown, onUnknown?: (error: unknown) => void): Ack<T> {
  return { ok: false, error: toWireError(error, onUnknown) };
}

export function toHttpStatus(code: ErrorCode): number {
  return ERROR_CODES[code];
}
