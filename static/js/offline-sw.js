/* The offline intake's service worker (Workbox). Its configuration, `self.offlineConfig`,
 * is written by the view that serves it (partners/views/offline.py): the pages, data and
 * static files to keep, and the addresses that must always reach the server. */
/* global workbox */
(function () {
  "use strict";

  const cfg = self.offlineConfig;
  const PREFIX = "onboarding-offline-";
  const CACHE = `${PREFIX}v${cfg.version}`;
  const { registerRoute } = workbox.routing;
  const { NetworkFirst, NetworkOnly, StaleWhileRevalidate } = workbox.strategies;

  // Keep only real answers: never an error, nor the sign-in page a redirect led to.
  const answersOnly = {
    cacheWillUpdate: async ({ response }) =>
      response && response.status === 200 && !response.redirected ? response : null,
  };
  // Say when an answer came from the cache, so the page does not take an old server
  // time for a new one.
  const markCached = {
    cachedResponseWillBeUsed: async ({ cachedResponse }) => {
      if (!cachedResponse) return cachedResponse;
      const headers = new Headers(cachedResponse.headers);
      headers.set("X-Offline-Cached", "1");
      const body = await cachedResponse.blob();
      return new Response(body, { status: cachedResponse.status, headers });
    },
  };
  const matchOptions = { ignoreVary: true };

  self.addEventListener("install", (event) => {
    // The page, its rules, its gazetteer and its files, as this user sees them now.
    const urls = [...cfg.pages, ...cfg.data, ...cfg.static];
    event.waitUntil(
      caches.open(CACHE).then((cache) => Promise.all(urls.map((url) =>
        fetch(url, { credentials: "same-origin" })
          .then((response) => (response.ok && !response.redirected ? cache.put(url, response) : null))
          .catch(() => null))))
        .then(() => self.skipWaiting()),
    );
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil(
      caches.keys()
        .then((names) => Promise.all(names
          .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
          .map((name) => caches.delete(name))))
        .then(() => self.clients.claim()),
    );
  });

  registerRoute(({ url }) => cfg.network_only.includes(url.pathname), new NetworkOnly(), "GET");
  registerRoute(({ url }) => cfg.network_only.includes(url.pathname), new NetworkOnly(), "POST");
  registerRoute(
    ({ request, url }) => request.mode === "navigate" && cfg.pages.includes(url.pathname) && !url.search,
    new NetworkFirst({ cacheName: CACHE, networkTimeoutSeconds: 6, plugins: [answersOnly], matchOptions }),
  );
  registerRoute(
    ({ url }) => cfg.data.includes(url.pathname),
    new NetworkFirst({ cacheName: CACHE, networkTimeoutSeconds: 6, plugins: [answersOnly, markCached], matchOptions }),
  );
  registerRoute(
    ({ url }) => url.origin === self.location.origin && url.pathname.startsWith(cfg.static_prefix),
    new StaleWhileRevalidate({ cacheName: CACHE, plugins: [answersOnly], matchOptions }),
  );
})();
