import { redirect } from "next/navigation";
import { getSessionUser, homeFor } from "@/lib/auth/session";
import { SignInForm } from "@/components/auth/sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignInPage() {
  const user = await getSessionUser();
  if (user) redirect(homeFor(user.role));
  return (
    <main className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center gap-6 p-6">
      <div>
        <p className="text-sm font-semibold uppercase tracking-wide text-teal-700 dark:text-teal-300">Transit Support</p>
        <h1 className="text-3xl font-bold">Sign in</h1>
      </div>
      <SignInForm />
    </main>
  );
}
