import { parse as parseCookies } from "cookie";
import { AppError } from "../errors";
import { verifyToken } from "../auth/tokens";
import { findActiveUser } from "../users/find-user";
import type { AuthUser } from "../chat/types";

// Who is connecting, for both transports. Browsers send their next-auth session cookie; other clients
// a token from POST /api/auth/token. Either way the account must still be active and not revoked.

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export interface HandshakeInfo {
  token?: unknown;
  cookieHeader?: string;
  origin?: string;
  host?: string;
  /** Whether the connection came over TLS (or a proxy said so); decides the expected origin scheme. */
  secure?: boolean;
}

/**
 * A browser always sends Origin on a WebSocket or cross-origin request. It must be listed in
 * ALLOWED_ORIGINS, or, when that is empty, equal the server's own origin (the Host it was reached at).
 * Clients that send no Origin (native apps, scripts) are not browsers and cannot be hijacked this way.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.length > 0) return allowed.includes(origin);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function sessionCookie(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  const cookies = parseCookies(cookieHeader);
  for (const name of SESSION_COOKIES) {
    if (cookies[name]) return cookies[name];
  }
  return undefined;
}

/** Throws ORIGIN_NOT_ALLOWED, UNAUTHENTICATED or ACCOUNT_DISABLED; resolves to the connecting user. */
export async function authenticateHandshake(info: HandshakeInfo, allowedOrigins: readonly string[]): Promise<AuthUser> {
  if (!isOriginAllowed(info.origin, info.host, allowedOrigins)) {
    throw new AppError("ORIGIN_NOT_ALLOWED", "Connections from this origin are not allowed.");
  }
  const token = typeof info.token === "string" && info.token.length > 0 ? info.token : sessionCookie(info.cookieHeader);
  if (!token) throw new AppError("UNAUTHENTICATED", "Sign in first: no session cookie or token.");
  if (token.length > 8192) throw new AppError("UNAUTHENTICATED", "The token is invalid or has expired; sign in again.");
  const claims = await verifyToken(token);
  return findActiveUser(claims.sub, claims.ver);
}
