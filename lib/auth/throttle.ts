import { getDb } from "../db";

/**
 * Sign-in throttling, counted in the audit log (`auth.sign_in_failed` rows), so that every node of a
 * cluster shares one count and a restart forgets nothing. An account may fail `maxPerAccount` times
 * in a sliding window (its count starts again after a successful sign-in); an address
 * `maxPerAddress` times. Sign-ins are rare, so two indexed reads per attempt cost nothing that
 * matters.
 */
export interface ThrottleLimits {
  maxPerAccount: number;
  maxPerAddress: number;
  windowMs: number;
}

/** Milliseconds until the `limit`-th newest of these failures leaves the window, or 0 when under the limit. */
function waitFor(failures: readonly { createdAt: Date }[], limit: number, windowMs: number, now: number): number {
  const oldestCounted = failures[limit - 1];
  if (!oldestCounted) return 0;
  return Math.max(0, oldestCounted.createdAt.getTime() + windowMs - now);
}

/**
 * Milliseconds until this email and address may try again, or 0 when they may try now. Requests
 * without a known address (null) share one address count.
 */
export async function signInRetryAfter(email: string, address: string | null, limits: ThrottleLimits, now = Date.now()): Promise<number> {
  const db = getDb();
  const windowStart = new Date(now - limits.windowMs);
  const lastSuccess = await db.auditEvent.findFirst({
    where: { action: "auth.sign_in", subject: email, createdAt: { gt: windowStart } },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  const accountSince = lastSuccess?.createdAt ?? windowStart;
  const [byAccount, byAddress] = await Promise.all([
    db.auditEvent.findMany({
      where: { action: "auth.sign_in_failed", subject: email, createdAt: { gt: accountSince } },
      orderBy: { createdAt: "desc" },
      take: limits.maxPerAccount,
      select: { createdAt: true },
    }),
    db.auditEvent.findMany({
      where: { action: "auth.sign_in_failed", ip: address, createdAt: { gt: windowStart } },
      orderBy: { createdAt: "desc" },
      take: limits.maxPerAddress,
      select: { createdAt: true },
    }),
  ]);
  return Math.max(waitFor(byAccount, limits.maxPerAccount, limits.windowMs, now), waitFor(byAddress, limits.maxPerAddress, limits.windowMs, now));
}
