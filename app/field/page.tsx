import type { Metadata } from "next";
import { requireArea } from "@/lib/auth/session";
import { FieldApp } from "@/components/field/field-app";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Field support — Transit Support",
  icons: { apple: "/icons/apple-touch-icon.png" },
  appleWebApp: { capable: true, title: "Support", statusBarStyle: "default" },
};

export default async function FieldPage() {
  const user = await requireArea("field");
  return <FieldApp user={user} />;
}
