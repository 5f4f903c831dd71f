// The offline card checker's service worker, scope /verify/ (registry.views.verify).
// Keeps the checker page, its files and the registry's public keys; with no network,
// any page under /verify/ (what a card's QR opens) is answered by the checker page.
const CACHE = "verify-{{ version }}";
const PAGE = "{% url 'verify:offline' %}";
const KEYS = "{% url 'verify:keys' %}";
const ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

async function addAll(cache, urls) {
  await Promise.allSettled(urls.map((url) => cache.add(url)));
}

async function precache() {
  const cache = await caches.open(CACHE);
  await cache.addAll([PAGE, KEYS, ...ASSETS]);  // all or nothing: the checker needs each
  // The stylesheets and scripts the page names, and the fonts those stylesheets name.
  const page = await (await cache.match(PAGE)).text();
  const files = [...page.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
  await addAll(cache, files);
  for (const sheet of files.filter((file) => file.endsWith(".css"))) {
    const response = await cache.match(sheet);
    if (!response) continue;
    const css = await response.text();
    const fonts = [...css.matchAll(/url\(["']?([^"')]+\.woff2)["']?\)/g)]
      .map((m) => new URL(m[1], self.location.origin + sheet).pathname)
      .filter((font) => /(khmer|latin)-(400|700)-normal/.test(font));
    await addAll(cache, fonts);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((name) => name.startsWith("verify-") && name !== CACHE).map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function networkThenCache(request, fallback) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && (request.url.endsWith(PAGE) || request.url.endsWith(KEYS))) {
      cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    return (await cache.match(request, { ignoreSearch: true })) || (await cache.match(fallback));
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/verify/")) {
    event.respondWith(networkThenCache(request, PAGE));
  } else if (url.pathname === KEYS) {
    event.respondWith(networkThenCache(request, KEYS));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
