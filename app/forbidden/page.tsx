import Link from "next/link";
import { getSessionUser, homeFor } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function Forbidden() {
  const user = await getSessionUser();
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6">
      <h1 className="text-2xl font-bold">403 — not for your role</h1>
      <p>This area is not available to your account.</p>
      <Link className="text-teal-700 underline dark:text-teal-300" href={user ? homeFor(user.role) : "/signin"}>
        Go to your area
      </Link>
    </main>
  );
}
