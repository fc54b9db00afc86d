import { getDb } from "../db";
import { AppError } from "../errors";
import { requireControl } from "../chat/access";
import { listUsersSchema } from "../chat/schemas";
import type { AccountView, AuthUser } from "../chat/types";
import type { User } from "../generated/prisma/client";

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
 * every account, filtered by role and optionally the deactivated ones. Throws FORBIDDEN or VALIDATION.
 */
export async function listUsers(viewer: AuthUser, input: unknown): Promise<AccountView[]> {
  requireControl(viewer, "list accounts");
  const parsed = listUsersSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const isAdmin = viewer.role === "CONTROL_ADMIN";
  const roles = isAdmin ? (parsed.data.role ? [parsed.data.role] : undefined) : ["CONTROL_STAFF" as const, "CONTROL_ADMIN" as const];
  const users = await getDb().user.findMany({
    where: {
      ...(roles ? { role: { in: roles } } : {}),
      ...(isAdmin && parsed.data.includeInactive ? {} : { isActive: true }),
    },
    orderBy: { name: "asc" },
    take: 1000,
  });
  return users.map(toAccountView);
}
