"use client";

import type { SessionUser } from "@/lib/auth/session";

export function ControlDashboard({ user }: { user: SessionUser }) {
  return (
    <main className="p-6">
      <h1 className="text-xl font-bold">Control dashboard</h1>
      <p data-testid="signed-in-as">Signed in as {user.name}</p>
    </main>
  );
}
