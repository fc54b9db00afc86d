/* global self, caches, fetch */
// Field app service worker, hand-written (no build step, no library).
// - Navigations: network first. The last good copy of /field is kept and served without signal;
//   any other page that cannot be reached gets the static offline page.
// - /_next/static/ (content-hashed, immutable): cache first.
// - Socket.IO, /api/ and everything cross-origin: never touched.
// - Notifications: the page posts { type: "notify" } while it is hidden; we call showNotification.
const VERSION = "v1";
const SHELL = `field-shell-${VERSION}`;
const ASSETS = `field-assets-${VERSION}`;
const OFFLINE_URL = "/offline";
const FIELD_URL = "/field";
const PRECACHE = [OFFLINE_URL, "/manifest.webmanifest", "/icon.svg", "/icons/icon-192.png", "/icons/icon-512.png", "/icons/maskable-512.png"];

/** The last notification this worker was asked to show (read by the field app's tests). */
let lastNotification = null;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      await cache.addAll(PRECACHE);
      // The offline page's own scripts and styles, so it renders from the cache alone.
      const response = await cache.match(OFFLINE_URL);
      if (response) await cache.addAll(assetUrlsIn(await response.text()));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL, ASSETS]);
      for (const key of await caches.keys()) if (!keep.has(key)) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

function assetUrlsIn(html) {
  const urls = new Set();
  for (const match of html.matchAll(/(?:src|href)="(\/_next\/static\/[^"]+)"/g)) urls.add(match[1]);
  return [...urls];
}

function isFieldPath(pathname) {
  return pathname === FIELD_URL || pathname.startsWith(`${FIELD_URL}/`);
}

async function navigate(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (isFieldPath(url.pathname)) {
      const cache = await caches.open(SHELL);
      // Only a real page for a signed-in user is kept; a redirect (signed out) forgets the copy.
      if (response.ok && response.type === "basic" && !response.redirected) await cache.put(FIELD_URL, response.clone());
      else if (response.type === "opaqueredirect" || response.redirected) await cache.delete(FIELD_URL);
    }
    return response;
  } catch (error) {
    const cache = await caches.open(SHELL);
    if (isFieldPath(url.pathname)) {
      const saved = await cache.match(FIELD_URL);
      if (saved) return saved;
    }
    const offline = await cache.match(OFFLINE_URL);
    if (offline) return offline;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/socket.io") || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (url.pathname.startsWith("/_next/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});

async function cacheUrls(urls) {
  const assets = await caches.open(ASSETS);
  for (const raw of urls) {
    const url = new URL(raw, self.location.origin);
    if (url.origin !== self.location.origin) continue;
    try {
      if (url.pathname.startsWith("/_next/static/")) {
        if (!(await assets.match(url.href))) await assets.add(url.href);
      } else if (isFieldPath(url.pathname)) {
        const response = await fetch(FIELD_URL, { credentials: "same-origin", redirect: "follow" });
        if (response.ok && !response.redirected) await (await caches.open(SHELL)).put(FIELD_URL, response);
      }
    } catch {
      // Best effort: the next online visit fills the gap.
    }
  }
}

async function notify({ title, body, tag, url }) {
  lastNotification = { title, body, tag, url, at: new Date().toISOString() };
  await self.registration.showNotification(title, {
    body,
    tag,
    renotify: true,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: { url },
  });
}

self.addEventListener("message", (event) => {
  const message = event.data;
  if (!message || typeof message.type !== "string") return;
  if (message.type === "cache-urls" && Array.isArray(message.urls)) {
    event.waitUntil(cacheUrls(message.urls));
  } else if (message.type === "notify" && typeof message.title === "string") {
    event.waitUntil(notify(message));
  } else if (message.type === "last-notification") {
    // Answers on the port the page sent, or to the page itself.
    const reply = { type: "last-notification", notification: lastNotification };
    if (event.ports[0]) event.ports[0].postMessage(reply);
    else event.source?.postMessage(reply);
  }
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? FIELD_URL, self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const existing = windows.find((client) => new URL(client.url).pathname.startsWith(FIELD_URL));
      if (existing) return existing.focus();
      return self.clients.openWindow(target);
    })(),
  );
});
