import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session";
import { AdminPanel } from "@/components/control/admin/admin-panel";

export const dynamic = "force-dynamic";

/** Admins only: user management and the audit record. The server checks the role again per event. */
export default async function AdminPage() {
  const user = await getSessionUser();
  if (!user) redirect("/signin?callbackUrl=/admin");
  if (user.role !== "CONTROL_ADMIN") redirect("/forbidden?from=admin");
  return <AdminPanel user={user} />;
}
