/** Limits shared by the zod schemas, the transports and the UI. */
export const MESSAGE_MAX_LENGTH = 4000;
export const TITLE_MAX_LENGTH = 120;
export const CLIENT_ID_MAX_LENGTH = 64;
export const ID_MAX_LENGTH = 64;
export const HISTORY_PAGE_MAX = 100;
export const HISTORY_PAGE_DEFAULT = 50;
/** Largest accepted frame on either transport; bigger frames are refused by the transport itself. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Typing state expires on the other side after this long without a refresh. */
export const TYPING_EXPIRY_MS = 5000;
/** A typer's "started typing" is forwarded at most this often. */
export const TYPING_THROTTLE_MS = 1000;
/** "Viewing" (a controller has a conversation open) expires after this long without a refresh. */
export const VIEWING_EXPIRY_MS = 30_000;
/** A viewer's "viewing" is forwarded at most this often; the dashboard refreshes it more often. */
export const VIEWING_THROTTLE_MS = 10_000;
/** Resolved conversations stay in a field user's active list for this long. */
export const RECENTLY_RESOLVED_MS = 24 * 60 * 60 * 1000;
/** Per-user event rate limit: a bucket of BURST tokens refilled at SUSTAINED per second. */
export const RATE_LIMIT_BURST = 30;
export const RATE_LIMIT_PER_SECOND = 10;
/** Sign-in throttle: attempts per window, per account and per address. */
export const SIGN_IN_MAX_ATTEMPTS = 10;
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
/** Lifetime of tokens from POST /api/auth/token and of browser sessions. */
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;
export const PREVIEW_LENGTH = 140;

/** A driver can call an emergency off as a false alarm for this long after raising it. */
export const EMERGENCY_CANCEL_WINDOW_MS = 60_000;

/** The server's Socket.IO heartbeat; a client that hears none for this long plus a grace says "No signal". */
export const HEARTBEAT_INTERVAL_MS = 10_000;
