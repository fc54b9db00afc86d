import type { Metadata } from "next";

export const metadata: Metadata = { title: "Account deactivated — Transit Support" };

/** Where a deactivated account lands (its sessions were revoked): a clear answer, not a redirect loop. */
export default function Deactivated() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6">
      <h1 className="text-2xl font-bold">Your account is deactivated — contact your supervisor</h1>
      <p>This phone or computer can no longer send or read support messages for this account.</p>
      <p>If another person needs to use this device, they can sign in with their own account.</p>
      <a className="text-teal-800 underline dark:text-teal-300" href="/signin">
        Sign in with another account
      </a>
    </main>
  );
}
