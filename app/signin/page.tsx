import { redirect } from "next/navigation";
import { getSessionUser, homeFor } from "@/lib/auth/session";
import { SignInForm } from "@/components/auth/sign-in-form";

export const dynamic = "force-dynamic";

/** next-auth sends a form that reached it without its CSRF token (sent before the page's script loaded) back here. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await getSessionUser();
  const params = await searchParams;
  const wasEarly = params.csrf === "true" || typeof params.error === "string";
  if (user) redirect(homeFor(user.role));
  return (
    <main className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center gap-6 p-6">
      <div>
        <p className="text-sm font-semibold uppercase tracking-wide text-teal-700 dark:text-teal-300">Transit Support</p>
        <h1 className="text-3xl font-bold">Sign in</h1>
      </div>
      {wasEarly ? (
        <p role="status" data-testid="signin-retry" className="rounded-lg bg-amber-100 p-3 text-sm text-amber-950 dark:bg-amber-950 dark:text-amber-100">
          The page had not finished loading. Enter your email and password again.
        </p>
      ) : null}
      <SignInForm />
    </main>
  );
}
