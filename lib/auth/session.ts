import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "./auth-options";
import { isControlRole, isFieldRole, ROLES, type Role } from "../chat/types";

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as (Record<string, unknown> & { role?: string }) | undefined;
  if (!user || typeof user.id !== "string" || !user.role || !(ROLES as readonly string[]).includes(user.role)) return null;
  return { id: user.id, name: String(user.name ?? ""), email: String(user.email ?? ""), role: user.role as Role };
}

/** Where a role works after signing in. */
export function homeFor(role: Role): string {
  return isFieldRole(role) ? "/field" : "/control";
}

/** For pages: signed-out users go to sign-in; a role that may not see the page goes to its own area. */
export async function requireArea(area: "field" | "control"): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/signin?callbackUrl=/${area}`);
  const allowed = area === "field" ? isFieldRole(user.role) : isControlRole(user.role);
  if (!allowed) redirect(`/forbidden?from=${area}`);
  return user;
}
