import { getDb } from "../db";
import { AppError } from "../errors";
import { requireControl } from "../chat/access";
import { listUsersSchema } from "../chat/schemas";
import type { AccountView, AuthUser } from "../chat/types";
import type { Prisma, User } from "../generated/prisma/client";

export function toAccountView(user: User): AccountView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    vehicle: user.vehicle,
    route: user.route,
    isActive: user.isActive,
    createdAt: user.createdAt.toISOString(),
  };
}

/**
 * Accounts, by name. Control staff see active control staff (to transfer a conversation); admins see
 * every account, filtered by role, by a search over name, email, vehicle and route, and optionally
 * with the deactivated ones. With `limit`, one page (`offset` skips by name) and the total that match;
 * without it, the first 1,000. Throws FORBIDDEN or VALIDATION.
 */
export async function listUsers(viewer: AuthUser, input: unknown): Promise<{ users: AccountView[]; total: number }> {
  requireControl(viewer, "list accounts");
  const parsed = listUsersSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const { role, includeInactive, search, limit, offset } = parsed.data;
  const isAdmin = viewer.role === "CONTROL_ADMIN";
  const roles = isAdmin ? (role ? [role] : undefined) : ["CONTROL_STAFF" as const, "CONTROL_ADMIN" as const];
  const contains = search ? { contains: search, mode: "insensitive" as const } : undefined;
  const where: Prisma.UserWhereInput = {
    ...(roles ? { role: { in: roles } } : {}),
    ...(isAdmin && includeInactive ? {} : { isActive: true }),
    ...(contains ? { OR: [{ name: contains }, { email: contains }, { vehicle: contains }, { route: contains }] } : {}),
  };
  const db = getDb();
  const [users, total] = await Promise.all([
    db.user.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], skip: limit ? (offset ?? 0) : 0, take: limit ?? 1000 }),
    db.user.count({ where }),
  ]);
  return { users: users.map(toAccountView), total };
}
