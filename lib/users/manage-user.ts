import { getDb } from "../db";
import { AppError } from "../errors";
import { recordAudit } from "../audit";
import { hashPassword, PASSWORD_MIN_LENGTH } from "../auth/password";
import { ROLES, type Role } from "../chat/types";

async function findByEmailOrId(ref: string) {
  const user = await getDb().user.findFirst({ where: { OR: [{ id: ref }, { email: ref.trim().toLowerCase() }] } });
  if (!user) throw new AppError("NOT_FOUND", `No account ${ref}.`);
  return user;
}

/**
 * Deactivates an account and revokes its tokens (tokenVersion bump). The realtime layer disconnects
 * its sockets. Throws NOT_FOUND.
 */
export async function deactivateUser(ref: string, actorId: string | null = null): Promise<{ id: string }> {
  const user = await findByEmailOrId(ref);
  await getDb().user.update({ where: { id: user.id }, data: { isActive: false, tokenVersion: { increment: 1 } } });
  await recordAudit({ action: "user.deactivated", actorId, subject: user.id });
  return { id: user.id };
}

export async function reactivateUser(ref: string, actorId: string | null = null): Promise<{ id: string }> {
  const user = await findByEmailOrId(ref);
  await getDb().user.update({ where: { id: user.id }, data: { isActive: true } });
  await recordAudit({ action: "user.reactivated", actorId, subject: user.id });
  return { id: user.id };
}

/** Sets a new password and revokes existing tokens. Throws VALIDATION or NOT_FOUND. */
export async function setPassword(ref: string, password: string, actorId: string | null = null): Promise<void> {
  if (password.length < PASSWORD_MIN_LENGTH) throw new AppError("VALIDATION", `The password must be at least ${PASSWORD_MIN_LENGTH} characters.`);
  const user = await findByEmailOrId(ref);
  await getDb().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password), tokenVersion: { increment: 1 } } });
  await recordAudit({ action: "user.password_set", actorId, subject: user.id });
}

/** Changes a role and revokes tokens so the new role takes effect on the next sign-in. */
export async function changeRole(ref: string, role: string, actorId: string | null = null): Promise<void> {
  if (!(ROLES as readonly string[]).includes(role)) throw new AppError("VALIDATION", `Role must be one of ${ROLES.join(", ")}.`);
  const user = await findByEmailOrId(ref);
  await getDb().user.update({ where: { id: user.id }, data: { role: role as Role, tokenVersion: { increment: 1 } } });
  await recordAudit({ action: "user.role_changed", actorId, subject: user.id, detail: { from: user.role, to: role } });
}
