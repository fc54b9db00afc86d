import type { Metadata } from "next";

export const dynamic = "force-static";

export const metadata: Metadata = { title: "Offline — Transit Support" };

/**
 * Served by the service worker when a page cannot be reached and no saved copy exists. Static, with no
 * client JavaScript of its own, so it always renders from the cache.
 */
export default function OfflinePage() {
  return (
    <main data-testid="offline-page" className="mx-auto flex min-h-dvh max-w-md flex-col gap-4 p-6">
      <h1 className="text-2xl font-bold">No connection</h1>
      <p>This page is not saved on your phone and there is no signal right now.</p>
      <p>
        Messages you already wrote are kept on this phone and will be sent, in order, as soon as the connection is back. In an
        emergency without signal, use the radio.
      </p>
      {/* A plain link: a full navigation lets the service worker serve the saved field app. */}
      <a href="/field" className="flex min-h-12 items-center justify-center rounded-lg bg-teal-800 px-4 font-semibold text-white">
        Open the field app
      </a>
    </main>
  );
}
