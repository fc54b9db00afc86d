import { requireArea } from "@/lib/auth/session";
import { ControlDashboard } from "@/components/control/control-dashboard";

export const dynamic = "force-dynamic";

export default async function ControlPage() {
  const user = await requireArea("control");
  return <ControlDashboard user={user} />;
}
