"use client";

import type { SessionUser } from "@/lib/auth/session";

export function FieldApp({ user }: { user: SessionUser }) {
  return (
    <main className="mx-auto max-w-md p-4">
      <h1 className="text-xl font-bold">Field support</h1>
      <p data-testid="signed-in-as">Signed in as {user.name}</p>
    </main>
  );
}
