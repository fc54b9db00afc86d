import { AppError, toHttpStatus, toWireError } from "@/lib/errors";
import { signIn } from "@/lib/auth/sign-in";
import { issueToken } from "@/lib/auth/tokens";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/logger";

export const dynamic = "force-dynamic";

/**
 * Tokens for non-browser clients: POST {"email","password"} → {"token","expiresAt","user"}.
 * 401 for bad credentials and for deactivated accounts, 429 when throttled.
 */
export async function POST(request: Request) {
  try {
    // Only JSON: a cross-site form cannot send it without a CORS preflight, which we never allow.
    if (!request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) {
      return Response.json({ error: { code: "VALIDATION", message: "Send JSON with Content-Type: application/json." } }, { status: 415 });
    }
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      throw new AppError("VALIDATION", "The body must be JSON: {\"email\", \"password\"}.");
    }
    const ip = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null;
    const user = await signIn(body, ip);
    const { token, expiresAt } = await issueToken({ sub: user.id, name: user.name, email: user.email, role: user.role, ver: user.tokenVersion });
    await recordAudit({ action: "auth.token_issued", actorId: user.id, ip });
    return Response.json({ token, expiresAt, user: { id: user.id, name: user.name, role: user.role } });
  } catch (error) {
    const wire = toWireError(error, (unknown) => logger.error({ err: unknown }, "token request failed"));
    const status = wire.code === "ACCOUNT_DISABLED" ? 401 : toHttpStatus(wire.code);
    return Response.json({ error: wire }, { status });
  }
}
