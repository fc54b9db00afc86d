"use client";

import type { ReactNode } from "react";
import { signOut } from "next-auth/react";
import { useChatStore } from "@/components/realtime/chat-provider";
import { useConfirm } from "./confirm-dialog";

/**
 * Sign-out for both UIs. With messages still in the outbox it asks first ("2 messages not sent yet —
 * sign out anyway?"); then it forgets this user's outbox and reading copy and the cached pages on the
 * device, and ends the session. Returns the dialog to render and the action.
 */
export function useSignOut(): [ReactNode, () => Promise<void>] {
  const store = useChatStore();
  const [dialog, confirm] = useConfirm();

  async function run(): Promise<void> {
    const unsent = store.getState().countUnsent();
    if (unsent > 0) {
      const ok = await confirm({
        title: `${unsent} message${unsent === 1 ? "" : "s"} not sent yet — sign out anyway?`,
        body: "They are still waiting for the connection and will be lost from this device.",
        confirmLabel: "Sign out anyway",
        tone: "danger",
      });
      if (!ok) return;
    }
    await store.getState().clearDevice();
    if ("caches" in window) {
      const names = await caches.keys().catch(() => [] as string[]);
      await Promise.all(names.map((name) => caches.delete(name).catch(() => false)));
    }
    await signOut({ callbackUrl: "/signin" });
  }

  return [dialog, run];
}
