// The field app's side of the service worker (public/sw.js): registration, warming the cache with
// what this page loaded, and asking it to show a notification.

/** What the page asks public/sw.js to do. */
export type WorkerRequest =
  | { type: "cache-urls"; urls: string[] }
  | { type: "notify"; title: string; body: string; tag: string; url: string }
  | { type: "last-notification" };

export async function registerServiceWorker(): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  const registration = await navigator.serviceWorker.ready;
  // The first visit is not controlled yet: hand the worker this page and the scripts and styles it
  // loaded, so a reload without signal still starts.
  const assets = performance
    .getEntriesByType("resource")
    .map((entry) => entry.name)
    .filter((url) => url.startsWith(`${location.origin}/_next/static/`));
  const request: WorkerRequest = { type: "cache-urls", urls: [location.pathname, ...new Set(assets)] };
  registration.active?.postMessage(request);
}

export function canNotify(): boolean {
  return typeof Notification !== "undefined" && "serviceWorker" in navigator;
}

/** Shows a system notification through the service worker (works while the page is hidden). */
export async function notifyInBackground(notification: { title: string; body: string; tag: string }): Promise<void> {
  if (!canNotify() || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker.ready;
  const request: WorkerRequest = { type: "notify", ...notification, url: "/field" };
  registration.active?.postMessage(request);
}
