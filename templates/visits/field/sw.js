// Keqing field service worker, hand-written: no Workbox, nothing loaded from a CDN.
// Rendered by visits.field_views.service_worker; controls the field pages under
// CONFIG.scope. It keeps:
//   - the app shell (CSS, ES modules, vendor files), stored on install, cache first;
//   - the field pages and today's data (route with each stop's preparation and form
//     steps), network first, the last good answer kept for when there is no signal.
// It never touches writes (POST/PATCH go straight to the network; the page's IndexedDB
// outbox retries them) nor other origins (map tiles load or fail on their own).
const CONFIG = {{ config }};
const SHELL_CACHE = `keqing-shell-${CONFIG.version}`;
const DATA_CACHE = "keqing-field-data";
const STORED_AT = "X-Keqing-Stored-At";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(CONFIG.shell.map((url) => new Request(url, { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("keqing-shell-") && name !== SHELL_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/** A copy of the response carrying the moment it was stored (shown as "offline copy"). */
async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set(STORED_AT, new Date().toISOString());
  const body = await response.blob();
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

async function networkFirst(request, { ignoreSearch = false } = {}) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request);
    // A redirect (to the login page) or an error is never kept as "the page".
    if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(request.url, await stamped(response.clone()));
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request.url, { ignoreVary: true })
      || (ignoreSearch && await cache.match(request.url, { ignoreVary: true, ignoreSearch: true }));
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(DATA_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

function isFieldPage(url) {
  return url.pathname.startsWith(CONFIG.scope);
}

function isDayData(url) {
  return CONFIG.api_prefixes.some((prefix) => url.pathname.startsWith(prefix));
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(CONFIG.static_prefix)) {
    event.respondWith(cacheFirst(request));
  } else if (isFieldPage(url)) {
    event.respondWith(networkFirst(request, { ignoreSearch: true }));
  } else if (isDayData(url)) {
    event.respondWith(networkFirst(request));
  }
});

/** Store pages and data the rep will need later today (the page sends the list). */
async function warm(urls) {
  let stored = 0;
  let failed = 0;
  for (const url of urls) {
    try {
      const response = await networkFirst(new Request(url, { credentials: "same-origin" }));
      if (response.ok) stored += 1; else failed += 1;
    } catch {
      failed += 1;
    }
  }
  return { stored, failed };
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.urls)) {
    event.waitUntil(warm(data.urls).then((result) => {
      if (event.source) event.source.postMessage({ type: "warmed", ...result });
    }));
  }
});
