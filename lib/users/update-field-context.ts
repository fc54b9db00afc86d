import { getDb } from "../db";
import { AppError } from "../errors";
import { requireField } from "../chat/access";
import { updateFieldContextSchema } from "../chat/schemas";
import type { AuthUser, UserSummary } from "../chat/types";

/** A shift longer than this is over: the next vehicle/route entry starts a new one. */
const SHIFT_MAX_MS = 16 * 60 * 60 * 1000;

/**
 * Field staff set their vehicle and route once per shift; new conversations carry them. The first
 * entry of a shift (none yet, or the last one began over 16 h ago) records the shift start; clearing
 * both ends the shift.
 */
export async function updateFieldContext(user: AuthUser, input: unknown): Promise<UserSummary> {
  requireField(user, "set a vehicle and route");
  const parsed = updateFieldContextSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid vehicle or route.");
  const db = getDb();
  const vehicle = parsed.data.vehicle || null;
  const route = parsed.data.route || null;
  const current = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { shiftStartedAt: true } });
  const now = Date.now();
  const isOnShift = current.shiftStartedAt !== null && now - current.shiftStartedAt.getTime() < SHIFT_MAX_MS;
  const shiftStartedAt = !vehicle && !route ? null : isOnShift ? current.shiftStartedAt : new Date(now);
  const updated = await db.user.update({ where: { id: user.id }, data: { vehicle, route, shiftStartedAt } });
  return { id: updated.id, name: updated.name, role: updated.role, vehicle: updated.vehicle, route: updated.route };
}
