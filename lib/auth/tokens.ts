import { decode, encode } from "next-auth/jwt";
import { TOKEN_TTL_SECONDS } from "../chat/constants";
import { AppError } from "../errors";
import { ROLES, type Role } from "../chat/types";

// Tokens for non-browser clients use the same format as the browser's session cookie (next-auth's
// encrypted JWT), so the socket handshake verifies both the same way.

export interface TokenClaims {
  sub: string;
  name: string;
  email: string;
  role: Role;
  /** The user's tokenVersion when the token was issued; bumping it revokes the token. */
  ver: number;
}

function secret(): string {
  const value = process.env.NEXTAUTH_SECRET;
  if (!value) throw new Error("NEXTAUTH_SECRET is not set");
  return value;
}

export async function issueToken(claims: TokenClaims, ttlSeconds = TOKEN_TTL_SECONDS): Promise<{ token: string; expiresAt: string }> {
  const token = await encode({ token: { ...claims }, secret: secret(), maxAge: ttlSeconds });
  return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
}

/** Verifies a token or session cookie; throws UNAUTHENTICATED for anything tampered, expired or malformed. */
export async function verifyToken(token: string): Promise<TokenClaims> {
  let payload: Record<string, unknown> | null = null;
  try {
    payload = (await decode({ token, secret: secret() })) as Record<string, unknown> | null;
  } catch {
    payload = null;
  }
  const role = payload?.role;
  if (
    !payload ||
    typeof payload.sub !== "string" ||
    typeof role !== "string" ||
    !(ROLES as readonly string[]).includes(role) ||
    (typeof payload.exp === "number" && payload.exp * 1000 < Date.now())
  ) {
    throw new AppError("UNAUTHENTICATED", "The token is invalid or has expired; sign in again.");
  }
  return {
    sub: payload.sub,
    name: typeof payload.name === "string" ? payload.name : "",
    email: typeof payload.email === "string" ? payload.email : "",
    role: role as Role,
    ver: typeof payload.ver === "number" ? payload.ver : 0,
  };
}
