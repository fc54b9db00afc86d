import { getDb } from "../db";
import { AppError } from "../errors";
import { requireField } from "../chat/access";
import { updateFieldContextSchema } from "../chat/schemas";
import type { AuthUser, UserSummary } from "../chat/types";

/** Field staff set their vehicle and route once per shift; new conversations carry them. */
export async function updateFieldContext(user: AuthUser, input: unknown): Promise<UserSummary> {
  requireField(user, "set a vehicle and route");
  const parsed = updateFieldContextSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid vehicle or route.");
  const updated = await getDb().user.update({
    where: { id: user.id },
    data: { vehicle: parsed.data.vehicle || null, route: parsed.data.route || null },
  });
  return { id: updated.id, name: updated.name, role: updated.role, vehicle: updated.vehicle, route: updated.route };
}
