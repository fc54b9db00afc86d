import { z } from "zod";
import { getDb } from "../db";
import { AppError } from "../errors";
import { recordAudit } from "../audit";
import { signInRetryAfter, type ThrottleLimits } from "./throttle";
import { verifyPassword } from "./password";
import { SIGN_IN_MAX_ATTEMPTS, SIGN_IN_WINDOW_MS } from "../chat/constants";
import type { AuthUser } from "../chat/types";

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(200),
});
export type CredentialsInput = z.infer<typeof credentialsSchema>;

const LIMITS: ThrottleLimits = { maxPerAccount: SIGN_IN_MAX_ATTEMPTS, maxPerAddress: SIGN_IN_MAX_ATTEMPTS * 5, windowMs: SIGN_IN_WINDOW_MS };

export interface SignedInUser extends AuthUser {
  tokenVersion: number;
}

/**
 * Checks credentials. Throws VALIDATION, RATE_LIMITED, UNAUTHENTICATED (unknown email or wrong
 * password, deliberately the same answer) or ACCOUNT_DISABLED. Every outcome is audited.
 */
export async function signIn(input: unknown, ip: string | null): Promise<SignedInUser> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", "Give an email and a password.");
  const { email, password } = parsed.data;

  // Counted in the audit log: one count for every node, kept across restarts.
  const retryAfterMs = await signInRetryAfter(email, ip, LIMITS);
  if (retryAfterMs > 0) {
    await recordAudit({ action: "auth.sign_in_throttled", subject: email, ip });
    throw new AppError("RATE_LIMITED", "Too many sign-in attempts. Try again later.", { retryAfterMs });
  }

  const user = await getDb().user.findUnique({ where: { email } });
  const matches = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !matches) {
    await recordAudit({ action: "auth.sign_in_failed", subject: email, actorId: user?.id ?? null, ip });
    throw new AppError("UNAUTHENTICATED", "Wrong email or password.");
  }
  if (!user.isActive) {
    await recordAudit({ action: "auth.sign_in_failed", subject: email, actorId: user.id, ip, detail: { reason: "deactivated" } });
    throw new AppError("ACCOUNT_DISABLED", "This account has been deactivated.");
  }
  await recordAudit({ action: "auth.sign_in", actorId: user.id, subject: email, ip });
  return { id: user.id, name: user.name, email: user.email, role: user.role, tokenVersion: user.tokenVersion };
}
