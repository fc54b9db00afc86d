import { requireArea } from "@/lib/auth/session";
import { FieldApp } from "@/components/field/field-app";

export const dynamic = "force-dynamic";

export default async function FieldPage() {
  const user = await requireArea("field");
  return <FieldApp user={user} />;
}
